"""Deciding what a customer's event leads to. Pure: no database, no network, no clock.

``decide(book, turn, event, new)`` returns the Actions (runner.Say, Ask, Handoff, Move,
Label, OptOut) for one message, postback or referral, and moves ``turn`` on (language,
answers, flow position); the engine writes both. Each kind of event is tried against an
ordered table of routes: a route appends its actions to ``out`` and says True when the event
is dealt with, or False to let the next route try. Small talk, intents and what happens
when nothing is understood are routes of ``talk``; what the routes share is in ``acts``.
"""

from __future__ import annotations

from bot.book.types import FlowBook, Step
from bot.conversation import answers, attachments, runner, talk
from bot.conversation.acts import (  # noqa: F401  (matchers: the engine's import)
    Incoming,
    Route,
    all_intents,
    carry_on,
    matchers,
    repeat_question,
    run_intent,
    set_language,
    start,
    start_new,
)
from bot.conversation.turn import Action, Ask, Handoff, Say, Turn
from bot.i18n import N_, pick
from bot.i18n import gettext as _
from bot.messenger import policy
from bot.messenger.events import Event
from bot.text import norm

# Default texts for an invalid answer when the owner wrote none (msgids in locales/).
INVALID = {
    "text": N_("Sorry, I didn't get that."),
    "choice": N_("Please pick one of the options below."),
    "number": N_("Please write a number, for example 2000."),
    "phone": N_("Please send an 11-digit mobile number, for example 01711223344."),
    "email": N_("Please write an email address, for example name@example.com."),
    "date": N_("Please write a date, for example tomorrow or 25 December."),
    "yes_no": N_("Please answer yes or no."),
}


def decide(book: FlowBook, turn: Turn, ev: Event, new: bool) -> list[Action]:
    """The Actions one message, postback or referral leads to; ``turn`` moves on with them."""
    table = ROUTES.get(ev.kind, MESSAGE_ROUTES)
    inc = Incoming(book, turn, ev, new, text=(ev.text or "").strip())
    inc.step = runner.pending_step(book, turn)
    inc.before = turn.language
    inc.asked_ref = bool(turn.state.pop(talk.ASKED_REF, False))
    out: list[Action] = []
    for route in table:
        if route(inc, out):
            break
    if route is not talk.not_understood:
        talk.understood(turn)
    return out


# --- messages ----------------------------------------------------------------------------


def edited_step(inc: Incoming, out: list[Action]) -> bool:
    """The question waiting for this answer was edited away: start its flow again."""
    if inc.step is None and inc.turn.step:
        runner.resume(inc.book, inc.turn, out)
        return True
    return False


def language_reply(inc: Incoming, out: list[Action]) -> bool:
    """A tap on a language quick reply while a question waits."""
    ev = inc.ev
    if ev.quick_reply and ev.payload and inc.step is not None:
        if ev.payload.startswith(policy.PAYLOAD_LANG):
            set_language(inc.book, inc.turn, ev.payload[len(policy.PAYLOAD_LANG) :], out)
            repeat_question(inc.book, inc.turn, out)
            return True
    return False


def answer_reply(inc: Incoming, out: list[Action]) -> bool:
    """A tap on a quick reply answers the question. An invalid one (a stale button) has been
    told so, and asked again, once: no later route reads it a second time."""
    ev = inc.ev
    if ev.quick_reply and ev.payload and inc.step is not None:
        answer(inc.book, inc.turn, inc.step, inc.text, ev.payload, out)
        return True
    return False


def notice_language(inc: Incoming, out: list[Action]) -> bool:
    """Not a route: follows the customer's language from here on, then lets the rest try."""
    turn, text = inc.turn, inc.text
    inc.before = turn.language  # "বাংলা" switches by its script and asks for Bangla: say so
    if inc.new:
        detected = norm.detect_language(text) if text else None
        if detected is not None and detected in inc.book.settings.languages:
            turn.language = detected
    elif text:
        switch_language(inc.book, turn, text)
    inc.tokens = norm.tokens(text) if text else []
    return False


