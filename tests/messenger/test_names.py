"""Customers' names and pictures (issue 10, item 2), through the signed webhook, the names
worker and the fake Graph API: the User Profile API where it answers, the Page's
conversation participants where it refuses, nothing when both fail — and never a reply
that waits for any of it."""

from __future__ import annotations

import time

import pytest

from store import conversations, pictures, queue
from tests.conftest import Clock, envelope, post_webhook, text_event
from tests.fake_graph import PNG

PSID = "7012345678901234"  # the psid of user_profile_responses.json
DAY = 86400.0

FLOWS = """
settings:
  business: {bn: "রংধনু", en: "Rongdhonu"}
  languages: [bn, en]
flows:
  welcome:
    start_on: [first_message]
    steps:
      - say: {bn: "আসসালামু আলাইকুম {first_name}!", en: "Hello {first_name}, welcome!"}
      - ask: {bn: "কী খুঁজছেন?", en: "What are you looking for?"}
        id: need
"""


@pytest.fixture
def shop(make_app, graph):
    clock = Clock()
    app = make_app(FLOWS, CLOCK=clock)
    rt = app.extensions["barta"]
    rt.names.gap = 0  # no pause between participants calls in tests
    return app, rt, clock, graph


def write(app, psid: str, text: str = "সালাম") -> None:
    assert post_webhook(app.test_client(), envelope(text_event(psid, text))).status_code == 200
    app.extensions["barta"].drain()


def conv(rt, psid: str = PSID) -> dict:
    return conversations.by_psid(rt.db(), psid)


def first_reply(rt, psid: str = PSID) -> str:
    row = rt.db().execute("SELECT body FROM outbox WHERE psid = ? ORDER BY id", (psid,)).fetchone()
    import json

    return json.loads(row[0])["message"]["text"]


def test_the_profile_api_gives_the_name_and_picture(shop):
    app, rt, clock, graph = shop
    graph.profile_is(PSID, "ok_basic_fields")
    write(app, PSID)
    assert conv(rt)["name"] is None  # the reply did not wait for the look-up
    assert first_reply(rt).startswith("আসসালামু আলাইকুম!")  # no name gap
    assert rt.names.work(rt.db()) == 1
    c = conv(rt)
    # the picture is kept as bytes (Meta's link expires), served by the workspace
    assert c["name"] == "Rahima Akter" and c["picture"] == f"/staff/c/{c['id']}/picture"
    assert pictures.get(rt.db(), c["id"])["data"] == PNG
    assert c["name_source"] == "profile"
    [lookup] = graph.lookups
    assert lookup["path"] == f"/v25.0/{PSID}"
    assert lookup["query"] == {"fields": "first_name,last_name,profile_pic"}


@pytest.mark.parametrize(
    "case", ["feature_missing_100_33", "no_access_empty_object", "phone_number_account_2018218"]
)
def test_a_refused_profile_falls_back_to_the_participants(shop, case):
    app, rt, clock, graph = shop
    graph.profile_is(PSID, case)
    graph.participant_is(PSID, "Rahima Akter")
    write(app, PSID)
    rt.names.work(rt.db())
    c = conv(rt)
    assert c["name"] == "Rahima Akter" and c["picture"] is None
    assert c["name_source"] == "participants"
    paths = [x["path"] for x in graph.lookups]
    assert paths == [f"/v25.0/{PSID}", "/v25.0/me/conversations"]
    assert graph.lookups[1]["query"] == {
        "platform": "messenger",
        "user_id": PSID,
        "fields": "participants",
    }


def test_when_the_app_lacks_the_feature_later_customers_go_straight_to_participants(shop):
    app, rt, clock, graph = shop
    other = "7099999999999999"
    graph.participant_is(PSID, "Rahima Akter")
    graph.participant_is(other, "Karim Uddin")
    write(app, PSID)
    rt.names.work(rt.db())  # the profile API refuses 100/33 (the fake's default)
    write(app, other)
    rt.names.work(rt.db())
    assert conv(rt, other)["name"] == "Karim Uddin"
    assert [x["path"] for x in graph.lookups].count(f"/v25.0/{other}") == 0


def test_both_failing_leaves_no_name_and_tries_again_a_day_later(shop):
    app, rt, clock, graph = shop
    graph.participant_is(PSID, None, status=403)
    write(app, PSID)
    assert first_reply(rt) == "আসসালামু আলাইকুম!\n\nকী খুঁজছেন?"
    rt.names.work(rt.db())
    c = conv(rt)
    assert c["name"] is None and c["name_checked_at"] == clock()
    error = rt.db().execute("SELECT name_error FROM conversations").fetchone()[0]
    assert "profile" in error and "participants" in error
    n = len(graph.lookups)
    clock.advance(3600)
    write(app, PSID, "শাড়ি")
    assert rt.names.work(rt.db()) == 0 and len(graph.lookups) == n  # not before a day
    clock.advance(DAY)
    graph.participant_is(PSID, "Rahima Akter")
    write(app, PSID, "আর কিছু")
    assert rt.names.work(rt.db()) == 1
    assert conv(rt)["name"] == "Rahima Akter"


def test_a_name_is_refreshed_at_most_daily_and_only_when_the_customer_wrote(shop):
    app, rt, clock, graph = shop
    graph.profile_is(PSID, "ok_basic_fields")
    write(app, PSID)
    rt.names.work(rt.db())
    clock.advance(2 * DAY)
    assert rt.names.work(rt.db()) == 0  # silent customer: nothing to refresh
    write(app, PSID, "শাড়ি")
    assert rt.names.work(rt.db()) == 1
    clock.advance(60)
    write(app, PSID, "আর কিছু")
    assert rt.names.work(rt.db()) == 0
    assert len(graph.lookups) == 2


def test_a_slow_profile_api_never_delays_the_reply(make_app, graph):
    graph.lookup_delay = 3.0
    app = make_app(FLOWS, start=True)
    assert post_webhook(app.test_client(), envelope(text_event(PSID, "hello"))).status_code == 200
    started = time.monotonic()
    assert graph.wait_for(lambda: graph.texts(PSID), timeout=2.5)
    assert time.monotonic() - started < 2.5
    assert graph.wait_for(lambda: graph.lookups, timeout=10)  # the worker did ask


def test_receipts_and_reactions_of_strangers_wake_no_look_up(shop):
    app, rt, clock, graph = shop
    read = {"sender": {"id": "7055555555555555"}, "recipient": {"id": "1"},
            "timestamp": 1, "read": {"watermark": 1}}  # fmt: skip
    assert post_webhook(app.test_client(), envelope(read)).status_code == 200
    rt.drain()
    assert rt.names.work(rt.db()) == 0 and graph.lookups == []


def test_first_name_fills_texts_once_known(shop):
    app, rt, clock, graph = shop
    db = rt.db()
    write(app, PSID)
    with db.conn:
        conversations.set_name(db, conv(rt)["id"], "Rahima Akter", clock(), source="staff")
    from bot.conversation.render import render
    from bot.conversation.turn import Turn

    t = Turn.from_conversation(
        conv(rt), language="bn", now=None, labels=[], can_move=lambda a, b: True
    )
    assert render(rt.book, t, {"bn": "আসসালামু আলাইকুম {first_name}!"}) == "আসসালামু আলাইকুম Rahima!"
    t.first_name = ""
    assert render(rt.book, t, {"bn": "Hi {first_name}, welcome"}) == "Hi, welcome"
    assert queue.waiting(db, clock()) == []
