"""The browser simulator: the same pipeline as the webhook, read back from the log."""

from __future__ import annotations

import json

import pytest

from store import conversations, queue
from store import staff as accounts

WELCOME_BN = "আসসালামু আলাইকুম! টেস্ট শপ-এ স্বাগতম।"
NEED_BN = "কোন পণ্যটি খুঁজছেন?"


@pytest.fixture
def offline(make_app):
    return make_app(online=False)


class Sim:
    """One browser session on /simulator, with the engine drained after each step."""

    def __init__(self, app) -> None:
        self.app = app
        self.client = app.test_client()
        self.runtime = app.extensions["barta"]
        self.after = 0

    def post(self, path: str, body: dict) -> dict:
        resp = self.client.post(path, json=body)
        assert resp.status_code == 200, resp.data
        self.runtime.drain()
        return resp.get_json()

    def reset(self, lang: str | None = None) -> str:
        self.after = 0
        return self.post("/simulator/reset", {"lang": lang})["psid"]

    def poll(self) -> dict:
        data = self.client.get("/simulator/poll", query_string={"after": self.after}).get_json()
        if data["lines"]:
            self.after = data["lines"][-1]["id"]
        return data

    def bot_texts(self, data: dict) -> list[str]:
        return [line["message"].get("text") for line in data["lines"] if line["sender"] == "bot"]

    def chips(self, data: dict) -> list[tuple[str, str]]:
        bot = [line for line in data["lines"] if line["message"]]
        quick = bot[-1]["message"].get("quick_replies") or [] if bot else []
        return [(q["title"], q["payload"]) for q in quick if q.get("content_type") == "text"]


def test_offline_the_simulator_needs_no_login(offline):
    client = offline.test_client()
    page = client.get("/simulator")
    assert page.status_code == 200 and 'id="sim"' in page.text


def test_online_the_simulator_needs_a_staff_login(app):
    client = app.test_client()
    assert client.get("/simulator").headers["Location"].startswith("/staff/login")
    assert client.post("/simulator/send", json={"text": "hi"}).status_code == 401
    assert client.get("/simulator/poll").status_code == 401
    rt = app.extensions["barta"]
    accounts.create(rt.db(), "rina", "owner", "correct horse battery", rt.clock())
    client.post("/staff/login", data={"name": "rina", "password": "correct horse battery"})
    assert client.get("/simulator").status_code == 200


def test_a_whole_bangla_conversation_to_the_handoff(offline):
    sim = Sim(offline)
    psid = sim.reset()
    assert psid.startswith("sim:")
    data = sim.poll()
    assert sim.bot_texts(data) == [f"{WELCOME_BN}\n\n{NEED_BN}"]
    chips = sim.chips(data)
    assert chips[0] == ("শাড়ি", "need:saree")
    title, payload = chips[0]
    sim.post("/simulator/send", {"quick": payload, "text": title})
    data = sim.poll()
    assert [line["text"] for line in data["lines"] if line["sender"] == "customer"] == ["শাড়ি"]
    assert sim.bot_texts(data) == ["আপনার বাজেট কত টাকা?"]
    sim.post("/simulator/send", {"text": "৬০০০ টাকা"})
    sim.post("/simulator/send", {"text": "০১৭১১২২৩৩৪৪"})
    data = sim.poll()
    assert sim.bot_texts(data)[-1] == "ধন্যবাদ! আমাদের একজন প্রতিনিধি এখনই কথা বলবেন।"
    lead = data["lead"]
    assert lead["stage"] == "qualified" and lead["stage_name"] == "যোগ্য লিড"
    assert lead["score"] == 50 and lead["bot_paused"] is True
    assert lead["answers"] == {"need": "saree", "budget": 6000, "phone": "01711223344"}
    db = sim.runtime.db()
    conv = conversations.by_psid(db, psid)
    assert queue.open_for(db, conv["id"])["status"] == "waiting"


def test_what_is_not_processed_yet_shows_as_waiting(offline):
    sim = Sim(offline)
    sim.reset()
    sim.client.post("/simulator/send", json={"text": "দাম কত?"})  # no drain
    data = sim.poll()
    assert data["waiting"] == ["দাম কত?"]
    sim.runtime.drain()
    assert sim.poll()["waiting"] == []


def test_start_over_in_english_makes_a_new_customer(offline):
    sim = Sim(offline)
    first = sim.reset()
    second = sim.reset("en")
    assert first != second and second.startswith("sim:")
    data = sim.poll()
    assert sim.bot_texts(data) == ["Hello! Welcome to Test Shop.\n\nWhat are you looking for?"]
    assert data["lead"]["language"] == "en"
    assert [t for t, _ in sim.chips(data)] == ["Saree", "Kurti", "Something else"]


def test_the_language_picker_switches_mid_conversation(offline):
    sim = Sim(offline)
    sim.reset()
    sim.poll()
    sim.post("/simulator/send", {"postback": "LANG:en", "text": "English"})
    data = sim.poll()
    assert (
        sim.bot_texts(data)[-1]
        == "Sure, I'll write in English from now on.\n\nWhat are you looking for?"
    )
    assert data["lead"]["language"] == "en"


