"""Follow-ups for silent leads, within Messenger's 24-hour messaging window.

One loop per process wakes every ``interval`` seconds and runs ``tick()``: for each
conversation that has been silent long enough for a ``followups:`` rule, it decides inside
one ``BEGIN IMMEDIATE`` transaction, claims the rule for that silence in the ``followups``
table (unique per conversation, rule and silence) and queues the message in the same
transaction — so several processes may run the loop and each follow-up still goes once.

Rules, from shared/messenger/README.md §4 and issue #5:

* a silence starts at the customer's last message (``last_customer_at``, the anchor) and is
  measured from the later of that and the last bot or staff reply; a rule is due ``after``
  seconds into it. A customer who writes again moves the anchor: what was pending for the
  old silence is dropped, and a queued reminder not yet sent is cancelled;
* follow-ups go as ``UPDATE`` and only while the window is open (with a margin, so the
  sender has time); a due follow-up the window no longer allows is skipped, the lead
  is marked ``window_note='window_closed'`` and the text is logged as not sent, for staff;
* none to a customer who opted out, whom a person holds (``bot_paused`` or an open
  handoff), or who cannot be reached;
* in quiet hours (business timezone, default 22:00–08:00) a due follow-up waits for the
  morning if the window is still open then, else it is skipped and the lead marked;
* at most ``settings.followup_limit`` follow-ups per silence: the count starts again when
  the customer writes, so a customer who answers is never punished for it, and one who
  does not hears from us at most that many times. When several rules fall due at once
  (the loop was down), only the latest one is sent.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlite_utils

from bot.book.types import FlowBook, Followup
from bot.conversation import hours, runner
from bot.messenger import bodies
from bot.messenger.policy import HUMAN_AGENT_WINDOW, SCHEDULER_MARGIN, WINDOW
from store import conversations, followups, outbox
from store.db import connect, notify, write_tx

log = logging.getLogger(__name__)

INTERVAL = 30.0  # seconds between ticks
# A follow-up is queued only if at least this much of the window is left, so a short
# sender backoff cannot push it past the 24 hours.


class Scheduler:
    """Finds due follow-ups and queues them; ``run`` loops, ``tick`` is one pass."""

    def __init__(
        self,
        book: FlowBook,
        db_path: str,
        *,
        clock: Callable[[], float] = time.time,
        wake: threading.Event | None = None,
        interval: float = INTERVAL,
    ) -> None:
        self.book = book
        self.db_path = db_path
        self.clock = clock
        self.wake = wake
        self.interval = interval
        s = book.settings
        self.default_lang = s.languages[0]
        self.zone = ZoneInfo(s.timezone)
        # () when the owner wants none; a start and an end otherwise (checked by the book)
        self.quiet: tuple[str, str] | None = (
            (s.quiet_hours[0], s.quiet_hours[1]) if s.quiet_hours else None
        )
        self.limit = s.followup_limit
        self.rules = tuple(book.followups)
        self._local = threading.local()
        # Several Pages (bot.pages.Pages: ``book(page_id)``, ``books()``), set by the
        # runtime: each conversation follows its Page's rules. None: this book's only.
        self.pages: Any = None
        self._per_book: dict[int, tuple[FlowBook, Scheduler]] = {}

    def _all_rules(self) -> tuple[Followup, ...]:
        if self.pages is None:
            return self.rules
        return tuple(r for book in self.pages.books().values() for r in book.followups)

    def _for(self, conv: dict) -> Scheduler:
        """The scheduler of the conversation's Page's book (made once per book)."""
        book = self.pages.book(conv["page_id"])
        if book is self.book:
            return self
        found = self._per_book.get(id(book))
        if found is None or found[0] is not book:
            one = Scheduler(book, self.db_path, clock=self.clock, wake=self.wake,
                            interval=self.interval)  # fmt: skip
            if len(self._per_book) > 64:  # old books of reloaded files
                self._per_book.clear()
            found = self._per_book[id(book)] = (book, one)
        return found[1]

    def _db(self) -> sqlite_utils.Database:
        db = getattr(self._local, "db", None)
        if db is None:
            db = self._local.db = connect(self.db_path)
        return db

    def run(self, stop: threading.Event) -> None:
        """Tick until ``stop`` is set."""
        while not stop.is_set():
            try:
                self.tick()
            except Exception:
                log.exception("follow-up scheduler failed; trying again at the next tick")
            stop.wait(self.interval)

    def tick(self, db: sqlite_utils.Database | None = None) -> list[int]:
        """One pass: queue every due follow-up; returns the outbox ids queued."""
        rules = self._all_rules()
        if not rules:
            return []
        db = db or self._db()
        now = self.clock()
        with write_tx(db):
            cancelled = followups.cancel_stale(db)
        if cancelled:
            log.info("cancelled %s follow-up(s): the customer wrote again", cancelled)
        shortest = min(r.after for r in rules)
        # Silences older than 7 days are past anything Messenger allows, even to staff.
        stages = None if any(not r.stage for r in rules) else {r.stage for r in rules if r.stage}
        ids = followups.silent(db, stages, now - shortest, now - HUMAN_AGENT_WINDOW)
        queued = []
        for conversation_id in ids:
            try:
                outbox_id = self._one(db, conversation_id, now)
            except Exception:
                log.exception("follow-up for conversation %s failed", conversation_id)
                continue
            if outbox_id is not None:
                queued.append(outbox_id)
        if queued and self.wake is not None:
            self.wake.set()
        return queued

    # --- one conversation, one transaction ---------------------------------------------

    def _due(self, db: sqlite_utils.Database, conv: dict, now: float) -> tuple[list, dict]:
        """The rules due now for this silence, and what was decided for it already."""
        anchor = conv["last_customer_at"]
        done = followups.claims(db, conv["id"], anchor)
        since = max(anchor, followups.last_reply_at(db, conv["psid"]) or anchor)
        due = [r for r in self.rules if str(r.id) not in done and now >= since + r.after]
        if due:
            labels = set(conversations.labels(db, conv["id"]))
            due = [r for r in due if _matches(r, conv, labels)]
        return due, done

    def _one(self, db: sqlite_utils.Database, conversation_id: int, now: float) -> int | None:
        # A cheap look first, outside any transaction: most silent leads have nothing due.
        conv = conversations.get(db, conversation_id)
        if conv is not None and self.pages is not None and (other := self._for(conv)) is not self:
            return other._one(db, conversation_id, now)  # its Page's rules
        if conv is None or not self._may_write(db, conv) or not self._due(db, conv, now)[0]:
            return None
        if self._waits_for_morning(conv, now):
            return None
        with write_tx(db):
            # Decide again inside BEGIN IMMEDIATE: the customer may have written meanwhile
            # (PostgreSQL: and wait for the engine if it is handling them right now).
            conversations.lock(db, conversation_id)
            conv = conversations.get(db, conversation_id)
            if conv is None or not self._may_write(db, conv):
                return None
            due, done = self._due(db, conv, now)
            if not due:
                return None
            anchor = conv["last_customer_at"]
            window_end = anchor + WINDOW - SCHEDULER_MARGIN

            def skip(rules, reason: str) -> None:
                for r in rules:
                    followups.claim(db, conversation_id, str(r.id), anchor, now,
                                    status="skipped", reason=reason)  # fmt: skip

            if now >= window_end:
                skip(due, "window_closed")
                followups.note_window_closed(db, conversation_id)
                self._not_sent(db, conv, max(due, key=lambda r: r.after), now)
                return None
            sent = sum(1 for status in done.values() if status == "queued")
            if sent >= self.limit:
                skip(due, "limit")
                return None
            if self._quiet(now):
                if self._waits_for_morning(conv, now):
                    return None  # the window still allows it in the morning
                skip(due, "quiet_hours")
                followups.note_window_closed(db, conversation_id)
                self._not_sent(db, conv, max(due, key=lambda r: r.after), now)
                return None
            rule = max(due, key=lambda r: r.after)
            skip([r for r in due if r is not rule], "superseded")
            claim_id = followups.claim(db, conversation_id, str(rule.id), anchor, now)
            if claim_id is None:  # decided by another scheduler a moment ago
                return None
            outbox_id = self._queue(db, conv, rule, now)
            followups.attach_outbox(db, claim_id, outbox_id)
            followups.note_sent(db, conversation_id, sent + 1, now)
            notify(db, "outbox")  # PostgreSQL: the senders of other processes too, at COMMIT
            return outbox_id

    def _quiet(self, now: float) -> bool:
        return self.quiet is not None and hours.in_quiet_hours(
            self.quiet, datetime.fromtimestamp(now, self.zone)
        )

    def _waits_for_morning(self, conv: dict, now: float) -> bool:
        """In quiet hours, with the window still open when they end."""
        if self.quiet is None or not self._quiet(now):
            return False
        morning = hours.quiet_end(self.quiet, datetime.fromtimestamp(now, self.zone))
        return morning.timestamp() < conv["last_customer_at"] + WINDOW - SCHEDULER_MARGIN

    def _may_write(self, db: sqlite_utils.Database, conv: dict) -> bool:
        return bool(
            conv["last_customer_at"] is not None
            and not conv["opted_out"]
            and not conv["bot_paused"]
            and not conv["unreachable"]
            and not followups.has_open_handoff(db, conv["id"])
        )

    def _not_sent(self, db: sqlite_utils.Database, conv: dict, rule: Followup, now: float) -> None:
        """A follow-up the window no longer allows: logged, marked, for staff to see."""
        turn = runner.Turn.from_conversation(
            conv, language=self.default_lang, now=datetime.fromtimestamp(now, self.zone)
        )
        text = runner.render(self.book, turn, rule.say)
        conversations.log_message(db, conv["id"], "out", "bot", text, now,
                                  data={"followup": str(rule.id), "not_sent": "window_closed"})  # fmt: skip

    def _queue(self, db: sqlite_utils.Database, conv: dict, rule: Followup, now: float) -> int:
        turn = runner.Turn.from_conversation(
            conv, language=self.default_lang, now=datetime.fromtimestamp(now, self.zone)
        )
        text = runner.render(self.book, turn, rule.say)
        first: int | None = None
        for part in bodies.split_text(text) or [text]:
            body = bodies.message({"text": part}, messaging_type="UPDATE")
            outbox_id = outbox.enqueue(db, conv["id"], conv["psid"], body, now,
                                       sender="followup", page_id=conv["page_id"])  # fmt: skip
            conversations.log_message(db, conv["id"], "out", "bot", part, now,
                                      data={"followup": str(rule.id)}, outbox_id=outbox_id)  # fmt: skip
            first = first or outbox_id
        assert first is not None  # split_text gives at least one part
        return first


def _matches(rule: Followup, conv: dict, labels: set[str]) -> bool:
    """The rule's stage, and its ``answer:`` and ``label:`` conditions if given."""
    if rule.stage and rule.stage != conv["stage"]:
        return False
    if rule.label and rule.label not in labels:
        return False
    answer: Mapping | None = rule.answer
    if answer:
        answers = conv["answers"] or {}
        for key, want in answer.items():
            have = answers.get(key)
            if isinstance(want, list | tuple | set | frozenset):
                if not any(_same(have, w) for w in want):
                    return False
            elif not _same(have, want):
                return False
    return True


def _same(have, want) -> bool:
    if have is None:
        return want is None
    if isinstance(want, bool) or isinstance(have, bool):
        return have is want or str(have).lower() == str(want).lower()
    if isinstance(want, int | float) and isinstance(have, int | float):
        return have == want
    return str(have) == str(want)


def init_app(app) -> None:
    """Give the runtime a scheduler when a Page's flows have follow-ups."""
    runtime = app.extensions["barta"]
    runtime.need_scheduler()
