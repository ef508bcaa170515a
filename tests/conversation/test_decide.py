"""The routes of ``decide``, driven directly: a FlowBook, a Turn and an Event in, Actions out.

No webhook, no database, no Graph API: each row is one event at one place in a conversation
and the actions it leads to, written as short strings (see ``said``).
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.book.compiler import book_from_string
from bot.conversation import decide as decide_module
from bot.conversation import runner
from bot.conversation.decide import decide
from bot.conversation.turn import Action, Ask, Handoff, Label, Move, OptOut, Say, Turn
from bot.i18n import gettext as _
from bot.messenger import policy
from bot.messenger.events import Event

BOOK = book_from_string(
    """
settings:
  business: {bn: টেস্ট শপ, en: Test Shop}
  languages: [bn, en]
  max_retries: 2

intents:
  - id: human
    match: [human, manush, মানুষ]
    do: handoff
  - id: price
    match: [price, dam, দাম]
    say: {bn: "দাম ৫০০ টাকা", en: "It costs 500"}
  - id: stop
    match: [stop, "বন্ধ করুন"]
    do: opt_out
  - id: english
    match: [English, ইংরেজি]
    do: language
    language: en
  - id: bangla
    match: [বাংলা, bangla]
    do: language
    language: bn
  - id: offer
    match: [offer, অফার]
    do: goto
    goto: offer

flows:
  welcome:
    start_on: [get_started, first_message]
    steps:
      - say: {bn: "স্বাগতম!", en: "Welcome!"}
      - id: need
        ask: {bn: "কী খুঁজছেন?", en: "What are you looking for?"}
        choices:
          saree: {bn: শাড়ি, en: Saree, score: 20}
          kurti: {bn: কুর্তি, en: Kurti}
      - id: happy
        ask: {bn: "খুশি?", en: "Happy?"}
        type: yes_no
      - id: photo
        ask: {bn: "ছবি দিন", en: "Send a photo"}
      - say: {bn: "ধন্যবাদ", en: "Thanks"}
  offer:
    start_on: ["ice_breaker:offer", "postback:MORE", "referral:summer"]
    steps:
      - say: {bn: "অফার!", en: "Offer!"}