def no_words(inc: Incoming, out: list[Action]) -> bool:
    """A sticker, a like, an image, an emoji: no words to act on."""
    if inc.tokens:
        return False
    book, turn, step, ev = inc.book, inc.turn, inc.step, inc.ev
    sticker = ev.sticker_id
    if step is not None and step.type == "yes_no" and sticker in policy.LIKE_STICKERS:
        answer(book, turn, step, "yes", None, out)
    elif step is not None and step.type == "text" and not step.choices and ev.attachments:
        url = next((a.get("url") for a in ev.attachments if a.get("url")), None)
        if url:
            answer(book, turn, step, url, None, out)
    elif attachments.respond(book, turn, ev, step, inc.new, out, start_new=start_new,
                             repeat_question=repeat_question):  # fmt: skip
        pass  # named what arrived (bot.conversation.attachments)
    elif inc.new:
        start_new(book, turn, out)
    elif sticker is not None or (inc.text and not ev.attachments):
        talk.no_words(inc, out)  # a like, emoji: small talk
    return True


def correction(inc: Incoming, out: list[Action]) -> bool:
    """ "না না, থ্রি-পিস": the previous answer changes (``answers.corrects``); ask again."""
    taken = inc.step is not None and answers.corrects(inc.book, inc.turn, inc.step, inc.text)
    if isinstance(taken, str) and inc.step is not None:
        answer(inc.book, inc.turn, inc.step, taken, None, out)  # "না, ৩": its answer after all
    elif taken:
        repeat_question(inc.book, inc.turn, out)
    return bool(taken)


def pending_answer(inc: Incoming, out: list[Action]) -> bool:
    """Words while a question waits are its answer (valid or not)."""
    if inc.step is None:
        return False
    answer(inc.book, inc.turn, inc.step, inc.text, inc.ev.payload, out)
    return True


def welcome(inc: Incoming, out: list[Action]) -> bool:
    """A new customer's first words start the welcome flow."""
    if not inc.new:
        return False
    start_new(inc.book, inc.turn, out)
    return True


MESSAGE_ROUTES: tuple[Route, ...] = (
    edited_step, language_reply, answer_reply, notice_language,
    no_words, correction, talk.small_talk, talk.intents, pending_answer, welcome,
    talk.not_understood,
)  # fmt: skip


# --- postbacks ---------------------------------------------------------------------------


def _payload(inc: Incoming, prefix: str) -> str | None:
    payload = inc.ev.payload or ""
    return payload[len(prefix) :] if payload.startswith(prefix) else None


def language_button(inc: Incoming, out: list[Action]) -> bool:
    """``LANG:<code>``: write in that language from now on."""
    lang = _payload(inc, policy.PAYLOAD_LANG)
    if lang is None:
        return False
    if inc.new and lang in inc.book.settings.languages:
        inc.turn.language = lang  # chosen before anything was said: nothing to confirm
        return True
    set_language(inc.book, inc.turn, lang, out)
    repeat_question(inc.book, inc.turn, out)
    return True


def flow_button(inc: Incoming, out: list[Action]) -> bool:
    """``FLOW:<id>``: start that flow."""
    flow = _payload(inc, policy.PAYLOAD_FLOW)
    if flow is None:
        return False
    runner.start_flow(inc.book, inc.turn, flow, out)
    return True


def intent_button(inc: Incoming, out: list[Action]) -> bool:
    """``INTENT:<id>``: do what that intent does, when it (still) exists."""
    intent_id = _payload(inc, policy.PAYLOAD_INTENT)
    it = next((i for i in all_intents(inc.book) if i.id == intent_id), None)
    if it is None:
        return False
    talk.run_intent(inc.book, inc.turn, it, out)
    return True


def ice_language(inc: Incoming, out: list[Action]) -> bool:
    """Not a route: a new customer's tap on an ice breaker tells their language (Messenger
    shows each customer the questions of their locale; the postback's title is the one
    tapped), then lets the rest try. The Get Started button's title is Messenger's own and
    tells nothing."""
    ice = _payload(inc, policy.PAYLOAD_ICE) if inc.new else None
    if ice is not None and inc.ev.title and inc.ev.title != inc.ev.payload:
        lang = ice_breaker_language(inc.book, ice, inc.ev.title)
        if lang is not None:
            inc.turn.language = lang
    return False


def ice_breaker_language(book: FlowBook, ice_id: str, title: str) -> str | None:
    """The language whose question of ice breaker ``ice_id`` reads ``title``; else the
    language the title is written in (a question edited since it was set), if the book
    has it."""
    langs = book.settings.languages
    shown = norm.tokens(title)
    item = next((i for i in book.ice_breakers if str(i.get("id")) == ice_id), None)
    if item is not None and shown:
        business = book.settings.business
        for lang in langs:
            question = pick(item.get("question"), lang, langs[0])
            question = question.replace("{business}", pick(business, lang, langs[0]))
            if norm.tokens(question) == shown:
                return lang
    detected = norm.detect_language(title)
    return detected if detected in langs else None


