"""bot/conversation/talk.py: small talk, several intents in one message, built-ins' effects
and the not-understood count, driven through ``decide`` (no database)."""

from __future__ import annotations

from bot.book.compiler import book_from_string
from bot.conversation.decide import decide
from bot.conversation.turn import Handoff, Move, Say, Turn
from tests.conversation.test_decide import HAPPY_BN, NEED_BN, msg, said, turn

BOOK = book_from_string(
    """
settings:
  business: {bn: টেস্ট শপ, en: Test Shop}
  languages: [bn, en]

intents:
  - use: discount
    say: {bn: "ছাড় নেই", en: "No discount"}
  - use: payment_done
  - use: thanks
    say: {bn: "আপনাকেও ধন্যবাদ, ভাই!", en: "Thank you too!"}
  - id: price
    match: [price, dam, দাম]
    say: {bn: "দাম ৫০০ টাকা", en: "It costs 500"}
  - id: delivery
    match: [ডেলিভারি, delivery]
    say: {bn: "ডেলিভারি ৬০ টাকা", en: "Delivery is 60"}

flows:
  welcome:
    start_on: [get_started, first_message]
    steps:
      - say: {bn: "স্বাগতম!", en: "Welcome!"}
      - id: need
        ask: {bn: "কী খুঁজছেন?", en: "What are you looking for?"}
        choices:
          saree: {bn: শাড়ি, en: Saree}
          kurti: {bn: কুর্তি, en: Kurti}
      - id: happy
        ask: {bn: "খুশি?", en: "Happy?"}
        type: yes_no
      - say: {bn: "ধন্যবাদ", en: "Thanks"}
"""
)


def run(t, text: str, new: bool = False) -> list[str]:
    return said(decide(BOOK, t, msg(text), new))


def test_small_talk_at_a_question_is_no_failed_try():
    t = turn("need")
    assert run(t, "জি") == [NEED_BN]
    assert run(t, "আসসালামু আলাইকুম") == ["say:ওয়ালাইকুম আসসালাম! 😊", NEED_BN]
    assert t.retries == 0


def test_ji_answers_a_yes_no_question_first():
    t = turn("happy")
    out = run(t, "জি")
    assert t.answers.get("happy") is True
    assert HAPPY_BN not in out


def test_the_owners_thanks_text_wins_after_a_flow():
    assert run(turn(), "ধন্যবাদ") == ["say:আপনাকেও ধন্যবাদ, ভাই!"]


def test_several_answers_in_the_order_asked_then_the_question():
    out = run(turn("need"), "ডেলিভারি কত আর দাম কত")
    assert out == ["say:ডেলিভারি ৬০ টাকা", "say:দাম ৫০০ টাকা", NEED_BN]


def test_discount_moves_to_negotiation_only_when_legal():
    t = turn()
    actions = decide(BOOK, t, msg("dam kom hobe?"), False)
    assert Move("negotiation", "intent discount") in actions
    assert [a.text for a in actions if isinstance(a, Say)] == ["ছাড় নেই"]  # not the price
    t = turn()
    t.can_move = lambda current, target: False
    assert not any(isinstance(a, Move) for a in decide(BOOK, t, msg("দাম বেশি"), False))


def test_payment_reference_is_saved_and_handed_to_staff():
    t = turn("need")
    actions = decide(BOOK, t, msg("টাকা পাঠিয়েছি, শেষের ৪ সংখ্যা ৪৫৬৭"), False)
    assert t.answers["payment_ref"] == "4567"
    assert any(isinstance(a, Handoff) and a.reason == "payment_done" for a in actions)


def test_angry_words_hand_off_at_once_even_unlisted():
    actions = decide(BOOK, turn(), msg("অসহ্য"), False)
    (h,) = [a for a in actions if isinstance(a, Handoff)]
    assert h.priority == "high" and h.reason == "angry"


def test_not_understood_twice_differently_then_a_person():
    t = turn()
    first = run(t, "ঝিকিমিকি")
    second = run(t, "হিজিবিজি")
    assert first != second and len(first) == len(second) == 1
    actions = decide(BOOK, t, msg("টুংটাং"), False)
    (h,) = [a for a in actions if isinstance(a, Handoff)]
    assert h.reason.startswith("not understood three times")
    assert "ঝিকিমিকি" in h.reason and "টুংটাং" in h.reason
    assert "misses" not in t.state


def test_an_understood_message_resets_the_count():
    t = turn()
    run(t, "ঝিকিমিকি")
    assert t.state["misses"] == 1
    run(t, "দাম কত")
    assert "misses" not in t.state


# --- the order built-in (tried even when not listed) ------------------------------------------

