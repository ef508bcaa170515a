"""Several Pages in one deployment (issue 16): each Page answers with its own flows and its
own token — through signed webhook POSTs, the engine, the real sender threads and the
loopback fake Graph API, on SQLite and (BARTA_TEST_DB=postgresql) on PostgreSQL."""

from __future__ import annotations

import json
import os
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.errors import FlowError, NotFound
from bot.pages import profile_for, resolve_flows
from store import conversations, outbox, pages
from store.db import connect, migrate, write_tx
from tests.conftest import PAGE_TOKEN, Clock, post_webhook

PAGE_A = "105500000000000001"
PAGE_B = "105500000000000002"
PAGE_C = "105500000000000003"
UNKNOWN = "105500000000000099"
IG_A = "17841400000000001"
TOKEN_A, TOKEN_B, TOKEN_C = "EAApageA", "EAApageB", "EAApageC"


def shop(name: str, extra: str = "") -> str:
    """A small shop's flows: a greeting that names it, then one question."""
    return f"""
settings:
  business: {name}
  languages: [en]
flows:
  welcome:
    start_on: [first_message]
    steps:
      - say: "Welcome to {name}!"
      - id: need
        ask: "What does {name} find for you?"
{extra}"""


DEFAULT = shop("Default Shop")
FOLLOWUP = """
followups:
  - stage: new
    after: 3h
    say: "Still there? ({name})"
"""
COMMENTS = """
comments:
  - match: [price]
    posts: [all]
    reply: {en: ["Sent you a message ({name})"]}
    private: {en: "The price, from {name}"}
"""


