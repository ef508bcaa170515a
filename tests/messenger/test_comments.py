"""Page comments → one private message, a public reply, hidden phone numbers (issue 15):
the fixtures of fixtures/messenger/more/ through the signed webhook, the engine and the
sender, asserted on what reaches the fake Graph API."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from bot.conversation import comments as deciding
from store import comments, conversations, outbox
from tests.conftest import Clock, envelope, post_webhook, text_event
from tests.fake_graph import COMMENTER_PSID, more_fixture

MORE = Path(__file__).resolve().parents[1] / "fixtures" / "messenger" / "more"
T0 = 1773461700  # the fixtures' comment time
COMMENT = "122145678901234567_1023456789012345"
OUR_REPLY = "122145678901234567_1034567890123456"
POST = "105511223344556_122145678901234567"
PRIVATE_BN = "আসসালামু আলাইকুম আপু! লাল কাতান শাড়িটার দাম ২,৮৫০ টাকা। কোন রঙ লাগবে?"
REPLIES_BN = ["ইনবক্সে জানিয়েছি 😊", "ইনবক্স চেক করুন প্লিজ 🙏"]

FLOWS = f"""
settings:
  business: {{bn: "রংধনু", en: "Rongdhonu"}}
  languages: [bn, en]
flows:
  welcome:
    start_on: [first_message]
    steps:
      - ask: {{bn: "কী খুঁজছেন?", en: "What are you looking for?"}}
        id: need
  katan:
    steps:
      - ask: {{bn: "কোন রঙ আর কয়টি লাগবে?", en: "Which colour, and how many?"}}
        id: colour
comments:
  - match: [price, dam, দাম, koto, inbox, ইনবক্স]
    posts: [all]
    reply: {{bn: {json.dumps(REPLIES_BN, ensure_ascii=False)}, en: ["Sent you a message 😊"]}}
    private: {{bn: "{PRIVATE_BN}", en: "Hello! The red katan saree is Tk 2,850."}}
    flow: katan
    hide_phone: true