"""
)

LIKE = next(iter(policy.LIKE_STICKERS))
PHOTO = ({"type": "image", "url": "https://cdn.example/p.jpg"},)
SURE_EN = "Sure, I'll write in English from now on."
SURE_BN = _("bn", SURE_EN)
SORRY = "Sorry, I didn't quite understand. Could you say it another way? If you'd like to talk to a person, just say so."
DONE = "Done: you will get no more reminders from us. Write to us any time."


def turn(step: str | None = None, lang: str = "bn", retries: int = 0) -> Turn:
    """A conversation waiting at ``step`` of the welcome flow (or at none)."""
    return Turn(
        language=lang,
        answers={},
        score=0,
        stage="new",
        flow="welcome" if step else None,
        step=step,
        retries=retries,
        now=datetime(2026, 12, 1, 12, tzinfo=ZoneInfo("Asia/Dhaka")),
    )


def msg(text: str | None = None, **kw) -> Event:
    return Event(kind="message", psid="p1", text=text, **kw)


def tap(text: str, payload: str) -> Event:
    return Event(kind="message", psid="p1", text=text, payload=payload, quick_reply=True)


def postback(payload: str, **kw) -> Event:
    return Event(kind="postback", psid="p1", payload=payload, **kw)


def said(actions: list[Action]) -> list[str]:
    """Actions as short strings: "say:…", "ask:<id>:…", "handoff:<reason>", "opt_out"."""
    out = []
    for a in actions:
        if isinstance(a, Say):
            out.append(f"say:{a.text}")
        elif isinstance(a, Ask):
            out.append(f"ask:{a.step.id}:{a.text}" + (" (again)" if a.retry else ""))
        elif isinstance(a, Handoff):
            out.append(f"handoff:{a.reason}")
        elif isinstance(a, OptOut):
            out.append("opt_out")
        elif isinstance(a, Move | Label):
            out.append(repr(a))
    return out


NEED_BN, NEED_EN = "ask:need:কী খুঁজছেন?", "ask:need:What are you looking for?"
HAPPY_BN = "ask:happy:খুশি?"

CASES = [
    # route, turn, event, new, actions, language after
    ("edited step: its flow starts again",
     turn("gone"), msg("শাড়ি"), False, ["say:স্বাগতম!", NEED_BN], "bn"),
    ("language quick reply",
     turn("need"), tap("English", "LANG:en"), False, [f"say:{SURE_EN}", NEED_EN], "en"),
    ("answer quick reply (Bangla title)",
     turn("need"), tap("শাড়ি", "need:saree"), False, [HAPPY_BN], "bn"),
    ("no words: a like answers yes",
     turn("happy"), msg(sticker_id=LIKE), False, ["ask:photo:ছবি দিন"], "bn"),
    ("no words: a photo answers a text question",
     turn("photo"), msg(attachments=PHOTO), False, ["say:ধন্যবাদ"], "bn"),
    ("no words: a picture while a choice waits",
     turn("need", "en"), msg(attachments=PHOTO), False,
     ["say:Thank you for the picture!", NEED_EN], "en"),
    ("no words: a new customer's sticker is welcomed",
     turn(), msg(sticker_id="123"), True, ["say:স্বাগতম!", NEED_BN], "bn"),
    ("no words: an emoji alone, nothing waiting, gets a short answer (issue 11)",
     turn(), msg("😀"), False, ["say:আর কিছু জানার থাকলে বলুন 😊"], "bn"),
    ("intent in Bangla: a person",
     turn("need"), msg("মানুষ চাই"), False, ["handoff:human"], "bn"),
    ("intent in romanized Bangla: the price, then the question again",
     turn("need"), msg("dam koto"), False, ["say:দাম ৫০০ টাকা", NEED_BN], "bn"),
    ("intent in an English sentence switches the language",
     turn(), msg("what is the price"), False, ["say:It costs 500"], "en"),
    ("intent as a new customer's first words: welcome, answer, then ask",
     turn(), msg("দাম কত?"), True, ["say:স্বাগতম!", "say:দাম ৫০০ টাকা", NEED_BN], "bn"),
    ("intent: opt out (Bangla)",
     turn(), msg("বন্ধ করুন"), False, ["opt_out", f"say:{_('bn', DONE)}"], "bn"),
    ("intent: opt out (English)",
     turn(lang="en"), msg("stop"), False, ["opt_out", f"say:{DONE}"], "en"),
    ("intent: asking for English",
     turn("need"), msg("English please"), False, [f"say:{SURE_EN}", NEED_EN], "en"),
    ("intent: Bangla script asks for Bangla and says so",
     turn("need", "en"), msg("বাংলা"), False, [f"say:{SURE_BN}", NEED_BN], "bn"),
    ("intent: goto a flow (romanized)",
     turn(), msg("offer ache?"), False, ["say:অফার!"], "bn"),
    ("pending answer: a typed choice (romanized)",
     turn("need"), msg("kurti"), False, [HAPPY_BN], "bn"),
    ("pending answer: a Bengali digit picks the second choice",
     turn("need"), msg("২"), False, [HAPPY_BN], "bn"),
    ("pending answer: invalid, asked again",
     turn("need"), msg("blah blah"), False,
     [f"say:{_('bn', 'Please pick one of the options below.')}", f"{NEED_BN} (again)"], "bn"),
    ("pending answer: invalid too often, handed off",
     turn("need", retries=1), msg("blah blah"), False,
     ["say:দুঃখিত, আপনার কথা ঠিক বুঝতে পারছি না। আমাদের একজন প্রতিনিধি আপনার মেসেজগুলো দেখে এখানেই উত্তর দেবেন।",
      "handoff:stuck: need"], "bn"),
    ("welcome: a new customer's Bangla greeting",
     turn(), msg("আসসালামু আলাইকুম"), True, ["say:স্বাগতম!", NEED_BN], "bn"),
    ("welcome: a new customer's English greeting",
     turn(), msg("hello"), True, ["say:Welcome!", NEED_EN], "en"),
    ("apology: nothing fits (romanized Bangla)",
     turn(), msg("ki obostha"), False, [f"say:{_('bn', SORRY)}"], "bn"),
    ("apology: nothing fits (English)",
     turn(lang="en"), msg("how are you doing today"), False, [f"say:{SORRY}"], "en"),
    # postbacks
    ("postback LANG: before anything was said",
     turn(), postback("LANG:en"), True, [], "en"),
    ("postback LANG: mid-conversation",
     turn("need"), postback("LANG:en"), False, [f"say:{SURE_EN}", NEED_EN], "en"),
    ("postback FLOW:", turn(), postback("FLOW:offer"), False, ["say:অফার!"], "bn"),
    ("postback INTENT:", turn(), postback("INTENT:price"), False, ["say:দাম ৫০০ টাকা"], "bn"),
    ("postback INTENT: that no longer exists", turn(), postback("INTENT:gone"), False, [], "bn"),
    ("postback ICE_BREAKER:", turn(), postback("ICE_BREAKER:offer"), True, ["say:অফার!"], "bn"),
    ("an ice breaker tapped in English: a new customer's language",
     turn(), postback("ICE_BREAKER:offer", title="Show me the offer"), True, ["say:Offer!"], "en"),
    ("an ice breaker tapped in Bangla",
     turn(lang="en"), postback("ICE_BREAKER:offer", title="অফারটা দেখান"), True, ["say:অফার!"],
     "bn"),
    ("a known customer's English ice breaker keeps the language",
     turn(), postback("ICE_BREAKER:offer", title="Show me the offer"), False, ["say:অফার!"], "bn"),
    ("an ice breaker whose title is its payload tells nothing",
     turn(), postback("ICE_BREAKER:offer", title="ICE_BREAKER:offer"), True, ["say:অফার!"], "bn"),
    ("Get Started's title tells nothing",
     turn(), postback("GET_STARTED", title="Get Started"), True, ["say:স্বাগতম!", NEED_BN], "bn"),
    ("postback ICE_BREAKER: with no flow starts a new customer",
     turn(), postback("ICE_BREAKER:nothing"), True, ["say:স্বাগতম!", NEED_BN], "bn"),
    ("postback GET_STARTED with a referral",
     turn(), postback("GET_STARTED", referral={"ref": "summer"}), True, ["say:অফার!"], "bn"),
    ("postback GET_STARTED",
     turn(), postback("GET_STARTED"), True, ["say:স্বাগতম!", NEED_BN], "bn"),
    ("postback:<payload>", turn(), postback("MORE"), False, ["say:অফার!"], "bn"),
    ("first postback starts the conversation",
     turn(), postback("UNKNOWN"), True, ["say:স্বাগতম!", NEED_BN], "bn"),
    ("a later unknown postback does nothing", turn(), postback("UNKNOWN"), False, [], "bn"),
    # referrals
    ("referral with a flow",
     turn(), Event(kind="referral", psid="p1", referral={"ref": "summer"}), False,
     ["say:অফার!"], "bn"),
    ("referral without one",
     turn(), Event(kind="referral", psid="p1", referral={"ref": "winter"}), False, [], "bn"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("t", "ev", "new", "expected", "lang"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_each_route_decides(t: Turn, ev: Event, new: bool, expected: list[str], lang: str):
    assert said(decide(BOOK, t, ev, new)) == expected
    assert t.language == lang


def test_an_answer_moves_the_turn_on_and_scores_it():
    t = turn("need")
    decide(BOOK, t, msg("saree"), False)
    assert (t.flow, t.step, t.answers, t.score, t.retries) == (
        "welcome",
        "happy",
        {"need": "saree"},
        20,
        0,
    )


def test_asking_for_the_language_already_in_use_is_confirmed_then_the_question_again():
    out = said(decide(BOOK, turn("need", "en"), msg("English please"), False))
    assert out == ["say:Sure, I'm writing in English.", NEED_EN]


def test_message_routes_run_in_the_documented_order():
    names = [r.__name__ for r in decide_module.MESSAGE_ROUTES]
    assert names == [
        "edited_step", "language_reply", "answer_reply", "notice_language",
        "no_words", "correction", "small_talk", "intents", "pending_answer", "welcome",
        "not_understood",
    ]  # fmt: skip


def test_a_stale_quick_reply_is_refused_once_and_counts_one_retry():
    t = turn("happy")
    out = said(decide(BOOK, t, tap("কুর্তি", "need:kurti"), False))
    assert len(out) == 2 and out[0].startswith("say:") and out[1] == "ask:happy:খুশি? (again)"
    assert t.retries == 1


def test_a_correction_changes_the_last_answer_and_its_score():
    t = turn("need")
    decide(BOOK, t, msg("শাড়ি"), False)
    assert (t.answers, t.score, t.step) == ({"need": "saree"}, 20, "happy")
    out = said(decide(BOOK, t, msg("না না, কুর্তি"), False))
    assert out == [HAPPY_BN]
    assert (t.answers, t.score, t.step, t.retries) == ({"need": "kurti"}, 0, "happy", 0)


def test_a_correction_word_before_an_answer_to_the_waiting_question_is_that_answer():
    t = turn("need")
    decide(BOOK, t, msg("শাড়ি"), False)
    decide(BOOK, t, msg("না, খুশি না"), False)
    assert t.answers == {"need": "saree", "happy": False}


@pytest.mark.parametrize("text", ["abc@gmail.com", "SKU-1234", "A12", "www.example.com/p/1"])
def test_codes_and_addresses_never_switch_the_language(text):
    t = turn("photo")
    decide(BOOK, t, msg(text), False)
    assert t.language == "bn"


CHOICE_BOOK = book_from_string(
    """
