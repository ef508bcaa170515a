"""One model of human takeover, through the signed webhook: Page-inbox echoes, handover and
standby events, the silent bot while a handoff is open, and the sale that starts again."""

from __future__ import annotations

import pytest

from store import conversations, queue
from tests.conftest import Clock, envelope, fixture_bytes, post_webhook, text_event

PSID = "7012345678901234"  # the customer of the Meta fixtures
NEED_BN = "কোন পণ্যটি খুঁজছেন?"
HUMAN_BN = "মানুষের সাথে কথা বলতে চাই"
THANKS_BN = "অর্ডারের জন্য ধন্যবাদ!"  # converted's on_enter in tests/flows/conversation.yaml
HOUR = 3600.0


@pytest.fixture
def timed(make_app):
    """An app on a hand-moved clock."""
    clock = Clock()
    app = make_app(CLOCK=clock)
    return app, clock


def held(c) -> dict | None:
    return queue.open_for(c.runtime.db(), c.conversation()["id"])


def deliver(c, name: str) -> None:
    assert post_webhook(c.client, fixture_bytes(name)).status_code == 200
    c.runtime.drain()


def test_a_page_inbox_echo_then_a_customer_message_waits_for_the_page_inbox(customer):
    c = customer(PSID)
    c.postback("GET_STARTED")
    c.replies()
    deliver(c, "echo_page_inbox_human.json")
    h = held(c)
    assert h["status"] == "claimed" and h["claimed_by"] == "page_inbox"
    assert h["first_response_at"] is not None  # the human reply counts in the stats
    assert h["unread"] == 0
    assert c.conversation()["bot_paused"] == 1
    assert c.taps("need:saree", "শাড়ি") == []  # one voice: no bot re-ask under the human
    h = held(c)
    assert h["unread"] == 1 and h["last_message"] == "শাড়ি"
    [item] = queue.waiting(c.runtime.db(), c.runtime.clock())
    assert item["unread"] is True and item["last_message"] == "শাড়ি"
    assert item["channel"] == "messenger" and item["picture"] is None
    senders = [m["sender"] for m in conversations.messages(c.runtime.db(), h["conversation_id"])]
    assert "page" in senders and senders[-1] == "customer"


def test_an_echo_keeps_a_claim_a_staff_member_holds(app, customer):
    c = customer(PSID)
    c.says(HUMAN_BN)
    h = held(c)
    db = c.runtime.db()
    with db.conn:
        queue.claim(db, h["id"], "rina", c.runtime.clock())
    deliver(c, "echo_page_inbox_human.json")
    assert held(c)["claimed_by"] == "rina"


def test_standby_messages_are_logged_and_wait_unread_never_answered(customer):
    c = customer(PSID)
    c.postback("GET_STARTED")
    c.replies()
    deliver(c, "standby_while_inbox_owns_thread.json")
    assert c.replies() == []
    h = held(c)
    # the customer's message, then the inbox's answer to it: held, previewed, and read
    assert h["claimed_by"] == "page_inbox" and h["first_response_at"] is not None
    assert h["last_message"] == "ধন্যবাদ, তাহলে অর্ডার করবো" and h["unread"] == 0
    texts = [m["text"] for m in conversations.messages(c.runtime.db(), h["conversation_id"])]
    assert "ধন্যবাদ, তাহলে অর্ডার করবো" in texts


def test_take_thread_control_holds_the_lead_and_pass_gives_it_back(customer):
    c = customer(PSID)
    c.postback("GET_STARTED")  # the need question is pending
    c.replies()
    deliver(c, "handover_take_thread_control_from_us.json")
    h = held(c)
    assert h["claimed_by"] == "page_inbox" and c.conversation()["bot_paused"] == 1
    assert c.says("আছেন?") == []
    deliver(c, "handover_pass_thread_control_to_us.json")
    assert held(c) is None
    assert queue.get(c.runtime.db(), h["id"])["status"] == "released"
    assert c.conversation()["bot_paused"] == 0
    assert c.replies() == [NEED_BN]  # the pending question again
    assert c.taps("need:saree", "শাড়ি") == ["আপনার বাজেট কত টাকা?"]


