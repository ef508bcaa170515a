"""Writing what a turn decided: the Actions become rows (replies, stage, labels, the queue).

``Writer`` is the part of the ``Engine`` that turns Actions into the message log, stage
changes, the handoff queue and the outbox, inside the caller's transaction; the Engine
(bot.conversation.engine) and the takeover (bot.conversation.takeover) build on it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlite_utils

from bot.book.types import FlowBook
from bot.conversation import hours, runner
from bot.conversation.runner import Action, Ask, Handoff, Label, Move, OptOut, Say, Turn
from bot.conversation.stages import StageMachine
from bot.i18n import gettext as _
from bot.messenger import bodies, policy
from store import conversations, outbox, queue

CONVERTED = "converted"
WINDOW_CLOSED = "window_closed"


class Writer:
    """Actions into rows for one FlowBook (the Engine sets these in its ``__init__``)."""

    book: FlowBook
    machine: StageMachine
    clock: Callable[[], float]
    default_lang: str
    zone: ZoneInfo
    pages: Any  # the Pages (bot.conversation.engine.Router) when several answer; else None

    def engine_of(self, conv: dict) -> Any:
        """The Engine of the conversation's Page (this one when there is one Page)."""
        pages = self.pages
        return self if pages is None else pages.engine_for(conv["page_id"])

    def _turn(self, db: sqlite_utils.Database, conv: dict, now: float) -> Turn:
        return Turn.from_conversation(
            conv,
            language=self.default_lang,
            now=datetime.fromtimestamp(now, self.zone),
            labels=conversations.labels(db, conv["id"]),
            can_move=self.machine.can_move,
        )

    def _apply(
        self, db: sqlite_utils.Database, conv: dict, turn: Turn, out: list[Action], now: float
    ) -> None:
        """Carry out the Actions: rows for replies, stage, labels and the queue."""
        conv.update(
            language=turn.language, answers=turn.answers, score=turn.score, flow=turn.flow,
            step=turn.step, retries=turn.retries, state=turn.state,
        )  # fmt: skip
        lang = turn.language
        default = self.default_lang
        currency = self.book.settings.currency
        # Plain texts in a row go out as one message, joined with the question or handoff
        # that follows: one notification on the customer's phone, one Send API call, and
        # no per-thread pacing between the parts of one answer.
        lead: list[str] = []

        def flush() -> None:
            if lead:
                text = "\n\n".join(lead)
                lead.clear()
                for part in bodies.split_text(text):
                    self._send(db, conv, bodies.message({"text": part}), part, now)

        for action in out:
            if (
                isinstance(action, Say)
                and action.text
                and not (action.image or action.buttons or action.cards)
            ):
                lead.append(action.text)
                continue
            if isinstance(action, Ask):
                prefix = "\n\n".join(lead)
                if len(prefix) + len(action.text or "") + 2 > policy.TEXT_LIMIT:
                    flush()
                    prefix = ""
                lead.clear()
                body, text, data = bodies.ask_body(action, lang, default, lead=prefix)
                self._send(db, conv, body, text, now, data=data)
                continue
            if isinstance(action, Handoff):
                prefix = "\n\n".join(lead)
                lead.clear()
                self._handoff(db, conv, action, lang, now, lead=prefix)
                conv["flow"] = conv["step"] = None
                break  # the bot is silent from here on
            flush()
            if isinstance(action, Say):
                for body, text, data in bodies.say_bodies(action, lang, default, currency):
                    self._send(db, conv, body, text, now, data=data)
            elif isinstance(action, Move):
                self._move(db, conv, action.stage, action.cause, now, turn=turn)
            elif isinstance(action, Label):
                conversations.add_label(db, conv["id"], action.name, now)
            elif isinstance(action, OptOut):
                conv["opted_out"] = 1
        flush()

    def _handoff(
        self,
        db: sqlite_utils.Database,
        conv: dict,
        action: Handoff,
        lang: str,
        now: float,
        lead: str = "",
    ) -> None:
        s = self.book.settings
        opens = hours.next_open(s.hours, now, s.timezone)
        when = hours.say_when(opens, now, lang) if opens is not None else ""
        if action.text is None:  # our default, which must not promise "shortly" when closed
            if opens is None:
                text = _(lang, "Thank you! One of our team will talk to you shortly.")
            else:
                text = _(lang, "Thank you! We are closed right now; our team will reply {when}.",
                         when=when)  # fmt: skip
        else:  # the owner's text ("" when an intent's say already spoke): add the hours
            text = action.text
            if opens is not None:
                closed = _(lang, "We are closed right now; our team will reply {when}.", when=when)
                text = f"{text} {closed}" if text else closed
        if lead and text and len(lead) + len(text) + 2 <= policy.TEXT_LIMIT:
            text = f"{lead}\n\n{text}"
        elif lead:
            self._send(db, conv, bodies.message({"text": lead}), lead, now)
        priority = 1 if action.priority == "high" else 0
        queue.enqueue(db, conv["id"], action.reason, now, priority=priority,
                      answer_by=opens.timestamp() if opens else None)  # fmt: skip
        conv["bot_paused"] = 1
        if text:
            self._send(db, conv, bodies.message({"text": text}), text, now)

    def _send(
        self,
        db: sqlite_utils.Database,
        conv: dict,
        body: dict,
        text: str | None,
        now: float,
        *,
        data: dict | None = None,
        sender: str = "bot",
        author: str | None = None,
    ) -> int:
        outbox_id = outbox.enqueue(
            db, conv["id"], conv["psid"], body, now, sender=sender, page_id=conv["page_id"]
        )
        conversations.log_message(
            db, conv["id"], "out", sender, text, now, data=data, outbox_id=outbox_id, author=author
        )
        conv["last_bot_at" if sender == "bot" else "last_staff_at"] = now
        return outbox_id

    def _move(
        self,
        db: sqlite_utils.Database,
        conv: dict,
        stage: str,
        cause: str,
        now: float,
        *,
        turn: Turn | None = None,
    ) -> None:
        old = conv["stage"]
        self.machine.check_move(old, stage)
        conv["stage"] = stage
        if turn is not None:
            turn.stage = stage
        conversations.record_stage(db, conv["id"], old, stage, cause, now)
        if stage == CONVERTED:
            conv["orders"] = (conv.get("orders") or 0) + 1  # a new purchase cycle counts again
        on_enter = self.book.stage(stage).on_enter
        if not on_enter:
            return
        t = turn or self._turn(db, conv, now)
        said: list[Action] = []
        for step in on_enter:
            runner.STEP_RUNNERS[step.kind](self.book, t, step, said)
        lang = t.language
        allowed = policy.in_window(conv["last_customer_at"], now) and not conv["unreachable"]
        for action in said:
            if not isinstance(action, Say):
                continue
            for body, text, data in bodies.say_bodies(
                action, lang, self.default_lang, self.book.settings.currency
            ):
                if allowed:
                    self._send(db, conv, body, text, now, data=data)
                else:  # never dropped silently: staff see what did not go, and why
                    conversations.log_message(db, conv["id"], "out", "bot", text, now,
                                              data={**(data or {}), "not_sent": WINDOW_CLOSED})  # fmt: skip
                    conv["window_note"] = WINDOW_CLOSED