def ice_breaker(inc: Incoming, out: list[Action]) -> bool:
    """``ICE_BREAKER:<id>``: the flow that starts on that ice breaker, if any."""
    ice = _payload(inc, policy.PAYLOAD_ICE)
    return ice is not None and start(inc.book, inc.turn, f"ice_breaker:{ice}", out)


def get_started(inc: Incoming, out: list[Action]) -> bool:
    """The Get Started button: the referral's flow if it came by one, else the welcome."""
    if inc.ev.payload != policy.GET_STARTED:
        return False
    book, turn = inc.book, inc.turn
    ref = (inc.ev.referral or {}).get("ref")
    if ref and start(book, turn, f"referral:{ref}", out):
        return True
    return start(book, turn, "get_started", out) or start(book, turn, "first_message", out)


def postback_flow(inc: Incoming, out: list[Action]) -> bool:
    """A flow that starts on ``postback:<payload>``."""
    return start(inc.book, inc.turn, f"postback:{inc.ev.payload or ''}", out)


def first_postback(inc: Incoming, out: list[Action]) -> bool:
    """Any first postback starts a conversation."""
    if inc.new:
        start_new(inc.book, inc.turn, out)
    return True


POSTBACK_ROUTES: tuple[Route, ...] = (
    ice_language, language_button, flow_button, intent_button, ice_breaker,
    get_started, postback_flow, first_postback,
)  # fmt: skip


# --- referrals ---------------------------------------------------------------------------


def referral_flow(inc: Incoming, out: list[Action]) -> bool:
    """An m.me link, an ad, a shortlink or the Discover tab: the first flow that starts on
    its ``ref``; a new customer without one gets the welcome. A known customer's question
    in progress is never broken (the engine keeps the source either way)."""
    book, turn = inc.book, inc.turn
    ref = (inc.ev.referral or {}).get("ref")
    if not inc.new and inc.step is not None:
        return True
    if ref and start(book, turn, f"referral:{ref}", out):
        return True
    if inc.new:
        start_new(book, turn, out)
    return True


REFERRAL_ROUTES: tuple[Route, ...] = (referral_flow,)

ROUTES: dict[str, tuple[Route, ...]] = {
    "message": MESSAGE_ROUTES,
    "postback": POSTBACK_ROUTES,
    "referral": REFERRAL_ROUTES,
}


# --- what the routes share -----------------------------------------------------------------


def answer(
    book: FlowBook, turn: Turn, step: Step, text: str, payload: str | None, out: list[Action]
) -> bool:
    """Take an answer to ``step`` and carry on; else say why and ask again (or hand off)."""
    raw_payload = payload
    if payload and not step.choices and payload.startswith(step.id + ":"):
        text, raw_payload = payload[len(step.id) + 1 :], None
    if runner.answer(book, turn, step, text or None, raw_payload):
        carry_on(book, turn, step, out)
        return True
    turn.retries += 1
    if turn.retries >= book.settings.max_retries:
        turn.retries = 0
        # Not the default "Thank you!…": after answers that did not work, an apology.
        out.append(Say(text=_(turn.language, talk.SORRY_HANDOFF)))
        out.append(Handoff(text="", reason=f"stuck: {step.id}"))
        return False
    if step.invalid:
        msg = runner.render(book, turn, step.invalid)
    else:
        msg = _(
            turn.language, INVALID.get("choice" if step.choices else step.type, INVALID["text"])
        )
    out.append(Say(text=msg))
    out.append(Ask(step=step, text=runner.render(book, turn, step.text), retry=True))
    return False


def switch_language(book: FlowBook, turn: Turn, text: str) -> None:
    """Follow a customer who writes a sentence in another of the book's languages."""
    text = norm.language_words(text)  # an e-mail, a link, a phone or product code: no switch
    detected = norm.detect_language(text)
    if detected is None or detected == turn.language:
        return
    if detected not in book.settings.languages:
        return
    words = sum(1 for t in norm.tokens(text) if t.isalpha())
    bengali_script = any("\u0980" <= ch <= "\u09ff" for ch in text)
    # A one-word answer ("Saree", "6000 taka") is not a switch; a sentence is.
    if (detected == "bn" and (bengali_script or words >= 2)) or (detected == "en" and words >= 3):
        turn.language = detected