def test_nothing_to_send_is_refused(offline):
    resp = offline.test_client().post("/simulator/send", json={})
    assert resp.status_code == 400 and resp.get_json()["ok"] is False


def test_online_simulator_replies_are_kept_never_sent(make_app, graph):
    import time

    app = make_app(start=True)
    rt = app.extensions["barta"]
    accounts.create(rt.db(), "rina", "owner", "correct horse battery", rt.clock())
    client = app.test_client()
    client.post("/staff/login", data={"name": "rina", "password": "correct horse battery"})
    psid = client.post("/simulator/reset", json={}).get_json()["psid"]
    deadline = time.time() + 10
    statuses: list[str] = []
    while time.time() < deadline:
        rows = rt.db().execute("SELECT status FROM outbox WHERE psid = ?", (psid,)).fetchall()
        statuses = [r[0] for r in rows]
        if statuses and all(s == "kept" for s in statuses):
            break
        time.sleep(0.05)
    assert statuses and set(statuses) == {"kept"}
    assert graph.delivered(psid) == []


@pytest.mark.parametrize("body", [["x"], "hello", 5])
def test_json_that_is_not_an_object_is_a_400(offline, body):
    client = offline.test_client()
    client.get("/simulator")
    assert client.post("/simulator/send", json=body).status_code == 400
    assert client.post("/simulator/reset", json=body).status_code == 400


def test_get_started_speaks_the_customers_language_not_the_workspaces(offline):
    client = offline.test_client()
    client.get("/staff/lang/en")  # the workspace in English; the test customer reads Bangla
    page = client.get("/simulator").text
    assert 'id="sim-get-started" lang="bn">শুরু করুন</button>' in page
    assert 'value="bn" data-get-started="শুরু করুন"' in page
    assert 'value="en" data-get-started="Get Started"' in page
    sim = Sim(offline)
    for lang, word in ((None, "শুরু করুন"), ("en", "Get Started")):
        sim.reset(lang)
        said = [line["text"] for line in sim.poll()["lines"] if line["sender"] == "customer"]
        assert said[-1] == word


def _qualified(sim: Sim) -> dict:
    """A Bangla customer who answers the three questions; the lead of the last poll."""
    sim.reset()
    sim.poll()
    sim.post("/simulator/send", {"quick": "need:saree", "text": "শাড়ি"})
    sim.post("/simulator/send", {"text": "৬০০০ টাকা"})
    sim.post("/simulator/send", {"text": "০১৭১১২২৩৩৪৪"})
    return sim.poll()["lead"]


@pytest.mark.parametrize(
    "ui, stage, score, rows",
    [
        (
            "bn",
            "যোগ্য লিড",
            "৫০",
            [
                ("কোন পণ্যটি খুঁজছেন?", "শাড়ি", None),
                ("আপনার বাজেট কত টাকা?", "৬,০০০", None),
                ("আপনার মোবাইল নম্বরটি দিন", "01711223344", "tel:01711223344"),
            ],
        ),
        (
            "en",
            "Qualified",
            "50",
            [
                ("What are you looking for?", "Saree", None),
                ("What is your budget in Taka?", "6,000", None),
                ("Your mobile number, please", "01711223344", "tel:01711223344"),
            ],
        ),
    ],
)
def test_the_side_panel_shows_the_workspaces_words_not_keys(offline, ui, stage, score, rows):
    """As the conversation page shows a lead: questions and chosen labels in the workspace's
    language (whatever the customer's), numbers and phone numbers formatted, no ids."""
    sim = Sim(offline)
    sim.client.get(f"/staff/lang/{ui}")
    lead = _qualified(sim)
    assert lead["stage_name"] == stage and lead["score_text"] == score
    assert [(r["question"], r["answer"], r["tel"]) for r in lead["rows"]] == rows
    assert lead["answers"]["need"] == "saree"  # the stored values stay as they are


def test_an_empty_answer_is_left_out_and_an_unknown_key_reads_as_words(offline):
    sim = Sim(offline)
    lead = _qualified(sim)
    db = sim.runtime.db()
    answers = {**lead["answers"], "email": None, "delivery_area": "মিরপুর", "notes": ""}
    db.execute(
        "UPDATE conversations SET answers = ? WHERE id = ?", (json.dumps(answers), lead["id"])
    )
    db.conn.commit()
    lead = sim.poll()["lead"]
    shown = [(r["question"], r["answer"]) for r in lead["rows"]]
    assert ("delivery area", "মিরপুর") in shown and len(shown) == 4
    text = json.dumps(lead["rows"], ensure_ascii=False)
    assert "None" not in text and "null" not in text.replace('"tel": null', "")


def test_the_panel_before_any_answer_has_no_rows(offline):
    sim = Sim(offline)
    sim.reset()
    lead = sim.poll()["lead"]
    assert lead["rows"] == [] and lead["score_text"] == "০" and lead["stage_name"] == "নতুন"


def test_starting_over_in_english_shows_the_language_by_its_name_not_its_code(offline):
    sim = Sim(offline)
    sim.reset("en")
    said = [line["text"] for line in sim.poll()["lines"] if line["sender"] == "customer"]
    assert said == ["English", "Get Started"]
    assert sim.poll()["lead"]["language"] == "en"