SHOP = book_from_string(
    """
settings:
  business: {bn: টেস্ট শপ, en: Test Shop}
  languages: [bn, en]
  max_retries: 2

intents:
  - use: human

flows:
  welcome:
    start_on: [get_started, first_message]
    steps:
      - say: {bn: "স্বাগতম!", en: "Welcome!"}
      - id: need
        ask: {bn: "কী খুঁজছেন?", en: "What are you looking for?"}
        choices:
          saree: {bn: শাড়ি, en: Saree, match: [জামদানি, jamdani]}
          kurti: {bn: কুর্তি, en: Kurti}
      - id: budget
        ask: {bn: "বাজেট কত?", en: "Your budget?"}
        type: number
  checkout:
    start_on: [postback:ORDER]
    steps:
      - id: product
        ask: {bn: "কোনটি নেবেন?", en: "Which one?"}
        choices:
          jamdani: {bn: জামদানি শাড়ি, en: Jamdani saree}
          kurti:   {bn: কুর্তি, en: Kurti}
      - id: phone
        ask: {bn: "মোবাইল নম্বর দিন", en: "Your mobile number"}
        type: phone
"""
)
PRODUCT_BN, PHONE_BN = "ask:product:কোনটি নেবেন?", "ask:phone:মোবাইল নম্বর দিন"
DECLINED_BN = "say:ঠিক আছে 😊 কিছু লাগলে যেকোনো সময় লিখবেন।"


def test_an_order_said_after_a_flow_starts_the_order_flow():
    t = turn()
    assert said(decide(SHOP, t, msg("অর্ডার করতে চাই"), False)) == [PRODUCT_BN]
    assert (t.flow, t.step) == ("checkout", "product")


def test_the_product_an_order_names_is_its_answer():
    for text in ("জামদানিটাই নেব", "apu jamdani ta nibo", "I'll take the jamdani saree"):
        t = turn()
        assert said(decide(SHOP, t, msg(text), False))[-1].startswith("ask:phone:"), text
        assert t.answers == {"product": "jamdani"}


def test_an_order_at_a_question_switches_and_is_no_failed_try():
    t = turn("need", retries=1)
    assert said(decide(SHOP, t, msg("order korbo"), False)) == [PRODUCT_BN]
    assert (t.flow, t.retries) == ("checkout", 0)


def test_an_answer_to_the_waiting_question_wins_over_the_order_words():
    t = turn("need")
    assert said(decide(SHOP, t, msg("শাড়ি নেব"), False)) == ["ask:budget:বাজেট কত?"]
    assert t.answers == {"need": "saree"}


def test_an_order_at_the_order_flows_own_question_asks_it_again():
    t = Turn(language="bn", answers={}, score=0, stage="new", flow="checkout", step="product")
    assert said(decide(SHOP, t, msg("অর্ডার করতে চাই"), False)) == [PRODUCT_BN]
    assert t.retries == 0


def test_a_declined_order_is_no_order_and_no_apology():
    declined = ("নেব না", "nibo na", "পরে নেব", "I don't want to order", "অর্ডার করতে চাই না")
    for text in (*declined, "I'll take a look later", "I will take a look"):
        t = turn()
        out = said(decide(SHOP, t, msg(text), False))
        assert out in ([DECLINED_BN], ["say:All right 😊 Write to us whenever you need anything."])
        assert t.flow is None, text


def test_someone_elses_taking_is_no_order():
    t = turn()
    assert PRODUCT_BN not in said(decide(SHOP, t, msg("কত নিবে?"), False))


def test_a_new_customers_order_words_get_the_welcome_with_the_named_choice():
    t = turn()
    out = said(decide(SHOP, t, msg("জামদানি নিতে চাই"), True))
    assert out == ["say:স্বাগতম!", "ask:budget:বাজেট কত?"]
    assert t.answers == {"need": "saree"}


def test_without_an_order_flow_a_person_takes_the_order():
    t = turn("need")
    out = decide(BOOK, t, msg("অর্ডার করতে চাই"), False)
    assert [a.reason for a in out if isinstance(a, Handoff)] == ["wants to order"]
    assert not any(isinstance(a, Say) and "বুঝতে" in a.text for a in out)
    assert t.retries == 0


def test_the_owners_order_text_is_said_before_the_flow():
    book = book_from_string(
        """
settings: {business: Shop, languages: [bn, en]}
intents:
  - use: order
    say: {bn: "জি, অবশ্যই!", en: "Sure!"}
flows:
  order:
    steps:
      - id: product
        ask: {bn: "কোনটি?", en: "Which?"}
"""
    )
    assert said(decide(book, turn(), msg("order korbo"), False)) == [
        "say:জি, অবশ্যই!",
        "ask:product:কোনটি?",
    ]


def test_order_words_at_a_yes_no_question_say_yes():
    book = book_from_string(
        """
settings: {business: Shop, languages: [bn, en]}
flows:
  offer:
    steps:
      - id: take
        ask: {bn: "শাড়িটা নেবেন?", en: "Will you take the saree?"}
        type: yes_no
      - say: {bn: "ধন্যবাদ", en: "Thanks"}
"""
    )
    for text, value in (("জি নেব", True), ("নেব", True), ("I'll take it", True), ("নেব না", False)):
        t = Turn(language="bn", answers={}, score=0, stage="new", flow="offer", step="take")
        assert said(decide(book, t, msg(text), False)) in (["say:ধন্যবাদ"], ["say:Thanks"]), text
        assert t.answers == {"take": value}
