"""Live reload: a saved flows file is checked (with its tests:) and put in force, or refused."""

from __future__ import annotations

import itertools
import json
import os
import time

import pytest

FLOWS = """\
settings:
  business: Reload shop
flows:
  welcome:
    start_on: [first_message]
    steps:
      - say: {bn: "পুরনো স্বাগতম", en: "Old welcome"}
      - id: need
        ask: {bn: "কী খুঁজছেন?", en: "What do you need?"}
tests:
  - name: welcome
    lang: en
    steps:
      - customer: hello
        bot: ["welcome"]
"""


def _save(path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    st = os.stat(path)  # a later mtime even on a coarse clock
    os.utime(path, (st.st_atime, st.st_mtime + 2))


def _wait(predicate, seconds: float = 5.0) -> float:
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        if predicate():
            return time.monotonic() - start
        time.sleep(0.05)
    raise AssertionError("not within 5 s")


def test_a_good_edit_is_live_within_5_s_and_a_broken_one_is_refused(make_app, tmp_path):
    flows = tmp_path / "shop.yaml"
    flows.write_text(FLOWS, encoding="utf-8")
    app = make_app(flows, start=True, FLOWS_POLL=0.5)
    runtime = app.extensions["barta"]
    client = app.test_client()
    assert client.get("/healthz").get_json()["flows"]["ok"] is True

    _save(flows, FLOWS.replace("Old welcome", "New welcome"))
    took = _wait(lambda: "New welcome" in str(runtime.book.flows["welcome"].steps[0].text))
    assert took < 5
    assert app.config["BOOK"] is runtime.book
    assert runtime.engine.book is runtime.book
    health = client.get("/healthz").get_json()["flows"]
    assert health["ok"] is True and health["loaded_at"]

    # A syntax error: refused, the old flows answer on, /healthz names the line.
    _save(flows, FLOWS.replace("Old welcome", "New welcome").replace("    steps:", "    steps"))
    _wait(lambda: not client.get("/healthz").get_json()["flows"]["ok"])
    health = client.get("/healthz").get_json()["flows"]
    assert any(e.startswith(f"{flows}:") for e in health["errors"]), health
    assert "New welcome" in str(runtime.book.flows["welcome"].steps[0].text)

    # A failing golden test refuses the edit too.
    _save(flows, FLOWS.replace("Old welcome", "Hi there"))
    _wait(lambda: any("welcome" in e and "test" in e
                      for e in client.get("/healthz").get_json()["flows"].get("errors", [])))  # fmt: skip
    assert "New welcome" in str(runtime.book.flows["welcome"].steps[0].text)

    # Fixed: in force again.
    _save(flows, FLOWS.replace("Old welcome", "Fixed welcome"))
    _wait(lambda: client.get("/healthz").get_json()["flows"]["ok"])
    assert "Fixed welcome" in str(runtime.book.flows["welcome"].steps[0].text)


def test_the_running_engine_answers_with_the_new_flows(make_app, tmp_path):
    flows = tmp_path / "shop.yaml"
    flows.write_text(FLOWS, encoding="utf-8")
    app = make_app(flows, online=False)
    runtime = app.extensions["barta"]
    new = FLOWS.replace("Old welcome", "New welcome").replace("পুরনো স্বাগতম", "নতুন স্বাগতম")
    flows.write_text(new, encoding="utf-8")
    assert runtime.reload() is True
    from bot.messenger.events import Event
    from store import inbox

    db = runtime.db()
    ev = Event(kind="message", psid="p1", text="hello", mid="m1", timestamp=int(time.time() * 1000))
    inbox.add(db, [(ev.key(), "p1", ev.kind, ev.to_json())], time.time())
    runtime.drain(db)
    rows = db.execute("SELECT body FROM outbox WHERE psid = 'p1'").fetchall()
    texts = [json.loads(r[0])["message"].get("text", "") for r in rows]
    assert any("New welcome" in t or "নতুন স্বাগতম" in t for t in texts), texts
    flows.write_text("flows: [", encoding="utf-8")
    assert runtime.reload() is False
    assert runtime.flows_state["ok"] is False
    assert "New welcome" in str(runtime.book.flows["welcome"].steps[0].text)


def test_owners_see_the_refused_flows_in_a_banner_and_agents_do_not(make_app, tmp_path):
    from tests.staff.test_views import add_staff, login

    flows = tmp_path / "shop.yaml"
    flows.write_text(FLOWS, encoding="utf-8")
    app = make_app(flows, online=False)
    add_staff(app, "rina", "owner")
    add_staff(app, "karim", "agent")
    owner, agent = app.test_client(), app.test_client()
    assert login(owner, "rina").status_code == 302
    assert login(agent, "karim").status_code == 302
    assert "flows-broken" not in owner.get("/staff/queue").get_data(as_text=True)

    flows.write_text(FLOWS.replace("    steps:", "    steps"), encoding="utf-8")
    assert app.extensions["barta"].reload() is False
    page = owner.get("/staff/queue").get_data(as_text=True)
    assert "flows-broken" in page
    assert f"{flows}:6: a &#39;:&#39; is missing after &#39;steps&#39;" in page
    assert "flows-broken" not in agent.get("/staff/queue").get_data(as_text=True)


@pytest.mark.slow
def test_a_running_server_follows_its_flows_file(tmp_path):
    import sqlite3

    import requests

    from tests.cli.test_crash import free_port, start_server
    from tests.conftest import SECRET, envelope, sign, text_event

    flows = tmp_path / "shop.yaml"
    flows.write_text(FLOWS, encoding="utf-8")
    db_path = tmp_path / "bot.db"
    env = dict(os.environ, BOT_DB=str(db_path), BOT_FLOWS=str(flows), SECRET_KEY="reload",
               MESSENGER_APP_SECRET=SECRET)  # fmt: skip
    env.pop("MESSENGER_PAGE_TOKEN", None)
    port = free_port()
    server = start_server(port, env, tmp_path / "server.log")
    base = f"http://127.0.0.1:{port}"

    def flows_health() -> dict:
        return requests.get(f"{base}/healthz", timeout=5).json()["flows"]

    def welcome_for(psid: str) -> str:
        raw = json.dumps(envelope(text_event(psid, "hello"))).encode()
        headers = {"Content-Type": "application/json", "X-Hub-Signature-256": sign(raw)}
        assert requests.post(f"{base}/webhook", data=raw, headers=headers, timeout=5).ok

        def said() -> str:
            with sqlite3.connect(db_path) as db:
                rows = db.execute("SELECT body FROM outbox WHERE psid = ?", (psid,)).fetchall()
            return " ".join(json.loads(r[0])["message"].get("text", "") for r in rows)

        _wait(lambda: "welcome" in said().lower() or "স্বাগতম" in said(), 10)
        return said()

    tries = itertools.count(1)
    try:
        assert flows_health()["ok"] is True
        _save(flows, FLOWS.replace("Old welcome", "New welcome"))
        took = _wait(lambda: "New welcome" in welcome_for(f"c1-{next(tries)}"))
        assert took < 5

        _save(flows, FLOWS.replace("Old welcome", "Broken").replace("    steps:", "    steps"))
        _wait(lambda: flows_health()["ok"] is False)
        assert any(":6: a ':' is missing after 'steps'" in e for e in flows_health()["errors"])
        assert "New welcome" in welcome_for("c2")  # the old flows still answer
    finally:
        server.terminate()
        server.wait(10)


def test_a_customer_mid_flow_goes_on_after_a_reload(make_app, tmp_path):
    from bot.messenger.events import Event
    from store import inbox

    flows = tmp_path / "shop.yaml"
    flows.write_text(FLOWS, encoding="utf-8")
    app = make_app(flows, online=False)
    runtime = app.extensions["barta"]
    db = runtime.db()
    n = itertools.count(1)

    def says(text: str) -> list[str]:
        before = db.execute("SELECT coalesce(max(id), 0) FROM outbox").fetchone()[0]
        ev = Event(kind="message", psid="p1", text=text, mid=f"m{next(n)}",
                   timestamp=int(time.time() * 1000) + next(n))  # fmt: skip
        inbox.add(db, [(ev.key(), "p1", ev.kind, ev.to_json())], time.time())
        runtime.drain(db)
        rows = db.execute("SELECT body FROM outbox WHERE id > ?", (before,)).fetchall()
        return [json.loads(r[0])["message"].get("text", "") for r in rows]

    assert any("What do you need?" in t for t in says("hello"))
    # The pending question is renamed: that flow starts again with the new question.
    flows.write_text(
        FLOWS.replace("id: need", "id: wish").replace("What do you need?", "What do you wish for?"),
        encoding="utf-8",
    )
    assert runtime.reload() is True
    assert any("What do you wish for?" in t for t in says("a saree"))
