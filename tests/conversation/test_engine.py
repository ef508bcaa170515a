"""Whole conversations through the signed webhook and the engine, against
tests/flows/conversation.yaml: exact replies, saved answers, score, stage and queue."""

from __future__ import annotations

import json
import time

import pytest

from bot.errors import StageError
from store import conversations, queue

WELCOME_BN = "আসসালামু আলাইকুম! টেস্ট শপ-এ স্বাগতম।"
NEED_BN = "কোন পণ্যটি খুঁজছেন?"
BUDGET_BN = "আপনার বাজেট কত টাকা?"
PHONE_BN = "আপনার মোবাইল নম্বরটি দিন"
PRICE_BN = "শাড়ির দাম ১,৫০০ থেকে ৮,০০০ টাকা।"


def one(*parts: str) -> str:
    """Texts the bot says in a row, sent as one message with the question after them."""
    return "\n\n".join(parts)


def stage_changes(app, conv_id):
    return conversations.stage_history(app.extensions["barta"].db(), conv_id)


def open_queue(app):
    runtime = app.extensions["barta"]
    return queue.waiting(runtime.db(), runtime.clock())


def test_bangla_customer_qualifies_and_is_handed_to_the_queue(app, customer):
    c = customer()
    assert c.postback("GET_STARTED") == [one(WELCOME_BN, NEED_BN)]
    assert c.quick_replies() == ["শাড়ি", "কুর্তি", "অন্য কিছু"]
    assert c.taps("need:saree", "শাড়ি") == [BUDGET_BN]
    assert c.says("৬,০০০ টাকা") == [PHONE_BN]
    assert c.says("+৮৮০ ১৭১১-২২৩৩৪৪") == ["ধন্যবাদ! আমাদের একজন প্রতিনিধি এখনই কথা বলবেন।"]
    conv = c.conversation()
    assert conv["language"] == "bn"
    assert conv["answers"] == {"need": "saree", "budget": 6000, "phone": "01711223344"}
    assert conv["score"] == 50
    assert conv["stage"] == "qualified"
    assert conv["bot_paused"] == 1
    [item] = open_queue(app)
    assert (item["conversation_id"], item["reason"], item["status"]) == (
        conv["id"],
        "welcome",
        "waiting",
    )
    assert item["answers"]["phone"] == "01711223344"
    [change] = stage_changes(app, conv["id"])
    assert (change["from"], change["to"], change["cause"]) == ("new", "qualified", "flow welcome")
    # the bot is silent while a human holds the conversation
    assert c.says("হ্যালো? কেউ আছেন?") == []
    history = conversations.messages(app.extensions["barta"].db(), conv["id"])
    assert history[-1]["text"] == "হ্যালো? কেউ আছেন?"
    assert history[-1]["sender"] == "customer"


def test_english_customer_gets_the_catalog_and_orders(app, customer):
    c = customer("7023456789012345")
    assert c.says("Hi, I would like to buy something") == [
        "Hello! Welcome to Test Shop.\n\nWhat are you looking for?"
    ]
    assert c.quick_replies() == ["Saree", "Kurti", "Something else"]
    assert c.says("something else") == ["What is your budget in Taka?"]
    assert c.says("about 1.5k") == ["Your mobile number, please"]
    replies = c.says("01711-223344")
    assert replies == ["Here are some of our sarees:", "[generic]", "Did you like any?"]
    cards = c.outbox()[-2]["message"]["attachment"]["payload"]["elements"]
    assert cards[0]["title"] == "Red katan"
    assert cards[0]["subtitle"] == "Tk 4,500 · Delivery in 2 days"
    assert cards[0]["buttons"] == [{"type": "postback", "title": "Order", "payload": "FLOW:order"}]
    conv = c.conversation()
    assert (conv["stage"], conv["score"]) == ("proposal", 15)
    assert c.quick_replies() == ["Yes", "No"]
    assert c.says("yes") == ["When do you want delivery?"]
    assert c.says("tomorrow") == ["Your email (or 'skip')"]
    day = time.gmtime(time.time() + 6 * 3600 + 86400)  # tomorrow in Dhaka
    tomorrow = time.strftime("%Y-%m-%d", day)
    shown = f"{day.tm_mday} {time.strftime('%B', day)}"  # 30 November: no year this year
    if day.tm_year != time.gmtime(time.time() + 6 * 3600).tm_year:
        shown += f" {day.tm_year}"
    assert c.says("skip") == [f"Thanks! We will deliver on {shown}."]
    conv = c.conversation()
    assert conv["answers"]["when"] == tomorrow
    assert conv["answers"]["email"] is None
    assert conversations.labels(app.extensions["barta"].db(), conv["id"]) == ["order_started"]
    assert conv["flow"] is None and conv["step"] is None


