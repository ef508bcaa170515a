"""The owners' flows editor (/staff/flows): the draft check, publish gated by check and the
golden tests, the history, rollback, try-it drafts, and who may use it."""

from __future__ import annotations

import json
import os

import pytest

from store import staff as accounts
from tests.conftest import TEST_FLOWS

PASSWORD = "correct horse battery"
MORE = """\
canned:
  hello: {bn: "নমস্কার", en: "Hello there"}

tests:
  - name: the price is told
    steps:
      - customer: "price"
        bot: ["1,500"]
"""


@pytest.fixture
def folder(tmp_path):
    """A main file that includes flows/more.yaml (with a golden test)."""
    root = tmp_path / "shop"
    (root / "flows").mkdir(parents=True)
    (root / "flows.yaml").write_text(
        TEST_FLOWS.read_text("utf-8") + "\ninclude: [flows/*.yaml]\n", "utf-8"
    )
    (root / "flows" / "more.yaml").write_text(MORE, "utf-8")
    return root


@pytest.fixture
def app(make_app, folder):
    return make_app(folder / "flows.yaml")


def _client(app, name: str, role: str):
    rt = app.extensions["barta"]
    accounts.create(rt.db(), name, role, PASSWORD, rt.clock())
    client = app.test_client()
    resp = client.post("/staff/login", data={"name": name, "password": PASSWORD})
    assert resp.status_code == 302
    return client


@pytest.fixture
def owner(app):
    return _client(app, "rina", "owner")


@pytest.fixture
def agent(app):
    return _client(app, "karim", "agent")


def test_the_page_lists_the_main_file_and_its_includes_with_the_text(owner, folder):
    page = owner.get("/staff/flows")
    assert page.status_code == 200
    assert "flows.yaml" in page.text and "flows/more.yaml" in page.text
    assert "টেস্ট শপ" in page.text  # the main file's text, escaped into the textarea
    other = owner.get("/staff/flows?file=flows/more.yaml")
    assert "Hello there" in other.text
    assert owner.get("/staff/flows?file=../secret").status_code == 404
    assert 'src="/staff/static/editor.js' in page.text and "<script>" not in page.text


def test_agents_get_403_everywhere(agent):
    assert agent.get("/staff/flows").status_code == 403
    body = {"file": "flows.yaml", "text": "x"}
    for path in ("/staff/flows/check", "/staff/flows/draft", "/staff/flows/publish"):
        assert agent.post(path, json=body).status_code == 403


def test_a_stranger_is_sent_to_the_login(client):
    assert client.get("/staff/flows").status_code == 302


def test_the_draft_check_names_the_file_and_line_and_never_touches_the_live_file(owner, folder):
    live = (folder / "flows" / "more.yaml").read_text("utf-8")
    broken = MORE.replace(
        'hello: {bn: "নমস্কার", en: "Hello there"}', 'hello: {bn: "নমস্কার", en: "Hi {bkas}"}'
    )
    resp = owner.post("/staff/flows/check", json={"file": "flows/more.yaml", "text": broken})
    data = resp.get_json()
    assert resp.status_code == 200 and data["ok"] is False
    errors = [p for p in data["problems"] if p["severity"] == "error"]
    assert errors and errors[0]["file"] == "flows/more.yaml" and errors[0]["line"] == 2
    assert "bkash" in errors[0]["message"]  # did you mean
    assert (folder / "flows" / "more.yaml").read_text("utf-8") == live
    good = owner.post("/staff/flows/check", json={"file": "flows/more.yaml", "text": MORE})
    assert good.get_json() == {"ok": True, "problems": []}


def test_the_check_takes_only_the_flows_files(owner):
    resp = owner.post("/staff/flows/check", json={"file": "../../etc/passwd", "text": "x"})
    assert resp.status_code == 400
    assert owner.post("/staff/flows/check", json={"file": "flows.yaml"}).status_code == 400


