"""Tests for bot/book/builtins.py: the built-in intents' words, actions and texts."""

import re
from pathlib import Path

import pytest

from bot.book.builtins import BUILTINS, OVERLAPS
from bot.text import norm

ROOT = Path(__file__).resolve().parents[2]

MESSAGES = {
    "complaint": [
        "refund chai", "product damaged", "kapor kharap", "রং উঠে গেছে",
        "সাইজ মেলেনি, বদলে দিন", "জামাটার সাইজ ছোট হয়েছে, বদলাতে চাই", "I want to return this",
        "ভুল পণ্য পাঠিয়েছেন", "শাড়িটা ছেঁড়া", "exchange korte chai", "size choto hoyeche",
        "টাকা ফেরত চাই", "wrong item received", "ছবির সাথে মিল নেই", "ferot dite chai",
        "quality kharap", "the dress is torn",
    ],
    "order_status": [
        "পার্সেল এখনো পাইনি", "আমার অর্ডার কোথায়?", "order er ki obostha?", "where is my order",
        "parcel kothay vai", "এখনো আসেনি", "অর্ডারের কী অবস্থা?", "order status janaben",
        "I have not received my parcel", "ami ekhono paini", "পার্সেল কবে আসবে?",
        "কবে পাঠাবেন?", "tracking number din",
    ],
    "payment_done": [
        "টাকা পাঠিয়েছি", "bkash korsi", "payment done", "বিকাশ করে দিয়েছি",
        "taka pathaisi vai", "I have paid", "payment kore disi, check koren",
        "নগদে পাঠিয়েছি, দেখেন", "advance dilam", "TrxID 8N7A6B5C4D", "sent the money",
        "পেমেন্ট করেছি",
    ],
    "discount": [
        "dam kom hobe?", "দাম বেশি", "কিছু ডিসকাউন্ট আছে কি?", "একটু কম রাখা যায়?",
        "last price koto?", "any discount?", "ছাড় দিবেন?", "too expensive", "ektu kom koren vai",
        "দাম কমানো যাবে?", "কোনো অফার আছে?", "price beshi",
    ],
    "cod": [
        "ক্যাশ অন ডেলিভারি হবে?", "cod hobe?", "cash on delivery available?",
        "হাতে পেয়ে টাকা দেওয়া যাবে?", "do you have cash on delivery", "cod ache vai?",
        "আগে টাকা দিতে হবে?", "advance lagbe?", "product hate peye taka dibo",
    ],
    "delivery": [
        "delivery charge koto", "কবে পাবো", "ডেলিভারি চার্জ কত?", "কত দিনে পাবো?",
        "koto din lagbe?", "ঢাকার বাইরে ডেলিভারি দেন?", "what is the delivery charge",
        "how long will delivery take", "home delivery ache?", "shipping cost?", "কয়দিন লাগবে?",
    ],
    "human": [
        "মানুষের সাথে কথা বলতে চাই", "talk to a person", "I want a human", "agent please",
        "manusher sathe kotha bolte chai", "আমাকে কল দিন", "admin ke din", "প্রতিনিধির সাথে কথা বলব",
        "call me please", "ম্যানেজারকে দেন",
    ],
    "stop": [
        "মেসেজ দেওয়া বন্ধ করেন", "stop", "unsubscribe", "আর মেসেজ দিবেন না", "msg diben na",
        "please stop messaging", "বন্ধ করুন", "বিরক্ত করবেন না", "don't message me",
    ],
    "thanks": [
        "ধন্যবাদ", "thanks", "thank you", "ok thanks", "dhonnobad vai", "অনেক ধন্যবাদ",
        "tnx", "শুকরিয়া", "thank u so much",
    ],
    "greeting": [
        "hi", "hello", "হ্যালো", "হাই", "good morning", "hello vai", "শুভ সকাল", "hey there",
        "hlw",
    ],
    "angry": [
        "অসহ্য", "ফালতু", "worst", "fraud", "বাটপার", "প্রতারক", "ধোকা দিলেন", "scam page",
        "ভাই উত্তর দেন না কেন", "faltu service", "this is ridiculous", "চোর কোথাকার",
        "ভুয়া পেজ",
    ],
    "order": [
        "জামদানিটাই নেব", "অর্ডার করতে চাই", "আমি একটা শাড়ি নিতে চাই", "কাতানটা কিনতে চাই",
        "অর্ডার দিতে চাই", "আপু পাঞ্জাবিটা নিবো", "order korbo", "jamdani ta nibo",
        "order dite chai", "kinbo vai", "I'll take the jamdani", "I want to order",
        "order please", "I'd like to buy this saree",
    ],
}  # fmt: skip