def test_a_card_button_starts_its_flow(app, customer):
    c = customer("7023456789012345")
    c.says("Hello there, I need a saree")
    c.says("3")
    c.says("1000")
    c.says("01711223344")
    assert c.postback("FLOW:order", title="Order") == ["When do you want delivery?"]


@pytest.mark.parametrize("first", ["vai dam koto?", "dam koto", "দাম কত?", "দামটা কত বলবেন?"])
def test_a_first_price_question_is_welcomed_answered_and_asked(customer, first):
    c = customer()
    assert c.says(first) == [one(WELCOME_BN, PRICE_BN, NEED_BN)]
    assert c.conversation()["language"] == "bn"


def test_an_intent_in_the_middle_answers_then_asks_again(customer):
    c = customer()
    c.postback("GET_STARTED")
    c.taps("need:kurti")
    assert c.says("আচ্ছা, দামের কথা বলুন") == [one(PRICE_BN, BUDGET_BN)]
    assert c.says("বিকাশ নম্বর কত?") == [one("বিকাশ নম্বর 01711223344", BUDGET_BN)]
    assert c.says("৩০০০") == [PHONE_BN]


@pytest.mark.parametrize(
    ("typed", "key"),
    [("২", "kurti"), ("2", "kurti"), ("কুর্তি", "kurti"), ("Kurti", "kurti"), ("kurti", "kurti"),
     ("শাড়ি", "saree"), ("saree", "saree"), ("অন্য কিছু", "other")],
)  # fmt: skip
def test_a_choice_may_be_typed_in_either_language_or_by_number(customer, typed, key):
    c = customer()
    c.postback("GET_STARTED")
    assert c.says(typed) == [BUDGET_BN]
    assert c.conversation()["answers"]["need"] == key


def test_invalid_answers_are_asked_again_then_a_human_takes_over(app, customer):
    c = customer()
    c.postback("GET_STARTED")
    c.taps("need:saree")
    assert c.says("জানি না") == [one("অনুগ্রহ করে একটা সংখ্যা লিখুন, যেমন ২০০০।", BUDGET_BN)]
    assert c.conversation()["retries"] == 1
    replies = c.says("অনেক")
    # an apology, not "ধন্যবাদ!" (issue 11), and the hours when closed
    assert replies[0].startswith("দুঃখিত, আপনার কথা ঠিক বুঝতে পারছি না।")
    assert "ধন্যবাদ" not in replies[0]
    [item] = open_queue(app)
    assert item["reason"] == "stuck: budget"
    assert c.conversation()["bot_paused"] == 1


def test_the_owners_invalid_text_is_used(customer):
    c = customer()
    c.postback("GET_STARTED")
    c.taps("need:saree")
    c.says("5000")
    assert c.says("12345") == [one("১১ সংখ্যার সঠিক নম্বর দিন, যেমন ০১৭১১২২৩৩৪৪", PHONE_BN)]


def test_a_complaint_jumps_the_queue(app, customer):
    a, b = customer("7011"), customer("7022")
    a.says("মানুষের সাথে কথা বলতে চাই")
    b.says("শাড়িটা ফেরত দিতে চাই")
    items = open_queue(app)
    assert [i["psid"] for i in items] == ["7022", "7011"]
    assert [i["priority"] for i in items] == ["high", "normal"]
    assert [i["reason"] for i in items] == ["complaint", "human"]


def test_opt_out_is_confirmed_and_kept(customer):
    c = customer("7023456789012345")
    c.says("Hello, what do you sell?")
    assert c.says("stop") == ["Done: you will get no more reminders from us. Write to us any time."]
    assert c.conversation()["opted_out"] == 1


def test_a_human_echo_from_the_page_inbox_pauses_the_bot(app, customer):
    from tests.conftest import fixture_bytes, post_webhook

    c = customer()
    c.postback("GET_STARTED")
    assert post_webhook(c.client, fixture_bytes("echo_page_inbox_human.json")).status_code == 200
    c.runtime.drain()
    conv = c.conversation()
    assert conv["bot_paused"] == 1
    assert c.taps("need:saree") == []
    history = conversations.messages(c.runtime.db(), conv["id"])
    assert any(m["sender"] == "page" for m in history)