def test_every_customer_message_on_an_open_handoff_marks_it_unread_and_moves_it_up(customer):
    a, b = customer("7011"), customer("7022")
    a.says(HUMAN_BN)
    b.says(HUMAN_BN)
    rt = a.runtime
    db = rt.db()
    assert [i["psid"] for i in queue.waiting(db, rt.clock())] == ["7011", "7022"]
    with db.conn:
        for c in (a, b):
            queue.mark_read(db, c.conversation()["id"])
    assert [i["unread"] for i in queue.waiting(db, rt.clock())] == [False, False]
    assert b.says("কেউ আছেন?") == []  # the bot is silent while the handoff is open
    items = queue.waiting(db, rt.clock())
    assert [i["psid"] for i in items] == ["7022", "7011"]
    assert items[0]["unread"] is True and items[0]["last_message"] == "কেউ আছেন?"


def test_a_paused_lead_with_nobody_responsible_goes_to_the_queue(customer):
    c = customer(PSID)
    c.postback("GET_STARTED")
    c.replies()
    db = c.runtime.db()
    with db.conn:  # an older database: paused by a resolve that left nobody
        db.execute("UPDATE conversations SET bot_paused = 1")
    assert c.says("জামদানিটাই নেব") == []
    h = held(c)
    assert h["status"] == "waiting" and h["reason"] == "paused" and h["unread"] == 1


def test_post_sales_starts_a_new_purchase_and_orders_are_counted(customer):
    c = customer(PSID)
    c.postback("GET_STARTED")
    rt = c.runtime
    cid = c.conversation()["id"]
    for stage in ("converted", "post_sales", "new", "qualified", "converted", "post_sales",
                  "qualified", "converted"):  # fmt: skip
        rt.engine.move_stage(rt.db(), cid, stage, "rina")
    conv = c.conversation()
    assert conv["stage"] == "converted" and conv["orders"] == 3
    history = conversations.stage_history(rt.db(), cid)
    assert [h["to"] for h in history][-3:] == ["post_sales", "qualified", "converted"]
    assert len(history) == 8  # nothing is forgotten


def test_a_stage_message_outside_the_window_is_shown_as_not_sent(timed, customer):
    app, clock = timed
    c = customer(PSID, target_app=app)
    c.says(HUMAN_BN)
    c.replies()
    clock.advance(25 * HOUR)
    rt = c.runtime
    conv = c.conversation()
    rt.engine.move_stage(rt.db(), conv["id"], "converted", "rina")
    assert c.replies() == []  # Messenger allows no bot message now
    conv = c.conversation()
    assert conv["window_note"] == "window_closed" and conv["orders"] == 1
    last = conversations.messages(rt.db(), conv["id"])[-1]
    assert last["text"] == THANKS_BN and last["data"]["not_sent"] == "window_closed"
    assert last["delivery"] is None
    [item] = queue.waiting(rt.db(), rt.clock())
    assert item["window_note"] == "window_closed"


def test_a_stage_message_inside_the_window_goes(customer):
    c = customer(PSID)
    c.says("হ্যালো")
    c.replies()
    rt = c.runtime
    rt.engine.move_stage(rt.db(), c.conversation()["id"], "converted", "rina")
    assert c.replies() == [THANKS_BN]
    assert c.conversation()["window_note"] is None


def test_a_follow_up_the_window_refuses_is_logged_as_not_sent(make_app, customer):
    from tests.conversation.test_scheduler import ONE_RULE

    clock = Clock()
    app = make_app(ONE_RULE, CLOCK=clock)
    c = customer(PSID, target_app=app)
    c.says("হ্যালো")
    clock.advance(25 * HOUR)  # the scheduler was down all that time
    rt = c.runtime
    assert rt.scheduler.tick() == []
    conv = c.conversation()
    assert conv["window_note"] == "window_closed"
    last = conversations.messages(rt.db(), conv["id"])[-1]
    assert last["data"]["not_sent"] == "window_closed" and "followup" in last["data"]
    assert last["text"] == "আপনি কি এখনও আগ্রহী?" and last["delivery"] is None


def test_the_signed_webhook_batch_of_echo_and_message_keeps_one_voice(customer):
    c = customer(PSID)
    c.postback("GET_STARTED")
    c.replies()
    echo = {
        "sender": {"id": "105511223344556"},
        "recipient": {"id": PSID},
        "timestamp": 1,
        "message": {"mid": "m_inbox_1", "is_echo": True, "app_id": 263902037430900,
                    "text": "জি, বলুন"},
    }  # fmt: skip
    resp = post_webhook(c.client, envelope(echo, text_event(PSID, "লাল শাড়িটা আছে?")))
    assert resp.status_code == 200
    c.runtime.drain()
    assert c.replies() == []
    h = held(c)
    assert h["claimed_by"] == "page_inbox" and h["unread"] == 1
