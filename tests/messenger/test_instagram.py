"""Instagram through the Messenger Platform (issue 15): DMs run the same flows and reach the
IGSID, echoes are ours and answered by nobody, story replies and mentions reach staff,
comments get a private reply; texts fit Instagram's 1000 bytes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.messenger import bodies, policy
from bot.messenger.events import parse_body
from store import conversations, outbox, queue
from store.db import write_tx
from tests.conftest import Clock, post_webhook
from tests.messenger.test_comments import FLOWS, T0, run

MORE = Path(__file__).resolve().parents[1] / "fixtures" / "messenger" / "more"
IGSID = "1459876543210987"
IG_COMMENT = "17987654321098765"


def load(name: str) -> dict:
    return json.loads((MORE / f"{name}.json").read_text("utf-8"))


@pytest.fixture
def shop(make_app, graph):
    clock = Clock(T0 + 60)
    app = make_app(FLOWS, CLOCK=clock)
    return app, app.extensions["barta"], clock, graph


def post(app, body: dict) -> None:
    assert post_webhook(app.test_client(), body).status_code == 200


def test_an_instagram_dm_is_answered_to_the_igsid_on_an_instagram_conversation(shop):
    app, rt, clock, graph = shop
    post(app, load("ig_text_message"))
    run(rt)
    assert graph.texts(IGSID) == ["কী খুঁজছেন?"]  # the welcome of the same flows
    conv = conversations.by_psid(rt.db(), IGSID)
    assert conv["channel"] == "instagram"


def test_an_instagram_echo_is_recorded_and_never_answered(shop):
    app, rt, clock, graph = shop
    post(app, load("ig_text_message"))
    run(rt)
    post(app, load("ig_echo"))  # a person answered from Instagram's own inbox
    run(rt)
    assert graph.texts(IGSID) == ["কী খুঁজছেন?"]
    db = rt.db()
    conv = conversations.by_psid(db, IGSID)
    last = db.execute(
        "SELECT direction, sender, text FROM messages WHERE conversation_id = ? ORDER BY id DESC",
        (conv["id"],),
    ).fetchone()
    assert last == ("out", "page", "জি আপু, থ্রি-পিসটার দাম ১,৯৫০ টাকা।")


def test_a_story_reply_is_answered_and_shows_the_story(shop):
    app, rt, clock, graph = shop
    post(app, load("ig_story_reply"))
    run(rt)
    assert len(graph.texts(IGSID)) == 1
    db = rt.db()
    conv = conversations.by_psid(db, IGSID)
    text, data = db.execute(
        "SELECT text, data FROM messages WHERE conversation_id = ? AND direction = 'in'",
        (conv["id"],),
    ).fetchone()
    assert text == "এটা কি স্টকে আছে?"
    story = json.loads(data)["attachments"][0]
    assert story["type"] == "story_reply" and story["url"].startswith("https://lookaside")


def test_a_story_mention_goes_to_staff(shop):
    app, rt, clock, graph = shop
    post(app, load("ig_story_mention"))
    run(rt)
    db = rt.db()
    conv = conversations.by_psid(db, IGSID)
    item = queue.open_for(db, conv["id"])
    assert item is not None  # a person looks at the story that mentions the shop
    data = db.execute(
        "SELECT data FROM messages WHERE conversation_id = ? AND direction = 'in'", (conv["id"],)
    ).fetchone()[0]
    assert json.loads(data)["attachments"][0]["type"] == "story_mention"


@pytest.mark.parametrize("fixture", ["ig_comment_changes", "ig_comment_flat_ig_login_doc"])
def test_an_instagram_comment_gets_a_private_reply_to_the_igsid(shop, fixture):
    app, rt, clock, graph = shop
    graph.commenters[IG_COMMENT] = IGSID  # Instagram answers with the IGSID
    post(app, load(fixture))
    run(rt)
    private = graph.private_replies()
    assert len(private) == 1 and private[0]["body"]["recipient"] == {"comment_id": IG_COMMENT}
    public = graph.comment_calls("replies")  # Instagram: /<comment id>/replies
    assert [p["path"] for p in public] == [f"/v25.0/{IG_COMMENT}/replies"]
    conv = conversations.by_psid(rt.db(), IGSID)
    assert conv["channel"] == "instagram"
    assert conv["source"]["post_id"] == "17912345678901234"


def test_both_instagram_comment_shapes_are_one_comment(shop):
    app, rt, clock, graph = shop
    post(app, load("ig_comment_changes"))
    post(app, load("ig_comment_flat_ig_login_doc"))  # the same comment, the other shape
    run(rt)
    assert len(graph.private_replies()) == 1


def test_parsing_keeps_the_channel():
    events, skipped = parse_body(load("ig_text_message"))
    assert [(e.kind, e.psid, e.channel) for e in events] == [("message", IGSID, "instagram")]
    assert skipped == []


def test_instagram_texts_are_cut_in_bytes_and_keep_their_quick_replies():
    text = "আ" * 700  # 2100 bytes
    body = bodies.message(
        {"text": text, "quick_replies": [
            {"content_type": "text", "title": "হ্যাঁ", "payload": "x:yes"},
            {"content_type": "user_phone_number"},
        ]}
    )  # fmt: skip
    parts = bodies.for_instagram(body)
    assert len(parts) == 3
    assert all(policy.utf8_len(p["message"]["text"]) <= policy.IG_TEXT_BYTES for p in parts)
    assert "".join(p["message"]["text"] for p in parts) == text
    assert parts[-1]["message"]["quick_replies"] == [
        {"content_type": "text", "title": "হ্যাঁ", "payload": "x:yes"}
    ]
    assert "quick_replies" not in parts[0]["message"]


def test_a_long_bangla_reply_reaches_instagram_in_parts(shop):
    app, rt, clock, graph = shop
    post(app, load("ig_text_message"))
    rt.drain()
    db = rt.db()
    conv = conversations.by_psid(db, IGSID)
    db.execute("DELETE FROM outbox")
    with write_tx(db):
        outbox.enqueue(db, conv["id"], IGSID, bodies.message({"text": "ক " * 600}), clock())
    run(rt)
    sent = graph.texts(IGSID)
    assert len(sent) == 3  # 2400 bytes: 1200 letters and spaces, 4 bytes a pair
    assert all(policy.utf8_len(t) <= policy.IG_TEXT_BYTES for t in sent)