def test_our_own_echo_changes_nothing(app, customer):
    from tests.conftest import fixture_bytes, post_webhook

    c = customer()
    c.postback("GET_STARTED")
    post_webhook(c.client, fixture_bytes("echo_own_app.json"))
    c.runtime.drain()
    assert c.conversation()["bot_paused"] == 0
    assert c.taps("need:saree") == [BUDGET_BN]


def test_handover_take_pauses_and_pass_resumes(app, customer):
    from tests.conftest import fixture_bytes, post_webhook

    c = customer()
    c.postback("GET_STARTED")
    post_webhook(c.client, fixture_bytes("handover_take_thread_control_from_us.json"))
    c.runtime.drain()
    assert c.conversation()["bot_paused"] == 1
    post_webhook(c.client, fixture_bytes("handover_pass_thread_control_to_us.json"))
    c.runtime.drain()
    assert c.conversation()["bot_paused"] == 0


def test_an_ad_referral_is_kept_as_the_source(app, customer):
    from tests.conftest import fixture_bytes, post_webhook

    c = customer("7034567890123456")
    post_webhook(c.client, fixture_bytes("postback_get_started_ad_referral.json"))
    c.runtime.drain()
    conv = c.conversation()
    assert conv["source"]["ad_id"] == "120211223344556677"
    assert conv["source"]["source"] == "ADS"
    assert conv["source"]["ref"] == "boishakh_saree_2026"
    assert c.replies()[-1].endswith((NEED_BN, "What are you looking for?"))


@pytest.mark.parametrize("kind", ["sticker", "image", "emoji", "like"])
def test_non_text_messages_get_a_sensible_reply_or_none(app, customer, kind):
    from tests.conftest import envelope, post_webhook, text_event

    c = customer()
    c.postback("GET_STARTED")
    event = text_event(c.psid, "")
    msg = event["message"]
    if kind == "emoji":
        msg["text"] = "😍😍"
    else:
        del msg["text"]
        url = "https://cdn.example.com/x.png"
        msg["attachments"] = [{"type": "image", "payload": {"url": url}}]
        if kind in ("sticker", "like"):
            sticker = 369239263222822 if kind == "like" else 1234
            msg["sticker_id"] = sticker
            msg["attachments"][0]["payload"]["sticker_id"] = sticker
    assert post_webhook(c.client, envelope(event)).status_code == 200
    c.runtime.drain()
    replies = c.replies()
    if kind == "image":
        assert replies == [one("ছবিটার জন্য ধন্যবাদ!", NEED_BN)]
    elif kind == "sticker":  # issue 10: every attachment kind is named
        assert replies == [one("স্টিকারের জন্য ধন্যবাদ! 😊", NEED_BN)]
    else:  # a like, emoji: small talk at a question, the question again, no failed try
        assert replies == [NEED_BN]
        assert c.conversation()["retries"] == 0
    db = c.runtime.db()
    assert db.execute("SELECT count(*) FROM inbox WHERE status != 'done'").fetchone()[0] == 0


def test_a_like_answers_a_yes_no_question(customer):
    from tests.conftest import envelope, post_webhook, text_event

    c = customer("7023456789012345")
    for text in ("Hello, I am looking for clothes", "3", "1000", "01711223344"):
        c.says(text)
    assert c.replies() == []
    event = text_event(c.psid, "")
    del event["message"]["text"]
    event["message"]["sticker_id"] = 369239263222822
    post_webhook(c.client, envelope(event))
    c.runtime.drain()
    assert c.replies() == ["When do you want delivery?"]
    assert c.conversation()["answers"]["like"] is True


def test_the_customer_can_switch_language(customer):
    c = customer()
    c.postback("GET_STARTED")
    assert c.says("Sorry, can you write in English please") == [
        "Please pick one of the options below.\n\nWhat are you looking for?"
    ]
    assert c.conversation()["language"] == "en"


def test_a_one_word_english_answer_does_not_switch_language(customer):
    c = customer()
    c.postback("GET_STARTED")
    assert c.says("Saree") == [BUDGET_BN]
    assert c.conversation()["language"] == "bn"


def test_a_flow_edited_mid_conversation_restarts_from_a_step_that_exists(
    make_app, tmp_path, customer
):
    app = make_app()
    c = customer(target_app=app)
    c.postback("GET_STARTED")
    c.taps("need:saree")
    assert c.conversation()["step"] == "budget"
    app.extensions["barta"].shutdown()
    edited = tmp_path / "edited.yaml"
    from tests.conftest import TEST_FLOWS

    text = (
        TEST_FLOWS.read_text("utf-8")
        .replace("id: budget", "id: taka")
        .replace("budget >=", "taka >=")
    )
    edited.write_text(text, "utf-8")
    app2 = make_app(edited)
    c2 = customer(target_app=app2)
    c2.replies()  # what the first app sent
    replies = c2.says("৫০০০")
    assert replies == [one(WELCOME_BN, NEED_BN)]
    assert c2.conversation()["step"] == "need"


