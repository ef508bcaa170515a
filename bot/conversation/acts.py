"""What the routes share: the event being decided, the book's intents, starting flows,
asking again, carrying out an intent. ``decide`` (the route tables) and ``talk`` (small talk,
intents, not understood) both build on it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TypeAlias

from bot.book.builtins import ORDER
from bot.book.intents import builtin_intent
from bot.book.types import FlowBook, Intent, Step
from bot.conversation import runner
from bot.conversation.turn import Action, Ask, Handoff, OptOut, Say, Turn
from bot.i18n import gettext as _
from bot.messenger.events import Event
from bot.text import norm


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
    small: str | None = None  # small talk beside other words ("ধন্যবাদ, দাম কত?"): its kind
    asked_ref: bool = False  # the bot's last answer asked for a payment reference


Route: TypeAlias = Callable[[Incoming, list[Action]], bool]


# Built-ins the framework tries even when the owner did not list them: an angry customer
# goes to a person, and one who wants to buy is never told "sorry, I didn't understand".
IMPLICIT = ("angry", "order")
# The handoff reason staff read when a customer wants to order and the book has no order flow.
WANTS_TO_ORDER = "wants to order"

# Per book, kept while the book is in use: several Pages alternate between their books
# message by message (bot.pages), so one slot would be rebuilt on almost every message.
# Keyed by id(book), the book kept beside it so a reused id is never mistaken for it.
_all: dict[int, tuple[FlowBook, tuple[Intent, ...]]] = {}
_compiled: dict[int, tuple[FlowBook, tuple[norm.Matcher, ...]]] = {}
_BOOKS = 64  # more books than this (reloads over weeks): start afresh


def all_intents(book: FlowBook) -> tuple[Intent, ...]:
    """The book's intents and the framework's implicit built-ins it does not list."""
    cached = _all.get(id(book))
    if cached is None or cached[0] is not book:
        listed = {i.use for i in book.intents if i.use}
        extra = tuple(builtin_intent(n) for n in IMPLICIT if n not in listed)
        if len(_all) >= _BOOKS:
            _all.clear()
        found = tuple(_order(book, i) for i in book.intents + extra)
        cached = _all[id(book)] = (book, found)
    return cached[1]


def order_flow(book: FlowBook) -> str | None:
    """The flow that takes an order: the one called ``order``, else the first that starts on
    ``postback:ORDER`` (an "Order now" button); None when the book has neither."""
    if "order" in book.flows:
        return "order"
    flows = book.flows_for("postback:ORDER")
    return flows[0].id if flows else None


def _order(book: FlowBook, it: Intent) -> Intent:
    """The ``order`` built-in made to act: its flow goes on to the order flow when the book
    has one (asking is the answer: Barta's default text is left out), else to a person."""
    if it.use != ORDER.name:
        return it
    default = ORDER.say or {}
    barta = it.say is None or all(default.get(k) == v for k, v in it.say.items())
    if it.do is None and it.goto is None:
        flow = order_flow(book)
        if flow is None:
            return replace(it, do="handoff")
        return replace(it, do="goto", goto=flow, say=None if barta else it.say)
    if it.do == "goto" and barta:
        return replace(it, say=None)
    return it


def matchers(book: FlowBook) -> tuple[norm.Matcher, ...]:
    """The book's intent keywords, compiled once (their vocabulary joins fuzzy matching)."""
    cached = _compiled.get(id(book))
    if cached is None or cached[0] is not book:
        compiled = tuple(norm.compile_keywords(list(i.match)) for i in all_intents(book))
        if len(_compiled) >= _BOOKS:
            _compiled.clear()
        cached = _compiled[id(book)] = (book, compiled)
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
        reason = WANTS_TO_ORDER if it.use == ORDER.name else it.id
        out.append(Handoff(text=text, reason=reason, priority=it.priority))
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


def carry_on(book: FlowBook, turn: Turn, step: Step, out: list[Action]) -> None:
    """After a valid answer to ``step``: its choice's goto, else the rest of the flow."""
    choice = next((c for c in step.choices if c.key == turn.answers.get(step.id)), None)
    if choice is not None and choice.goto:
        runner.start_flow(book, turn, choice.goto, out)
    else:
        runner.resume(book, turn, out)


def set_language(
    book: FlowBook, turn: Turn, lang: str, out: list[Action], before: str | None = None
) -> None:
    """Write in ``lang`` from now on, and say so, when the book has it and it is new."""
    if lang not in book.settings.languages:
        return
    turn.state["language_set"] = True
    if lang != (before or turn.language):
        turn.language = lang
        out.append(Say(text=_(lang, "Sure, I'll write in English from now on.")))
    else:  # asked for the language they already have: say so, never nothing
        out.append(Say(text=_(lang, "Sure, I'm writing in English.")))