def test_publish_is_refused_when_a_golden_test_fails(owner, folder, app):
    live = (folder / "flows.yaml").read_text("utf-8")
    cheaper = live.replace("শাড়ির দাম ১,৫০০", "শাড়ির দাম ১,২০০").replace("Tk 1,500", "Tk 1,200")
    resp = owner.post("/staff/flows/publish", json={"file": "flows.yaml", "text": cheaper})
    assert resp.status_code == 409
    problems = resp.get_json()["problems"]
    assert any(p["file"] == "flows/more.yaml" and "1,500" in p["message"] for p in problems)
    assert (folder / "flows.yaml").read_text("utf-8") == live
    assert owner.get("/staff/flows").text.count("editor-rollback") == 0


def test_publish_is_refused_with_an_error_at_its_line(owner, folder):
    live = (folder / "flows" / "more.yaml").read_text("utf-8")
    resp = owner.post(
        "/staff/flows/publish",
        json={"file": "flows/more.yaml", "text": MORE.replace("canned:", "canned")},
    )
    assert resp.status_code == 409
    assert resp.get_json()["problems"][0]["file"] == "flows/more.yaml"
    assert (folder / "flows" / "more.yaml").read_text("utf-8") == live


def test_publish_writes_keeps_history_reloads_and_rolls_back(owner, folder, app, tmp_path):
    rt = app.extensions["barta"]
    old = (folder / "flows" / "more.yaml").read_text("utf-8")
    new = old.replace("Hello there", "Hello from the editor")
    resp = owner.post("/staff/flows/publish", json={"file": "flows/more.yaml", "text": new})
    assert resp.status_code == 200, resp.get_json()
    hid = resp.get_json()["history"]
    assert (folder / "flows" / "more.yaml").read_text("utf-8") == new
    assert rt.book.canned["hello"]["en"] == "Hello from the editor"  # reloaded
    assert app.config["BOOK"] is rt.book
    kept = tmp_path / "flows-history" / hid
    assert (kept / "text").read_text("utf-8") == old
    meta = json.loads((kept / "meta.json").read_text("utf-8"))
    assert meta["file"] == "flows/more.yaml" and meta["by"] == "rina"
    assert not [n for n in os.listdir(folder / "flows") if n.startswith(".barta-")]
    page = owner.get("/staff/flows").text
    assert hid in page and "rina" in page
    shown = owner.get(f"/staff/flows/history/{hid}").get_json()
    assert shown["text"] == old

    back = owner.post(f"/staff/flows/rollback/{hid}")
    assert back.status_code == 200, back.get_json()
    assert (folder / "flows" / "more.yaml").read_text("utf-8") == old
    assert rt.book.canned["hello"]["en"] == "Hello there"
    note = json.loads(
        (tmp_path / "flows-history" / back.get_json()["history"] / "meta.json").read_text("utf-8")
    )
    assert note["note"] == f"rollback to {hid}"
    assert owner.post("/staff/flows/rollback/nonsense").status_code == 404


def test_the_history_keeps_the_newest_versions_only(owner, folder, tmp_path, monkeypatch):
    from bot.staff import editor

    monkeypatch.setattr(editor, "HISTORY_KEPT", 3)
    old = (folder / "flows" / "more.yaml").read_text("utf-8")
    ids = []
    for n in range(5):
        text = old.replace("Hello there", f"Hello number {n}")
        resp = owner.post("/staff/flows/publish", json={"file": "flows/more.yaml", "text": text})
        assert resp.status_code == 200, resp.get_json()
        ids.append(resp.get_json()["history"])
    kept = sorted(os.listdir(tmp_path / "flows-history"))
    assert len(kept) == 3 and set(kept) == set(sorted(ids)[-3:])
    assert owner.get(f"/staff/flows/history/{sorted(ids)[0]}").status_code == 404


def test_a_rollback_is_gated_like_a_publish(owner, folder, tmp_path):
    old = (folder / "flows" / "more.yaml").read_text("utf-8")
    new = old.replace("Hello there", "Hello again")
    hid = owner.post(
        "/staff/flows/publish", json={"file": "flows/more.yaml", "text": new}
    ).get_json()["history"]
    # the kept version would now break a test elsewhere: make the main file's price differ
    (tmp_path / "flows-history" / hid / "text").write_text(
        old.replace('bot: ["1,500"]', 'bot: ["9,999"]'), "utf-8"
    )
    back = owner.post(f"/staff/flows/rollback/{hid}")
    assert back.status_code == 409
    assert (folder / "flows" / "more.yaml").read_text("utf-8") == new