def test_a_customer_back_after_days_with_nothing_pending_gets_a_polite_answer(app, customer, clock):
    c = customer("7023456789012345")
    for text in ("Hello, I am looking for clothes", "3", "1000", "01711223344", "no"):
        c.says(text)
    assert c.conversation()["flow"] is None
    assert c.says("hmm") == ["Anything else I can help you with? 😊"]  # small talk
    assert c.says("blorp zzzt") == [
        "Sorry, I didn't quite understand. Could you say it another way? "
        "If you'd like to talk to a person, just say so."
    ]
    assert c.says("what is the price") == ["Sarees cost Tk 1,500 to 8,000."]


def test_staff_stage_moves_follow_the_machine_and_speak_on_enter(app, customer):
    c = customer()
    c.postback("GET_STARTED")
    conv = c.conversation()
    engine = app.extensions["barta"].engine
    db = app.extensions["barta"].db()
    engine.move_stage(db, conv["id"], "converted", "rina")
    assert c.replies() == ["অর্ডারের জন্য ধন্যবাদ!"]
    with pytest.raises(StageError) as e:
        engine.move_stage(db, conv["id"], "qualified", "rina")
    assert e.value.legal == ["post_sales", "lost"]
    assert "post_sales" in str(e.value)
    assert [s["to"] for s in stage_changes(app, conv["id"])] == ["converted"]


def test_every_reply_is_in_the_outbox_with_its_log_line(app, customer):
    c = customer()
    c.postback("GET_STARTED")
    db = app.extensions["barta"].db()
    rows = db.execute(
        "SELECT o.id, m.text FROM outbox o JOIN messages m ON m.outbox_id = o.id ORDER BY o.id"
    ).fetchall()
    assert [r[1] for r in rows] == [one(WELCOME_BN, NEED_BN)]
    body = json.loads(db.execute("SELECT body FROM outbox ORDER BY id DESC").fetchone()[0])
    assert body["message"]["quick_replies"][0] == {
        "content_type": "text",
        "title": "শাড়ি",
        "payload": "need:saree",
    }
    assert body["messaging_type"] == "RESPONSE"


def test_a_failing_event_is_retried_then_handed_to_a_human(app, customer, monkeypatch):
    c = customer()
    engine = app.extensions["barta"].engine

    def boom(*a, **k):
        raise RuntimeError("flows bug")

    monkeypatch.setattr(engine, "_message", boom)
    from tests.conftest import envelope, post_webhook, text_event

    post_webhook(c.client, envelope(text_event(c.psid, "hello")))
    for _ in range(5):
        c.runtime.drain()
    db = c.runtime.db()
    assert db.execute("SELECT status, attempts FROM inbox").fetchone() == ("failed", 3)
    assert c.replies() == [
        "দুঃখিত, একটা সমস্যা হয়েছে। আমাদের একজন প্রতিনিধি শিগগিরই আপনার সাথে যোগাযোগ করবেন।"
    ]
    assert [i["reason"] for i in open_queue(app)] == ["error"]


LANGUAGE_FLOWS = """
settings:
  business: {bn: টেস্ট শপ, en: Test Shop}
  languages: [bn, en]
intents:
  - {id: english, match: [English, ইংরেজি], do: language, language: en}
  - {id: bangla, match: [বাংলা, bangla], do: language, language: bn}
flows:
  welcome:
    start_on: [get_started, first_message]
    steps:
      - id: need
        ask: {bn: "কোন পণ্যটি খুঁজছেন?", en: "What are you looking for?"}
"""


@pytest.mark.parametrize("word", ["বাংলা", "bangla"])
def test_asking_for_bangla_is_confirmed_however_it_is_written(make_app, customer, word):
    c = customer(target_app=make_app(LANGUAGE_FLOWS))
    c.says("Hello, I am looking for a gift")
    assert c.conversation()["language"] == "en"
    assert c.says(word) == ["ঠিক আছে, এখন থেকে বাংলায় লিখছি।\n\nকোন পণ্যটি খুঁজছেন?"]
    assert c.conversation()["language"] == "bn"