ORDINARY = [
    "শাড়ি", "২৫ হাজার", "01711223344", "ঢাকা", "jamdani", "দাম কত?", "price koto",
    "থ্রি-পিস", "bkash", "বিকাশ", "cash on delivery", "ক্যাশ অন ডেলিভারি", "হ্যাঁ", "না",
    "আজই", "এই সপ্তাহে", "শুধু দেখছি", "মিরপুর", "kurti ache?", "লাল রঙের আছে?",
    "৩০০০", "L size", "XL", "ok", "জি", "আমার নাম রহিম", "blue color", "ছবি দেন",
]  # fmt: skip

MATCHERS = {name: norm.compile_keywords(list(b.match)) for name, b in BUILTINS.items()}


def claims(text: str) -> set[str]:
    toks = norm.tokens(text)
    return {name for name, m in MATCHERS.items() if m.matches_tokens(toks)}


def test_every_builtin_has_test_messages():
    assert set(MESSAGES) == set(BUILTINS)
    assert all(len(texts) >= 8 for texts in MESSAGES.values())


@pytest.mark.parametrize(
    ("name", "text"), [(name, t) for name, texts in MESSAGES.items() for t in texts]
)
def test_customer_messages_match_their_builtin(name, text):
    assert name in claims(text)


@pytest.mark.parametrize(
    ("name", "text"), [(name, t) for name, texts in MESSAGES.items() for t in texts]
)
def test_no_other_builtin_claims_the_message_unless_intended(name, text):
    others = claims(text) - {name}
    assert all(frozenset({name, o}) in OVERLAPS for o in others), others


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_answers_match_no_builtin(text):
    assert claims(text) == set()


def test_complaint_and_angry_may_overlap():
    assert claims("ফালতু প্রোডাক্ট, রং উঠে গেছে") == {"complaint", "angry"}


@pytest.mark.parametrize("name", list(BUILTINS))
def test_every_builtin_says_something_in_both_languages(name):
    b = BUILTINS[name]
    assert b.say is not None and set(b.say) == {"bn", "en"}
    assert all(text.strip() for text in b.say.values())
    # Generic texts need no settings: no placeholders in the default say.
    assert not any(re.search(r"\{[a-z_]+\}", t) for t in b.say.values())


def test_default_actions():
    assert (BUILTINS["complaint"].do, BUILTINS["complaint"].priority) == ("handoff", "high")
    assert (BUILTINS["angry"].do, BUILTINS["angry"].priority) == ("handoff", "high")
    assert BUILTINS["order_status"].do == "handoff"
    assert BUILTINS["payment_done"].do == "handoff"
    assert BUILTINS["payment_done"].capture == "payment_ref"
    assert BUILTINS["human"].do == "handoff"
    assert BUILTINS["stop"].do == "opt_out"
    d = BUILTINS["discount"]
    assert (d.do, d.stage) == (None, "negotiation")
    for name in ("cod", "delivery", "thanks", "greeting"):
        assert BUILTINS[name].do is None
    # order: the book's order flow, else a person (bot.conversation.acts decides which)
    assert (BUILTINS["order"].do, BUILTINS["order"].say is not None) == (None, True)