settings:
  business: {bn: টেস্ট শপ, en: Test Shop}
  languages: [bn, en]
flows:
  welcome:
    start_on: [first_message]
    steps:
      - id: item
        ask: {bn: "কী লাগবে?", en: "What do you need?"}
        choices:
          button: {bn: বাটন ফোন, en: Button phone}
          jamdani: {bn: জামদানি, en: Jamdani}
          three: {bn: থ্রি-পিস, en: Three-piece, match: [salwar kameez]}
          other: {bn: অন্য কিছু, en: Something else}
      - id: area
        ask: {bn: "কোথায়?", en: "Where?"}
        type: district
      - say: {bn: "{area_area}, {area}", en: "To {area_area}, {area} ({area_zone})"}
"""
)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("button phone", "button"),
        ("বাটন ফোন", "button"),
        ("jamdani", "jamdani"),
        ("জামদানিটা", "jamdani"),
        ("3 piece", "three"),
        ("আমি একটা থ্রি-পিস নিতে চাই", "three"),
        ("salwar kameez", "three"),
        ("একটা জামদানি আর একটা থ্রি-পিস", None),  # two choices: asked again
        ("sorry", None),
        ("৪", "other"),
        ("জামদানি না, থ্রি-পিস", "three"),  # the one said no to is not the answer
        ("not jamdani, button phone", "button"),
    ],
)
def test_choices_as_people_say_them(text, key):
    step = CHOICE_BOOK.flows["welcome"].steps[0]
    assert runner.choose(step, text, None) == key


def test_a_district_answer_saves_three_names_and_an_empty_area_leaves_no_gap():
    t = turn()
    t.language = "en"
    decide(CHOICE_BOOK, t, msg("hi"), True)
    decide(CHOICE_BOOK, t, msg("jamdani"), False)
    out = said(decide(CHOICE_BOOK, t, msg("Dhaka"), False))
    assert t.answers == {"item": "jamdani", "area": "Dhaka", "area_zone": "inside_dhaka"}
    assert out == ["say:To Dhaka (inside_dhaka)"]
    t = turn()
    decide(CHOICE_BOOK, t, msg("হাই"), True)
    decide(CHOICE_BOOK, t, msg("জামদানি"), False)
    assert said(decide(CHOICE_BOOK, t, msg("মিরপুর ১০"), False)) == ["say:Mirpur, Dhaka"]
    assert t.answers["area_area"] == "Mirpur"


ICE_BOOK = book_from_string(
    """
settings:
  business: {bn: টেস্ট শপ, en: Test Shop}
  languages: [bn, en]
flows:
  welcome:
    start_on: [first_message, ice_breaker:shop]
    steps:
      - say: {bn: "স্বাগতম!", en: "Welcome!"}
ice_breakers:
  - {id: shop, question: {bn: "{business}-এ কেনাকাটা করতে চাই", en: "Shop at {business}"}}
  - {id: same, question: "Hi"}
"""
)


@pytest.mark.parametrize(
    ("ice", "title", "lang"),
    [
        ("shop", "টেস্ট শপ-এ কেনাকাটা করতে চাই", "bn"),  # {business} filled as Messenger shows it
        ("shop", "Shop at Test Shop", "en"),
        ("shop", "Shop at Test Shop!", "en"),  # punctuation aside
        ("shop", "Buy something here", "en"),  # edited since: the words tell
        ("same", "Hi", "bn"),  # one question for both languages: the first
        ("gone", "কিনতে চাই", "bn"),
        ("gone", "🛍️", None),
    ],
)
def test_an_ice_breakers_title_tells_its_language(ice, title, lang):
    assert decide_module.ice_breaker_language(ICE_BOOK, ice, title) == lang
