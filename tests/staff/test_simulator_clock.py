"""The simulator tries everything: a clock moved per session (follow-ups, business hours),
ice breakers, the persistent menu, m.me refs, and saving the conversation as a test."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import yaml

from store import conversations
from store import staff as accounts
from tests.conftest import TEST_FLOWS, Clock

PASSWORD = "correct horse battery"
EXTRA = """
followups:
  - id: nudge
    stage: new
    after: 3h
    say: {bn: "এখনও খুঁজছেন?", en: "Still looking?"}

ice_breakers:
  - {id: price, question: {bn: "দাম কত?", en: "What do things cost?"}}

menu:
  - {title: {bn: দাম জানুন, en: Prices}, intent: price}
  - {title: {bn: ওয়েবসাইট, en: Website}, url: "https://shop.example.com"}
"""
EID = """
  eid:
    start_on: [referral:eid_offer]
    steps:
      - say: {bn: "ঈদ অফার: ২০% ছাড়!", en: "Eid offer: 20% off!"}
  prices:
    start_on: [ice_breaker:price]
    steps:
      - say: {bn: "শাড়ি ১,৫০০ টাকা থেকে।", en: "Sarees from Tk 1,500."}
"""
NUDGE_BN = "এখনও খুঁজছেন?"


def _flows() -> str:
    text = TEST_FLOWS.read_text("utf-8").replace("\nflows:\n", "\nflows:" + EID, 1)
    return text + EXTRA


@pytest.fixture
def noon():
    """Saturday noon in Dhaka: +3 h is 15:00, far from the quiet hours."""
    return Clock(datetime(2027, 1, 2, 12, 0, tzinfo=ZoneInfo("Asia/Dhaka")).timestamp())


@pytest.fixture
def app(make_app, noon):
    return make_app(_flows(), online=False, CLOCK=noon)


def replies(client, app=None) -> list[str]:
    """Every bot text of this session's test customer so far (draining the live engine)."""
    rt = (app or client.application).extensions["barta"]
    rt.drain()
    data = client.get("/simulator/poll", query_string={"after": 0}).get_json()
    out = []
    for line in data["lines"]:
        if line["sender"] in ("bot", "followup") and line["text"]:
            out.append(line["text"])
    return out


def test_three_hours_later_shows_the_follow_up_and_moves_only_this_clock(app, noon):
    client = app.test_client()
    client.get("/simulator")
    client.post("/simulator/reset", json={})
    client.post("/simulator/send", json={"text": "হ্যালো"})
    assert NUDGE_BN not in replies(client)
    moved = client.post("/simulator/later", json={"hours": 2}).get_json()
    assert moved["offset_hours"] == 2 and moved["followups"] == 0
    assert NUDGE_BN not in replies(client)
    moved = client.post("/simulator/later", json={"hours": 1}).get_json()
    assert moved["followups"] == 1 and moved["clock"] == "শনিবার, ২ জানুয়ারি, বিকেল ৩:০০"
    assert moved["offset_text"] == "+৩ ঘণ্টা"
    assert replies(client)[-1] == NUDGE_BN
    rt = app.extensions["barta"]
    assert rt.clock() == noon.now  # the server's clock never moved
    # the session's events carry the moved time
    client.post("/simulator/send", json={"text": "দাম"})
    conv = conversations.by_psid(rt.db(), client.get("/simulator/poll").get_json()["psid"])
    assert conv["last_customer_at"] == pytest.approx(noon.now + 3 * 3600)
    # a real customer's follow-up still waits for real time
    assert rt.scheduler is not None and rt.scheduler.tick() == []


def test_the_clock_reads_in_the_workspace_language(app):
    client = app.test_client()
    client.get("/staff/lang/en")
    client.get("/simulator")
    assert client.get("/simulator/poll").get_json()["clock"] == "Saturday, 2 Jan, 12:00 PM"
    moved = client.post("/simulator/later", json={"hours": 24}).get_json()
    assert moved["clock"] == "Sunday, 3 Jan, 12:00 PM" and moved["offset_text"] == "+1 d"
    page = client.get("/simulator").text
    assert "Sunday, 3 Jan, 12:00 PM" in page and "(+1 d)" in page