def test_delivery_text_uses_placeholders_only_when_settings_define_them():
    b = BUILTINS["delivery"]
    assert b.default_say({}) == b.say
    both = b.default_say({"delivery_charge": "৭০ টাকা", "delivery_time": "২-৩ দিন"})
    assert (
        both is not None and "{delivery_charge}" in both["bn"] and "{delivery_time}" in both["bn"]
    )
    charge = b.default_say({"delivery_charge": "৭০ টাকা"})
    assert charge is not None and "{delivery_time}" not in charge["en"]
    assert b.default_say({"delivery_charge": ""}) == b.say
    assert BUILTINS["cod"].default_say({"cod": "সারা দেশে ক্যাশ অন ডেলিভারি"})["bn"] == "{cod}"


def test_builtins_are_frozen():
    with pytest.raises(TypeError):
        BUILTINS["stop"] = BUILTINS["human"]  # type: ignore[index]
    with pytest.raises(AttributeError):
        BUILTINS["stop"].do = "handoff"  # type: ignore[misc]


# --- `- use: <name>` in flows.yaml ---------------------------------------------------------

USE_HEAD = """\
settings:
  business: {bn: দোকান, en: The shop}
  languages: [bn, en]
flows:
  welcome:
    start_on: [first_message]
    steps:
      - end
intents:
"""  # the first intent is on line 10


def _book(intents: str):
    from bot.book.compiler import book_from_string

    return book_from_string(USE_HEAD + intents)


def _problems(intents: str) -> list[str]:
    from bot.book.compiler import check_string

    return [str(p) for p in check_string(USE_HEAD + intents)]


def test_use_brings_the_builtin_words_action_and_texts():
    (it,) = _book("  - use: complaint\n").intents
    assert it.id == "complaint" and it.use == "complaint"
    assert it.do == "handoff" and it.priority == "high"
    assert "refund" in it.match
    assert it.say is not None and "দুঃখিত" in it.say["bn"] and "sorry" in it.say["en"]


def test_use_adds_the_owner_words_and_takes_the_owner_texts():
    (it,) = _book(
        '  - use: discount\n    match: [dor kom]\n    say: {bn: "ছাড় নেই", en: "No discount"}\n'
    ).intents
    assert it.match[-1] == "dor kom" and "dam kom" in it.match
    assert dict(it.say or {}) == {"bn": "ছাড় নেই", "en": "No discount"}
    assert it.stage == "negotiation" and it.do is None


def test_use_may_change_the_action_and_the_priority():
    (human,) = _book("  - use: human\n    priority: high\n").intents
    assert human.do == "handoff" and human.priority == "high"
    (complaint,) = _book("  - use: complaint\n    do: goto\n    goto: welcome\n").intents
    assert complaint.do == "goto" and complaint.goto == "welcome"


def test_payment_done_captures_the_reference():
    (it,) = _book("  - use: payment_done\n").intents
    assert it.capture == "payment_ref" and it.do == "handoff"


def test_an_unknown_builtin_is_an_error_with_did_you_mean():
    found = _problems("  - use: complaints\n")
    assert len(found) == 1
    assert found[0].startswith("flows.yaml:10: there is no built-in intent 'complaints'")
    assert "did you mean" in found[0] and "complaint" in found[0]


def test_a_builtin_used_twice_is_an_error():
    found = _problems("  - use: human\n  - use: human\n")
    assert any("used twice" in p for p in found)


def test_the_demo_and_the_examples_use_builtins():
    from bot.book.compiler import load_book

    for path in ("flows.yaml", "flows/examples/cake_shop.yaml", "flows/examples/tutoring.yaml"):
        book, found = load_book(str(ROOT / path))
        assert book is not None, found
        used = {i.use for i in book.intents if i.use}
        assert {"complaint", "discount", "stop", "human"} <= used, path
