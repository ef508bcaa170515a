"""Live reload: a saved flows file is checked (with its tests:) and put in force, or refused."""

from __future__ import annotations

import json
import os
import time

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