def test_try_it_keeps_a_draft_and_the_simulator_uses_it(owner, folder, app, tmp_path):
    draft = (folder / "flows.yaml").read_text("utf-8").replace("স্বাগতম", "খোশ আমদেদ")
    resp = owner.post("/staff/flows/draft", json={"file": "flows.yaml", "text": draft})
    data = resp.get_json()
    assert resp.status_code == 200 and data["ok"], data
    assert data["url"] == f"/simulator?draft={data['id']}"
    assert (tmp_path / "drafts" / data["id"] / "flows.yaml").read_text("utf-8") == draft
    assert "স্বাগতম" in (folder / "flows.yaml").read_text("utf-8")  # live untouched
    page = owner.get(data["url"])
    assert page.status_code == 200
    owner.post("/simulator/reset", json={})
    from tests.staff.test_simulator_clock import replies

    said = replies(owner)
    assert any("খোশ আমদেদ" in t for t in said), said
    # nothing of the draft reached the inbox the live engine reads
    assert app.extensions["barta"].db().execute("SELECT count(*) FROM inbox").fetchone()[0] == 0
    # back in the plain simulator: the live flows again
    owner.get("/simulator")
    owner.post("/simulator/reset", json={})
    assert any("স্বাগতম" in t for t in replies(owner))


def test_a_broken_draft_is_not_kept(owner):
    resp = owner.post("/staff/flows/draft", json={"file": "flows.yaml", "text": "settings: ["})
    assert resp.status_code == 422 and resp.get_json()["problems"]


def test_the_editor_speaks_bangla(owner):
    page = owner.get("/staff/flows").text  # the bot's first language is Bangla
    assert "প্রকাশ করুন" in page and "সিমুলেটরে চালিয়ে দেখুন" in page and "ইতিহাস" in page


def test_the_check_plays_the_golden_tests_when_asked(owner, folder):
    live = (folder / "flows.yaml").read_text("utf-8")
    cheaper = live.replace("Tk 1,500", "Tk 1,200").replace("১,৫০০", "১,২০০")
    quick = owner.post("/staff/flows/check", json={"file": "flows.yaml", "text": cheaper})
    assert quick.get_json()["ok"] is True  # the flows themselves are fine
    full = owner.post(
        "/staff/flows/check", json={"file": "flows.yaml", "text": cheaper, "tests": True}
    ).get_json()
    assert full["ok"] is False
    failed = [p for p in full["problems"] if p["severity"] == "error"]
    assert failed[0]["file"] == "flows/more.yaml" and failed[0]["line"] == 7  # the step


def test_a_draft_may_include_a_file_beside_the_others(owner, folder):
    (folder / "flows" / "spare.txt").write_text("not yaml", "utf-8")
    (folder / "extra").mkdir()
    (folder / "extra" / "eid.yaml").write_text(
        'canned:\n  eid: {bn: "ঈদ মোবারক", en: "Eid Mubarak"}\n', "utf-8"
    )
    live = (folder / "flows.yaml").read_text("utf-8")
    draft = live.replace("include: [flows/*.yaml]", "include: [flows/*.yaml, extra/eid.yaml]")
    resp = owner.post("/staff/flows/check", json={"file": "flows.yaml", "text": draft})
    problems = resp.get_json()["problems"]
    # extra/ holds none of the flows files: the copy leaves it out, and says so
    assert problems and problems[0]["file"] == "flows.yaml", problems
    assert "extra/eid.yaml" in problems[0]["message"]
    (folder / "flows" / "eid.yaml").write_text(
        'canned:\n  eid: {bn: "ঈদ মোবারক", en: "Eid Mubarak"}\n', "utf-8"
    )
    draft = live.replace("include: [flows/*.yaml]", "include: [flows/more.yaml, flows/eid.yaml]")
    resp = owner.post("/staff/flows/check", json={"file": "flows.yaml", "text": draft})
    assert resp.get_json() == {"ok": True, "problems": []}