def test_the_clock_refuses_nonsense(app):
    client = app.test_client()
    client.get("/simulator")
    assert client.post("/simulator/later", json={"hours": -1}).status_code == 400
    assert client.post("/simulator/later", json={"hours": "x"}).status_code == 400
    assert client.post("/simulator/later", json={"hours": 24 * 30}).status_code == 400


def test_start_over_puts_the_clock_back(app):
    client = app.test_client()
    client.get("/simulator")
    client.post("/simulator/later", json={"hours": 3})
    client.post("/simulator/reset", json={})
    assert client.get("/simulator/poll").get_json()["offset_hours"] == 0


def test_ice_breakers_and_the_menu_are_on_the_page_and_answer(app):
    client = app.test_client()
    page = client.get("/simulator").text
    assert "দাম কত?" in page and 'data-payload="ICE_BREAKER:price"' in page
    assert "দাম জানুন" in page and "https://shop.example.com" in page
    client.post("/simulator/send", json={"postback": "ICE_BREAKER:price", "text": "দাম কত?"})
    assert any("শাড়ি ১,৫০০ টাকা থেকে" in t for t in replies(client))
    menu = [p for p in page.split('data-payload="')[1:] if not p.startswith("ICE")]
    payload = menu[0].split('"')[0]
    client.post("/simulator/send", json={"postback": payload, "text": "দাম জানুন"})
    assert any("শাড়ির দাম" in t for t in replies(client))  # the price intent


def test_ice_breakers_and_the_menu_follow_the_customers_language_not_the_workspaces(app):
    """One set per customer language, the first one shown; simulator.js shows the set of
    the language picked. The payloads are the same in every language."""
    client = app.test_client()
    client.get("/staff/lang/en")  # the workspace in English
    page = client.get("/simulator").text
    bn = page.split('<div class="sim-offers" data-lang="bn" lang="bn">')[1].split("sim-offers")[0]
    en = page.split('<div class="sim-offers" data-lang="en" lang="en" hidden>')[1]
    en = en.split('<form class="row" id="sim-ref-form"')[0]
    assert "দাম কত?" in bn and "দাম জানুন" in bn and "ওয়েবসাইট ↗" in bn
    assert "What do things cost?" in en and "Prices" in en and "Website ↗" in en
    assert "দাম" not in en and "Prices" not in bn
    assert '<strong class="small" lang="en">Ice breakers</strong>' in bn  # the UI's words

    def payloads(part: str) -> list[str]:
        return [p.split('"')[0] for p in part.split('data-payload="')[1:]]

    assert payloads(bn) == payloads(en) and payloads(en)[0] == "ICE_BREAKER:price"
    client.post("/simulator/send", json={"postback": payloads(en)[1], "text": "Prices"})
    said = replies(client)
    assert any("শাড়ির দাম" in t for t in said), said


def test_an_m_me_ref_starts_its_flow_for_a_new_and_an_old_customer(app):
    client = app.test_client()
    client.get("/simulator?ref=eid_offer")
    client.post("/simulator/reset", json={"ref": "eid_offer"})
    assert any("ঈদ অফার" in t for t in replies(client))
    other = app.test_client()
    other.get("/simulator")
    other.post("/simulator/reset", json={})
    assert not any("ঈদ অফার" in t for t in replies(other))
    # mid-question the link does not break the question; the lead keeps where it came from
    assert other.post("/simulator/ref", json={"ref": "eid_offer"}).status_code == 200
    replies(other)
    psid = other.get("/simulator/poll").get_json()["psid"]
    conv = conversations.by_psid(app.extensions["barta"].db(), psid)
    assert "eid_offer" in str(conv["source"])
    assert other.post("/simulator/ref", json={"ref": " "}).status_code == 400


def test_the_page_has_the_clock_buttons_and_no_inline_script(app):
    page = app.test_client().get("/simulator").text
    assert 'id="sim-later-3"' in page and "<script>" not in page