"""


def load(name: str) -> dict:
    return json.loads((MORE / f"{name}.json").read_text("utf-8"))


@pytest.fixture
def shop(make_app, graph):
    clock = Clock(T0 + 60)
    app = make_app(FLOWS, CLOCK=clock)
    return app, app.extensions["barta"], clock, graph


def post(app, body: dict) -> None:
    assert post_webhook(app.test_client(), body).status_code == 200


def run(rt) -> None:
    """The engine, then the sender, until nothing is due (in this thread)."""
    for _ in range(5):
        rt.drain()
        db = rt.db()
        keys = outbox.due_psids(db, rt.sender.clock())
        if not keys:
            return
        for key in keys:
            rt.sender.deliver(key)


def test_a_customer_comment_gets_one_private_reply_and_a_public_reply(shop):
    app, rt, clock, graph = shop
    post(app, load("feed_comment_add_customer"))
    run(rt)
    private = graph.private_replies()
    assert len(private) == 1
    assert private[0]["path"] == "/v25.0/me/messages"
    assert private[0]["body"]["recipient"] == {"comment_id": COMMENT}
    assert private[0]["body"]["message"]["text"] == PRIVATE_BN  # the comment is Bangla
    assert "messaging_type" not in private[0]["body"]  # a private reply is its own entry
    public = graph.comment_calls("comments")
    assert len(public) == 1
    assert public[0]["path"] == f"/v25.0/{COMMENT}/comments"
    assert public[0]["body"]["message"] in REPLIES_BN
    assert not graph.comment_calls("hide")  # no phone number in it
    row = comments.get(rt.db(), COMMENT)
    assert row["status"] == "replied" and row["psid"] == COMMENTER_PSID
    assert row["post_id"] == POST and row["public_reply_id"]


def test_redelivered_edited_and_our_own_reply_bring_no_second_reply(shop):
    app, rt, clock, graph = shop
    post(app, load("feed_comment_add_customer"))
    run(rt)
    post(app, load("feed_comment_add_customer"))  # Meta redelivers
    post(app, load("feed_comment_edited"))
    page_own = load("feed_comment_add_by_page")  # our public reply comes back as a comment
    post(app, page_own)
    clock.advance(60)
    run(rt)
    assert len(graph.private_replies()) == 1
    assert len(graph.comment_calls("comments")) == 1
    assert comments.get(rt.db(), COMMENT)["text"] == "দাম কত? লাল রঙটা কি আছে?"
    assert comments.get(rt.db(), OUR_REPLY)["status"] == "own"


def test_the_pages_own_comment_gets_nothing(shop):
    app, rt, clock, graph = shop
    own = load("feed_comment_add_by_page")
    own["entry"][0]["changes"][0]["value"]["message"] = "দাম কত? ইনবক্স দেখুন"  # matches words
    post(app, own)
    run(rt)
    assert graph.private_replies() == [] and graph.comment_calls("comments") == []
    assert outbox.due_psids(rt.db(), clock()) == []


def test_a_removed_comment_cancels_what_was_not_sent(shop):
    app, rt, clock, graph = shop
    post(app, load("feed_comment_add_customer"))
    post(app, load("feed_comment_removed"))
    rt.drain()
    run(rt)
    assert graph.private_replies() == [] and graph.comment_calls("comments") == []
    assert comments.get(rt.db(), COMMENT)["status"] == "deleted"


def test_never_after_seven_days(shop):
    app, rt, clock, graph = shop
    clock.advance(7 * 86400)
    post(app, load("feed_comment_add_customer"))
    run(rt)
    assert graph.private_replies() == []
    assert comments.get(rt.db(), COMMENT)["reason"] == "too_old"


def test_a_comment_no_rule_fits_gets_nothing(shop):
    app, rt, clock, graph = shop
    body = load("feed_comment_add_customer")
    body["entry"][0]["changes"][0]["value"]["message"] = "খুব সুন্দর শাড়ি ❤️"
    post(app, body)
    run(rt)
    assert graph.private_replies() == []
    assert comments.get(rt.db(), COMMENT)["reason"] == "no_rule"


def test_already_replied_10900_is_recorded_not_retried(shop):
    app, rt, clock, graph = shop
    graph.refuse_comment(COMMENT, more_fixture("private_reply_error_already_replied_10900"))
    post(app, load("feed_comment_add_customer"))
    run(rt)
    clock.advance(3600)
    run(rt)
    assert len(graph.private_replies()) == 1  # one try, no retry
    db = rt.db()
    row = db.execute(
        "SELECT status, error_code FROM outbox WHERE kind = 'private_reply'"
    ).fetchone()
    assert row == ("failed", 10900)
    assert comments.get(db, COMMENT)["status"] == "failed"
    assert len(graph.comment_calls("comments")) == 1  # the public reply still goes


def test_a_comment_with_a_phone_number_is_hidden(shop):
    app, rt, clock, graph = shop
    body = load("feed_comment_add_customer")
    body["entry"][0]["changes"][0]["value"]["message"] = "দাম কত? আমার নম্বর ০১৭১১-২২৩৩৪৪"
    post(app, body)
    run(rt)
    hides = graph.comment_calls("hide")
    assert [h["path"] for h in hides] == [f"/v25.0/{COMMENT}"]
    assert hides[0]["body"] == {"is_hidden": True}
    assert len(graph.private_replies()) == 1
    assert graph.comment_calls("comments") == []  # no public answer under a hidden comment


def test_the_answer_runs_the_rules_flow_with_the_source_on_the_lead(shop):
    app, rt, clock, graph = shop
    post(app, load("feed_comment_add_customer"))
    run(rt)
    db = rt.db()
    conv = conversations.by_psid(db, COMMENTER_PSID)
    assert conv["source"]["type"] == "comment"
    assert conv["source"]["post_id"] == POST and conv["source"]["comment_id"] == COMMENT
    assert conv["source"]["comment"] == "দাম কত? ইনবক্স করেন প্লিজ"
    log = db.execute(
        "SELECT direction, text, data FROM messages WHERE conversation_id = ? ORDER BY id",
        (conv["id"],),
    ).fetchall()
    assert log[0][:2] == ("in", "দাম কত? ইনবক্স করেন প্লিজ")  # the comment shows
    assert log[1][:2] == ("out", PRIVATE_BN)  # the private reply
    assert json.loads(log[2][2]) == {"public_reply": COMMENT}  # and the public one
    clock.advance(120)
    post(app, envelope(text_event(COMMENTER_PSID, "লালটা ২টা লাগবে")))
    run(rt)
    assert graph.texts(COMMENTER_PSID) == ["কোন রঙ আর কয়টি লাগবে?"]  # katan, not welcome
    conv = conversations.by_psid(db, COMMENTER_PSID)
    assert conv["flow"] == "katan" and conv["source"]["comment_id"] == COMMENT


def test_public_reply_variants_are_picked_at_random():
    from bot.book.compiler import book_from_string

    book = book_from_string(FLOWS)
    assert book.comments[0].reply["bn"] == tuple(REPLIES_BN)
    seen = {deciding._variants(book.comments[0], "bn", "bn")[i] for i in (0, 1)}
    assert seen == set(REPLIES_BN)
    picks = {random.Random(seed).choice(REPLIES_BN) for seed in range(20)}
    assert picks == set(REPLIES_BN)


def test_phone_numbers_in_bangla_and_latin_digits():
    assert deciding.has_phone("০১৭১১২২৩৩৪৪")
    assert deciding.has_phone("call +88 01711-223344")
    assert not deciding.has_phone("দাম ২,৪৫০ টাকা")
    assert not deciding.has_phone(None)


def test_setup_page_subscribes_the_page_to_feed_and_names_the_permissions(
    tmp_path, monkeypatch, graph
):
    from click.testing import CliRunner

    from bot.cli import cli
    from tests.conftest import PAGE_TOKEN

    monkeypatch.chdir(tmp_path)  # no developer's .env
    flows = tmp_path / "flows.yaml"
    flows.write_text(FLOWS, encoding="utf-8")
    env = {"BOT_FLOWS": str(flows), "GRAPH_API_URL": graph.url, "MESSENGER_PAGE_TOKEN": PAGE_TOKEN}
    result = CliRunner().invoke(cli, ["setup-page"], env=env)
    assert result.exit_code == 0, result.output
    paths = [r["path"] for r in graph.requests]
    assert paths == ["/v25.0/me/messenger_profile", "/v25.0/me/subscribed_apps"]
    assert "Subscribed: messages," in result.output and ",feed (ok)" in result.output
    assert "pages_manage_engagement" in result.output  # public replies and hiding
    assert "pages_messaging" in result.output


def test_stats_and_leads_by_channel_and_by_post(shop):
    from store import leads

    app, rt, clock, graph = shop
    post(app, load("feed_comment_add_customer"))
    run(rt)
    clock.advance(120)
    post(app, envelope(text_event(COMMENTER_PSID, "লালটা ২টা লাগবে")))
    run(rt)
    post(app, load_ig := json.loads((MORE / "ig_text_message.json").read_text("utf-8")))
    assert load_ig["object"] == "instagram"
    run(rt)
    db = rt.db()
    conv = conversations.by_psid(db, COMMENTER_PSID)
    rt.engine.move_stage(db, conv["id"], "converted", "owner")
    s = leads.stats(db, [st.id for st in rt.book.stages])
    assert s["channels"]["messenger"]["leads"] == 1
    assert s["channels"]["instagram"]["leads"] == 1
    assert s["posts"][POST]["leads"] == 1 and s["posts"][POST]["converted"] == 1
    assert s["sources"]["comment"] == 1
    assert [r["psid"] for r in leads.search(db, channel="instagram")] == ["1459876543210987"]
    assert [r["psid"] for r in leads.search(db, source="comment")] == [COMMENTER_PSID]
    assert comments.by_post(db)[0]["converted"] == 1


def test_the_workspace_shows_the_comment_and_the_channel(shop):
    from store import staff as accounts

    app, rt, clock, graph = shop
    post(app, load("feed_comment_add_customer"))
    run(rt)
    post(app, json.loads((MORE / "ig_story_mention.json").read_text("utf-8")))
    run(rt)
    db = rt.db()
    accounts.create(db, "rina", "owner", "a-long-password-1", rt.clock())
    client = app.test_client()
    login = client.post("/staff/login", data={"name": "rina", "password": "a-long-password-1"})
    assert login.status_code == 302
    conv = conversations.by_psid(db, COMMENTER_PSID)
    page = client.get(f"/staff/c/{conv['id']}").get_data(as_text=True)
    assert "দাম কত? ইনবক্স করেন প্লিজ" in page and PRIVATE_BN in page
    assert "pfbid02FakeBartaFixturePermalinkRedKatan7xQ" in page  # a link to the post
    queue_page = client.get("/staff/queue").get_data(as_text=True)
    assert "Instagram" in queue_page  # the story mention waits for staff, from Instagram
    leads_page = client.get("/staff/leads", query_string={"channel": "instagram"})
    assert leads_page.status_code == 200
    ig = conversations.by_psid(db, "1459876543210987")
    rows = leads_page.get_data(as_text=True)
    assert f"/staff/c/{ig['id']}" in rows  # the Instagram lead, by its link (never a raw id)
    assert f'/staff/c/{conv["id"]}"' not in rows  # not the Facebook commenter
