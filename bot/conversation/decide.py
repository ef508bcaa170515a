"""Deciding what a customer's event leads to. Pure: no database, no network, no clock.

``decide(book, turn, event, new)`` returns the Actions (runner.Say, Ask, Handoff, Move,
Label, OptOut) for one message, postback or referral, and moves ``turn`` on (language,
answers, flow position); the engine writes both. Each kind of event is tried against an
ordered table of routes: a route appends its actions to ``out`` and says True when the event
is dealt with, or False to let the next route try.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeAlias

from bot.book.types import FlowBook, Intent, Step
from bot.conversation import attachments, runner
from bot.conversation.runner import Action, Ask, Handoff, OptOut, Say, Turn
from bot.i18n import N_
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


@dataclass
class Incoming:
    """One event while it is decided: what every route reads."""

    book: FlowBook
    turn: Turn
    ev: Event
    new: bool  # the customer's first event ever
    text: str = ""
    step: Step | None = None  # the question waiting for an answer
    tokens: list[str] = field(default_factory=list)
    before: str = ""  # the language before this message was noticed


Route: TypeAlias = Callable[[Incoming, list[Action]], bool]


def decide(book: FlowBook, turn: Turn, ev: Event, new: bool) -> list[Action]:
    """The Actions one message, postback or referral leads to; ``turn`` moves on with them."""
    table = ROUTES.get(ev.kind, MESSAGE_ROUTES)
    inc = Incoming(book, turn, ev, new, text=(ev.text or "").strip())
    inc.step = runner.pending_step(book, turn)
    inc.before = turn.language
    out: list[Action] = []
    for route in table:
        if route(inc, out):
            break
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
    """A tap on a quick reply answers the question. An invalid one has been told so (and
    may have been handed off) by the time the next routes read it as typed words."""
    ev = inc.ev
    if ev.quick_reply and ev.payload and inc.step is not None:
        return answer(inc.book, inc.turn, inc.step, inc.text, ev.payload, out)
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
    return True


def intent(inc: Incoming, out: list[Action]) -> bool:
    """The first intent whose keywords the message has."""
    book, turn = inc.book, inc.turn
    for it, matcher in zip(book.intents, matchers(book), strict=True):
        if not matcher.matches_tokens(inc.tokens):
            continue
        if inc.new and it.do is None and it.goto is None and it.say is not None:
            # First words are a question: welcome them, answer, then ask ours.
            start_new(book, turn, out)
            at = next((i for i, a in enumerate(out) if isinstance(a, Ask)), len(out))
            out.insert(at, Say(text=runner.render(book, turn, it.say)))
            return True
        run_intent(book, turn, it, out, before=None if inc.new else inc.before)
        return True
    return False


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


def apology(inc: Incoming, out: list[Action]) -> bool:
    """Nothing else fits: say so, and how to reach a person."""
    out.append(
        Say(
            text=_(
                inc.turn.language,
                "Sorry, I didn't quite understand. Could you say it another way? If you'd like to talk to a person, just say so.",
            )
        )
    )
    return True


MESSAGE_ROUTES: tuple[Route, ...] = (
    edited_step, language_reply, answer_reply, notice_language,
    no_words, intent, pending_answer, welcome, apology,
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
    it = next((i for i in inc.book.intents if i.id == intent_id), None)
    if it is None:
        return False
    run_intent(inc.book, inc.turn, it, out)
    return True


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
    language_button, flow_button, intent_button, ice_breaker,
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

_compiled: tuple[FlowBook, tuple[norm.Matcher, ...]] | None = None


def matchers(book: FlowBook) -> tuple[norm.Matcher, ...]:
    """The book's intent keywords, compiled once (their vocabulary joins fuzzy matching)."""
    global _compiled
    cached = _compiled
    if cached is None or cached[0] is not book:
        cached = _compiled = (
            book,
            tuple(norm.compile_keywords(list(i.match)) for i in book.intents),
        )
    return cached[1]


def start(book: FlowBook, turn: Turn, trigger: str, out: list[Action]) -> bool:
    """Start the first flow for ``trigger``; False when there is none."""
    flows = book.flows_for(trigger)
    if not flows:
        return False
    runner.start_flow(book, turn, flows[0].id, out)
    return True


def start_new(book: FlowBook, turn: Turn, out: list[Action]) -> None:
    """Welcome a new customer."""
    start(book, turn, "first_message", out) or start(book, turn, "get_started", out)


def run_intent(
    book: FlowBook, turn: Turn, it: Intent, out: list[Action], before: str | None = None
) -> None:
    """Say the intent's answer and do what it does."""
    if it.say is not None:
        out.append(Say(text=runner.render(book, turn, it.say)))
    action = it.do
    if action == "handoff":
        # The owner's say is the whole answer: no default thank-you after an apology.
        text = None if it.say is None else ""
        out.append(Handoff(text=text, reason=it.id, priority=it.priority))
    elif action == "opt_out":
        out.append(OptOut())
        if it.say is None:
            out.append(
                Say(
                    text=_(
                        turn.language,
                        "Done: you will get no more reminders from us. Write to us any time.",
                    )
                )
            )
    elif action == "goto" and it.goto:
        runner.start_flow(book, turn, it.goto, out)
    elif action == "language":
        set_language(book, turn, it.language or "", out, before)
        repeat_question(book, turn, out)
    else:
        repeat_question(book, turn, out)


def repeat_question(book: FlowBook, turn: Turn, out: list[Action]) -> None:
    """Ask the waiting question again, if there is one."""
    step = runner.pending_step(book, turn)
    if step is not None:
        out.append(Ask(step=step, text=runner.render(book, turn, step.text)))


def answer(
    book: FlowBook, turn: Turn, step: Step, text: str, payload: str | None, out: list[Action]
) -> bool:
    """Take an answer to ``step`` and carry on; else say why and ask again (or hand off)."""
    raw_payload = payload
    if payload and not step.choices and payload.startswith(step.id + ":"):
        text, raw_payload = payload[len(step.id) + 1 :], None
    if runner.answer(book, turn, step, text or None, raw_payload):
        choice = next((c for c in step.choices if c.key == turn.answers.get(step.id)), None)
        if choice is not None and choice.goto:
            runner.start_flow(book, turn, choice.goto, out)
        else:
            runner.resume(book, turn, out)
        return True
    turn.retries += 1
    if turn.retries >= book.settings.max_retries:
        turn.retries = 0
        out.append(Handoff(text=None, reason=f"stuck: {step.id}"))
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


def set_language(
    book: FlowBook, turn: Turn, lang: str, out: list[Action], before: str | None = None
) -> None:
    """Write in ``lang`` from now on, and say so, when the book has it and it is new."""
    if lang in book.settings.languages and lang != (before or turn.language):
        turn.language = lang
        turn.state["language_set"] = True
        out.append(Say(text=_(lang, "Sure, I'll write in English from now on.")))