def test_an_owner_saves_the_conversation_as_a_test_that_passes(make_app, noon, tmp_path):
    app = make_app(_flows(), CLOCK=noon)
    rt = app.extensions["barta"]
    accounts.create(rt.db(), "rina", "owner", PASSWORD, rt.clock())
    accounts.create(rt.db(), "karim", "agent", PASSWORD, rt.clock())
    owner = app.test_client()
    owner.post("/staff/login", data={"name": "rina", "password": PASSWORD})
    owner.get("/simulator")
    owner.post("/simulator/reset", json={})
    rt.drain()
    owner.post("/simulator/send", json={"text": "হ্যালো"})
    rt.drain()
    owner.post("/simulator/send", json={"quick": "saree", "text": "শাড়ি"})
    rt.drain()
    saved = owner.post("/simulator/save", json={"name": "saree lead"}).get_json()
    text = saved["yaml"]
    case = yaml.safe_load("tests:\n" + text)["tests"][0]
    assert case["name"] == "saree lead"
    assert {"tap": "শাড়ি"} in [{k: v for k, v in s.items() if k != "bot"} for s in case["steps"]]
    assert case["expect"]["answers"]["need"] == "saree"
    # the saved test passes on the same flows
    from bot.book.compiler import book_from_string
    from bot.conversation import golden

    book = book_from_string(_flows() + "\ntests:\n" + text)
    assert golden.run(book) == []
    agent = app.test_client()
    agent.post("/staff/login", data={"name": "karim", "password": PASSWORD})
    agent.get("/simulator")
    assert agent.post("/simulator/save", json={"name": "x"}).status_code == 403


def test_business_hours_follow_the_moved_clock(make_app, noon):
    """Open 10:00–21:00: at noon a person is promised soon; 10 hours later, at 22:00, the
    customer is told when the shop opens — only in this session."""
    text = _flows().replace(
        "settings:\n", 'settings:\n  hours: {days: [sat, sun], open: "10:00", close: "21:00"}\n', 1
    )
    app = make_app(text, online=False, CLOCK=noon)
    now = app.test_client()
    now.get("/simulator")
    now.post("/simulator/reset", json={})
    now.post("/simulator/send", json={"text": "মানুষ"})
    assert not any("বন্ধ" in t for t in replies(now))
    late = app.test_client()
    late.get("/simulator")
    late.post("/simulator/reset", json={})
    late.post("/simulator/later", json={"hours": 10})
    late.post("/simulator/send", json={"text": "মানুষ"})
    said = replies(late)
    assert any("বন্ধ" in t for t in said), said


def test_a_drafts_panel_speaks_the_drafts_words(make_app, tmp_path):
    """Trying a draft, the side panel's questions, labels and stages are the draft's."""
    main = tmp_path / "shop" / "flows.yaml"
    main.parent.mkdir()
    main.write_text(_flows(), "utf-8")
    app = make_app(main)
    rt = app.extensions["barta"]
    accounts.create(rt.db(), "rina", "owner", PASSWORD, rt.clock())
    owner = app.test_client()
    owner.post("/staff/login", data={"name": "rina", "password": PASSWORD})
    draft = _flows().replace("কোন পণ্যটি খুঁজছেন?", "আজ কী কিনবেন?").replace("যোগ্য লিড", "আগ্রহী")
    resp = owner.post("/staff/flows/draft", json={"file": "flows.yaml", "text": draft})
    assert resp.status_code == 200, resp.get_json()
    owner.get(resp.get_json()["url"])
    owner.post("/simulator/reset", json={})
    owner.post("/simulator/send", json={"quick": "need:saree", "text": "শাড়ি"})
    owner.post("/simulator/send", json={"text": "৬০০০"})
    owner.post("/simulator/send", json={"text": "01711223344"})
    lead = owner.get("/simulator/poll").get_json()["lead"]
    assert lead["rows"][0]["question"] == "আজ কী কিনবেন?" and lead["stage_name"] == "আগ্রহী"