def _save(path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    st = os.stat(path)  # a later mtime even on a coarse clock
    os.utime(path, (st.st_atime, st.st_mtime + 2))


def _wait(predicate, seconds: float = 10.0) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if predicate():
            return
        time.sleep(0.02)
    raise AssertionError(f"not within {seconds} s")


@pytest.fixture
def deployment(make_app, graph, bot_db, tmp_path):
    """Page A (shops/a.yaml) and Page B (shops/b.yaml, next to BOT_FLOWS) added before the
    server starts; ``make(**config)`` builds the app."""
    graph.accept(TOKEN_A, TOKEN_B, TOKEN_C)
    _save(tmp_path / "shops" / "a.yaml", shop("Shop A", FOLLOWUP.replace("{name}", "Shop A")
                                                + COMMENTS.replace("{name}", "Shop A")))  # fmt: skip
    _save(tmp_path / "shops" / "b.yaml", shop("Shop B", FOLLOWUP.replace("{name}", "Shop B")))
    db = connect(bot_db)
    migrate(db)
    pages.add(db, PAGE_A, 1.0, token=TOKEN_A, name="Shop A", flows="shops/a.yaml",
              instagram_id=IG_A)  # fmt: skip
    pages.add(db, PAGE_B, 1.0, token=TOKEN_B, name="Shop B", flows="shops/b.yaml")
    db.close()

    def make(**config):
        return make_app(DEFAULT, **config)

    return make


def entry(page_id: str, psid: str, text: str, n: int) -> dict:
    return {
        "id": page_id,
        "time": int(time.time() * 1000),
        "messaging": [
            {
                "sender": {"id": psid},
                "recipient": {"id": page_id},
                "timestamp": int(time.time() * 1000) + n,
                "message": {"mid": f"m_pages_{psid}_{n}_{time.monotonic_ns()}", "text": text},
            }
        ],
    }


def post(app, *entries: dict, obj: str = "page") -> None:
    resp = post_webhook(app.test_client(), {"object": obj, "entry": list(entries)})
    assert resp.status_code == 200


def deliver(rt) -> None:
    """The engine, then the sender, until nothing is due (in this thread)."""
    for _ in range(5):
        rt.drain()
        keys = outbox.due_psids(rt.db(), rt.sender.clock())
        if not keys:
            return
        for key in keys:
            rt.sender.deliver(key)


def test_two_pages_answer_each_with_their_own_flows_and_token(deployment, graph):
    app = deployment(start=True)
    rt = app.extensions["barta"]
    assert app.config["PAGES"].names() == {PAGE_A: "Shop A", PAGE_B: "Shop B"}
    post(
        app,
        entry(PAGE_A, "7100000000000001", "hello", 1),
        entry(PAGE_B, "7100000000000002", "hello", 2),
        entry(UNKNOWN, "7100000000000003", "hello", 3),
    )
    assert graph.wait_for(lambda: len(graph.sent_with()) == 3)
    a, b, other = (graph.sent_with(f"710000000000000{n}") for n in (1, 2, 3))
    assert a == [(TOKEN_A, "Welcome to Shop A!\n\nWhat does Shop A find for you?")]
    assert b == [(TOKEN_B, "Welcome to Shop B!\n\nWhat does Shop B find for you?")]
    # a Page id that is not added: the default flows with MESSENGER_PAGE_TOKEN, as before
    assert other == [
        (PAGE_TOKEN, "Welcome to Default Shop!\n\nWhat does Default Shop find for you?")
    ]
    assert all(r["path"] == "/v25.0/me/messages" for r in graph.requests)
    db = rt.db()
    assert conversations.by_psid(db, "7100000000000001")["page_id"] == PAGE_A
    assert conversations.by_psid(db, "7100000000000002")["page_id"] == PAGE_B
    # Meta's id is kept: the day that Page is added, its own flows and token answer it
    assert conversations.by_psid(db, "7100000000000003")["page_id"] == UNKNOWN

    # the next message goes on in its own Page's flows
    post(app, entry(PAGE_B, "7100000000000002", "a saree", 4))
    _wait(lambda: conversations.by_psid(db, "7100000000000002")["answers"].get("need"))
    assert conversations.by_psid(db, "7100000000000002")["answers"]["need"] == "a saree"
    # names are looked up with the customer's Page token too
    rt.names.gap = 0

    def looked_up(psid: str) -> set[str]:
        return {r["token"] for r in graph.lookups if psid in r["path"] + json.dumps(r["query"])}

    assert graph.wait_for(lambda: looked_up("7100000000000002") and looked_up("7100000000000003"))
    assert looked_up("7100000000000002") == {TOKEN_B}
    assert looked_up("7100000000000003") == {PAGE_TOKEN}
    health = app.test_client().get("/healthz").get_json()
    assert health["mode"] == "online" and health["flows"]["ok"] is True
    assert health["pages"][PAGE_A]["flows"]["ok"] is True
    assert health["pages"][PAGE_A]["sender"] == "running"
    assert TOKEN_A not in json.dumps(health) and TOKEN_B not in json.dumps(health)


def test_one_page_rate_limited_does_not_delay_the_other(deployment, graph):
    graph.fail_token(TOKEN_A, "error_rate_limit_613", times=50)
    app = deployment(start=True, SENDER_BACKOFF=2.0)  # a 613 pauses Page A for 8 s
    rt = app.extensions["barta"]
    post(app, entry(PAGE_A, "7200000000000001", "hello", 1))
    _wait(lambda: rt.sender.page_state(PAGE_A) == "paused")
    post(app, entry(PAGE_A, "7200000000000011", "hello", 2),
         entry(PAGE_B, "7200000000000002", "hello", 3))  # fmt: skip
    assert graph.wait_for(lambda: graph.sent_with("7200000000000002"), timeout=5)
    assert graph.sent_with("7200000000000002")[0][0] == TOKEN_B
    # Page A waits out its pause: one refused try, nothing to its second customer yet
    assert graph.sent_with("7200000000000001") == graph.sent_with("7200000000000011") == []
    tried_a = [r for r in graph.requests if r["token"] == TOKEN_A]
    assert [r["status"] for r in tried_a] == [400]  # the one 613
    assert rt.sender.page_state(PAGE_B) == "running"
    health = app.test_client().get("/healthz").get_json()
    assert health["pages"][PAGE_A]["sender"] == "paused"
    assert health["sender"] == "running"


def test_a_dead_token_stops_its_page_only(deployment, graph, clock):
    graph.fail_token(TOKEN_B, "error_token_expired_190_463", times=5)
    app = deployment(CLOCK=clock)
    rt = app.extensions["barta"]
    post(app, entry(PAGE_B, "7300000000000002", "hello", 1),
         entry(PAGE_A, "7300000000000001", "hello", 2))  # fmt: skip
    deliver(rt)
    assert graph.sent_with("7300000000000001")[0][0] == TOKEN_A
    assert graph.sent_with("7300000000000002") == []
    assert rt.sender.page_state(PAGE_B).startswith(f"stopped: Page {PAGE_B}")
    assert rt.sender.page_state(PAGE_A) == "running"
    db = rt.db()
    kept = db.execute("SELECT status, page_id FROM outbox WHERE psid = '7300000000000002'")
    assert kept.fetchall() == [("pending", PAGE_B)]

    # the owner renews the token (page add … --token): the kept reply goes, the Page runs
    pages.add(db, PAGE_B, clock.now, token=TOKEN_C)
    rt.refresh_pages()
    clock.advance(61)
    deliver(rt)
    assert graph.sent_with("7300000000000002")[0][0] == TOKEN_C
    assert rt.sender.page_state(PAGE_B) == "running"


def test_a_page_added_while_the_server_runs_is_picked_up(deployment, graph, bot_db, tmp_path):
    app = deployment(start=True, PAGES_POLL=0.1)
    rt = app.extensions["barta"]
    _save(tmp_path / "shops" / "c.yaml", shop("Shop C"))
    db = connect(bot_db)
    pages.add(db, PAGE_C, time.time(), token=TOKEN_C, name="Shop C", flows="shops/c.yaml")
    db.close()
    _wait(lambda: rt.pages.get(PAGE_C) is not None)
    assert app.config["PAGES"].names()[PAGE_C] == "Shop C"
    post(app, entry(PAGE_C, "7400000000000003", "hello", 1))
    assert graph.wait_for(lambda: graph.sent_with("7400000000000003"))
    assert graph.sent_with("7400000000000003") == [
        (TOKEN_C, "Welcome to Shop C!\n\nWhat does Shop C find for you?")
    ]

    # removed: its customers are answered by the default Page from then on
    db = connect(bot_db)
    pages.remove(db, PAGE_C)
    db.close()
    _wait(lambda: rt.pages.get(PAGE_C) is None)
    post(app, entry(PAGE_C, "7400000000000033", "hello", 2))
    assert graph.wait_for(lambda: graph.sent_with("7400000000000033"))
    assert graph.sent_with("7400000000000033")[0][0] == PAGE_TOKEN


def test_follow_ups_and_staff_replies_go_out_with_their_page_token(deployment, graph):
    # Sunday 29 March 2026, 11:00 in Dhaka: three hours later is no quiet hour
    clock = Clock(datetime(2026, 3, 29, 11, tzinfo=ZoneInfo("Asia/Dhaka")).timestamp())
    app = deployment(CLOCK=clock)
    rt = app.extensions["barta"]
    post(app, entry(PAGE_A, "7500000000000001", "hello", 1),
         entry(PAGE_B, "7500000000000002", "hello", 2),
         entry(UNKNOWN, "7500000000000003", "hello", 3))  # fmt: skip
    deliver(rt)
    assert rt.scheduler is not None  # the default flows have none; the Pages' do
    clock.advance(3 * 3600 + 60)
    queued = rt.scheduler.tick()
    assert len(queued) == 2  # A's and B's rules; the default Page has no follow-ups
    deliver(rt)
    assert graph.sent_with("7500000000000001")[-1] == (TOKEN_A, "Still there? (Shop A)")
    assert graph.sent_with("7500000000000002")[-1] == (TOKEN_B, "Still there? (Shop B)")
    assert len(graph.sent_with("7500000000000003")) == 1

    conv = conversations.by_psid(rt.db(), "7500000000000002")
    rt.engine.staff_reply(rt.db(), conv["id"], "Hello from a person", "rina")
    deliver(rt)
    assert graph.sent_with("7500000000000002")[-1] == (TOKEN_B, "Hello from a person")


def test_comment_replies_go_out_with_their_page_token(deployment, graph):
    clock = Clock(1773461760)
    app = deployment(CLOCK=clock)
    rt = app.extensions["barta"]
    graph.commenters["122145678901234567_1023456789012345"] = "7600000000000001"
    change = {
        "field": "feed",
        "value": {
            "from": {"id": "24123456789012345", "name": "Rahima Akter"},
            "message": "price?",
            "post_id": f"{PAGE_A}_122145678901234567",
            "comment_id": "122145678901234567_1023456789012345",
            "created_time": 1773461700,
            "item": "comment",
            "parent_id": f"{PAGE_A}_122145678901234567",
            "verb": "add",
        },
    }
    post(app, {"id": PAGE_A, "time": 1773461702, "changes": [change]})
    # the same comment on a Page not added: the default flows answer no comments
    other = json.loads(json.dumps(change).replace(PAGE_A, UNKNOWN).replace("_1023", "_1099"))
    post(app, {"id": UNKNOWN, "time": 1773461702, "changes": [other]})
    deliver(rt)
    (private,) = graph.private_replies()
    assert private["token"] == TOKEN_A
    assert private["body"]["message"]["text"] == "The price, from Shop A"
    (public,) = graph.comment_calls("comments")
    assert public["token"] == TOKEN_A and public["body"]["message"] == "Sent you a message (Shop A)"
    # the commenter writes back: their conversation is Page A's
    post(app, entry(PAGE_A, "7600000000000001", "which colours?", 1))
    deliver(rt)
    assert conversations.by_psid(rt.db(), "7600000000000001")["page_id"] == PAGE_A
    assert {t for t, _ in graph.sent_with("7600000000000001")} == {TOKEN_A}


def test_an_instagram_account_is_answered_as_its_page(deployment, graph, clock):
    app = deployment(CLOCK=clock)
    rt = app.extensions["barta"]
    post(app, entry(IG_A, "8100000000000001", "hello", 1), obj="instagram")
    deliver(rt)
    conv = conversations.by_psid(rt.db(), "8100000000000001")
    assert (conv["page_id"], conv["channel"]) == (PAGE_A, "instagram")
    sent = graph.sent_with("8100000000000001")
    assert sent and {t for t, _ in sent} == {TOKEN_A}
    assert "Shop A" in sent[0][1]


def test_a_page_s_broken_flows_keep_its_old_flows(deployment, graph, tmp_path):
    app = deployment(start=True, FLOWS_POLL=0.1)
    rt = app.extensions["barta"]
    client = app.test_client()
    path = tmp_path / "shops" / "b.yaml"
    _save(path, shop("Shop B").replace("    steps:", "    steps"))
    _wait(lambda: client.get("/healthz").get_json()["pages"][PAGE_B]["flows"]["ok"] is False)
    health = client.get("/healthz").get_json()
    assert any(e.startswith(f"{path}:") for e in health["pages"][PAGE_B]["flows"]["errors"])
    assert health["flows"]["ok"] is True  # BOT_FLOWS is fine
    post(app, entry(PAGE_B, "7700000000000002", "hello", 1))
    assert graph.wait_for(lambda: graph.sent_with("7700000000000002"))
    assert "Shop B" in graph.sent_with("7700000000000002")[0][1]

    # fixed (and renamed): in force for Page B, and for Page B only
    _save(path, shop("Shop Bee"))
    _wait(lambda: client.get("/healthz").get_json()["pages"][PAGE_B]["flows"]["ok"] is True)
    post(app, entry(PAGE_B, "7700000000000022", "hello", 2),
         entry(PAGE_A, "7700000000000001", "hello", 3))  # fmt: skip
    assert graph.wait_for(lambda: graph.sent_with("7700000000000022"))
    assert graph.wait_for(lambda: graph.sent_with("7700000000000001"))
    assert "Shop Bee" in graph.sent_with("7700000000000022")[0][1]
    assert "Shop A" in graph.sent_with("7700000000000001")[0][1]
    assert rt.pages.book(PAGE_B).settings.business["en"] == "Shop Bee"


def test_a_page_without_a_token_keeps_its_replies_while_others_send(deployment, graph, bot_db):
    db = connect(bot_db)
    migrate(db)
    pages.add(db, PAGE_C, 1.0, name="Shop C")  # no token yet, BOT_FLOWS' flows
    db.close()
    app = deployment(start=True)
    post(app, entry(PAGE_C, "7800000000000003", "hello", 1),
         entry(PAGE_A, "7800000000000001", "hello", 2))  # fmt: skip
    assert graph.wait_for(lambda: graph.sent_with("7800000000000001"))
    rt = app.extensions["barta"]
    _wait(lambda: rt.db().execute(
        "SELECT status FROM outbox WHERE psid = '7800000000000003'").fetchone() == ("kept",))  # fmt: skip
    assert graph.sent_with("7800000000000003") == []
    assert "Default Shop" in json.dumps(
        [
            json.loads(b)
            for (b,) in rt.db().execute("SELECT body FROM outbox WHERE psid = '7800000000000003'")
        ]  # fmt: skip
    )


def test_one_page_alone_is_as_before(make_app, graph):
    app = make_app(DEFAULT, start=True)
    rt = app.extensions["barta"]
    assert not rt.pages.active and rt.engine.pages is None
    assert "pages" not in app.test_client().get("/healthz").get_json()
    post(app, entry("105511223344556", "7900000000000001", "hello", 1))
    assert graph.wait_for(lambda: graph.sent_with("7900000000000001"))
    assert graph.sent_with("7900000000000001")[0][0] == PAGE_TOKEN
    assert conversations.by_psid(rt.db(), "7900000000000001")["page_id"] == "105511223344556"


def test_the_one_page_added_by_its_id_takes_its_customers_along(make_app, graph, bot_db, tmp_path):
    """A shop ran on MESSENGER_PAGE_TOKEN alone, then adds that Page (and a second one):
    its customers, those from before Pages too, go on with the Page's own flows and token."""
    graph.accept(TOKEN_A)
    app = make_app(DEFAULT, start=True, PAGES_POLL=0.1)
    rt = app.extensions["barta"]
    post(app, entry(PAGE_A, "7910000000000001", "hello", 1))
    assert graph.wait_for(lambda: graph.sent_with("7910000000000001"))
    db = connect(bot_db)
    with write_tx(db):  # a customer kept before Barta knew Pages
        conversations.create(db, "7910000000000002", 1.0)
    _save(tmp_path / "shops" / "a.yaml", shop("Shop A"))
    pages.add(db, PAGE_A, time.time(), token=TOKEN_A, name="Shop A", flows="shops/a.yaml")
    _wait(lambda: rt.pages.get(PAGE_A) is not None)
    post(app, entry(PAGE_A, "7910000000000001", "hello again", 2))
    post(app, entry(PAGE_A, "7910000000000002", "hello", 3))
    assert graph.wait_for(lambda: graph.sent_with("7910000000000002"))
    assert graph.wait_for(lambda: len(graph.sent_with("7910000000000001")) == 2)
    assert graph.sent_with("7910000000000001")[-1][0] == TOKEN_A
    assert graph.sent_with("7910000000000002")[0][0] == TOKEN_A
    assert conversations.by_psid(db, "7910000000000002")["page_id"] == PAGE_A
    db.close()


# --- the registry on its own -----------------------------------------------------------


def test_relative_flows_are_read_next_to_bot_flows(tmp_path):
    bot_flows = str(tmp_path / "flows" / "flows.yaml")
    assert resolve_flows(None, bot_flows) == bot_flows
    assert resolve_flows("shops/a.yaml", bot_flows) == str(tmp_path / "flows" / "shops" / "a.yaml")
    assert resolve_flows("/srv/b.yaml", bot_flows) == "/srv/b.yaml"


def test_profile_for_gives_the_page_s_token_and_book(deployment, bot_db, tmp_path):
    config = {"BOT_DB": bot_db, "BOT_FLOWS": str(tmp_path / "flows0.yaml"),
              "MESSENGER_PAGE_TOKEN": PAGE_TOKEN}  # fmt: skip
    (tmp_path / "flows0.yaml").write_text(DEFAULT, encoding="utf-8")
    token, book = profile_for(config, PAGE_A)
    assert token == TOKEN_A and book.settings.business["en"] == "Shop A"
    token, book = profile_for(config, "")
    assert token == PAGE_TOKEN and book.settings.business["en"] == "Default Shop"
    with pytest.raises(NotFound):
        profile_for(config, UNKNOWN)
    (tmp_path / "shops" / "b.yaml").write_text("flows: [", encoding="utf-8")
    with pytest.raises(FlowError, match="b.yaml"):
        profile_for(config, PAGE_B)


def test_a_page_on_bot_flows_follows_its_reload(deployment, graph, bot_db, tmp_path):
    db = connect(bot_db)
    migrate(db)
    pages.add(db, PAGE_C, 1.0, token=TOKEN_C, name="Shop C")  # no flows: BOT_FLOWS'
    db.close()
    app = deployment(online=False)
    rt = app.extensions["barta"]
    assert rt.pages.book(PAGE_C) is rt.book is app.config["BOOK"]
    (tmp_path / "flows0.yaml").write_text(shop("Default Renamed"), encoding="utf-8")
    assert rt.reload() is True
    assert rt.pages.book(PAGE_C) is rt.book is app.config["BOOK"]
    assert rt.pages.engine_for(PAGE_C) is rt.engine
    assert rt.pages.book(PAGE_A).settings.business["en"] == "Shop A"
    assert rt.engine.pages is rt.pages and rt.pages.engine_for(PAGE_A).pages is rt.pages
