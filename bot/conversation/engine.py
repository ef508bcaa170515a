"""The engine: one conversation per write transaction — load, decide, write.

``decide`` (pure) says what an event leads to; this is the only place where those Actions
become rows: conversation state, the message log, stage changes, the handoff queue and the
outbox, all in the same ``BEGIN IMMEDIATE`` transaction, so a crash at any moment loses
nothing. The bookkeeping of events that need no decision (echoes, handovers, edits, standby)
stays in ``handle``. The writing itself is ``bot.conversation.write`` (``Writer``); what staff
do (reply, release, resolve, unclaim, assign, move a stage) is ``bot.conversation.takeover``
(``Takeover``), both parts of the ``Engine``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, Protocol
from zoneinfo import ZoneInfo

import sqlite_utils

from bot.book.types import FlowBook
from bot.conversation import comments
from bot.conversation.decide import decide, matchers
from bot.conversation.runner import Action, Turn
from bot.conversation.stages import StageMachine
from bot.conversation.takeover import Takeover
from bot.i18n import gettext as _
from bot.messenger import bodies
from bot.messenger.events import Event
from store import conversations, inbox, outbox, queue
from store.db import claim_customer, is_postgres, write_tx

log = logging.getLogger(__name__)


class Router(Protocol):
    """What the engine asks of the Pages (bot.pages.Pages), passed in by the runtime."""

    def engine_for(self, page_id: str) -> Engine: ...

    def page_for_entry(self, entry_id: str) -> str: ...


class Engine(Takeover):
    """Turns inbox events into replies for one FlowBook (writing: ``Writer``; what staff do:
    ``Takeover``)."""

    def __init__(
        self,
        book: FlowBook,
        *,
        app_id: str | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.book = book
        self.machine = StageMachine(book)
        self.app_id = str(app_id) if app_id else None
        self.clock = clock
        self.default_lang = book.settings.languages[0]
        self.zone = ZoneInfo(book.settings.timezone)
        matchers(book)  # intents' words join fuzzy matching before the first message
        self._single: set[str] = set()  # customers whose events failed: one per transaction
        # Wakes the names worker (set by the runtime when online); never the network here.
        self.wants_name: Callable[[], None] | None = None
        # Several Pages (bot.pages.Pages, set by the runtime once a Page is added): each
        # conversation is handled by its Page's Engine. None: one Page, as always.
        self.pages: Router | None = None  # Writer declares it; Router says what it is

    # --- the inbox loop ------------------------------------------------------------------

    def process_next(self, db: sqlite_utils.Database) -> str | None:
        """Handle one customer's pending events; their psid, or None when the inbox is empty."""
        if not is_postgres(db):
            psid = inbox.next_psid(db)
            if psid is not None:
                self.process(db, psid)
            return psid
        # PostgreSQL: other processes take customers too; go down the oldest few until one
        # is free (claim_customer).
        # Every one taken: wait for the longest waiting (as SQLite's writers wait their turn),
        # so that a caller who drains the inbox finds it drained.
        psids = inbox.next_psids(db, 16)
        for psid in psids:
            if self.process(db, psid):
                return psid
        if psids:
            self.process(db, psids[0], wait=True)
            return psids[0]
        return None

    def process(self, db: sqlite_utils.Database, psid: str, *, wait: bool = False) -> bool:
        """Handle one customer's pending events (if another thread has not already).

        False when another process or thread holds this customer right now (PostgreSQL),
        unless ``wait``: then wait for it to finish, and handle what it left.
        """
        limit = 1 if psid in self._single else 50
        first_id = None
        name_due = False
        try:
            with write_tx(db, ahead=True):
                if not claim_customer(db, psid, wait=wait):
                    return False
                rows = inbox.pending_for(db, psid, limit)
                if not rows:
                    return True
                first_id = rows[0][0]
                now = self.clock()
                if psid.startswith(comments.INBOX_PREFIX):  # a Page comment: no conversation
                    for _id, _kind, event_json, _attempts in rows:
                        self._comment(db, Event.from_json(event_json), now)
                    inbox.mark_done(db, [r[0] for r in rows], now)
                    return True
                conv = conversations.by_psid(db, psid)
                if conv is None and not any(r[1] in CREATES for r in rows):
                    # a receipt, reaction or echo of someone we never talked to: no lead
                    for _id, kind, event_json, _attempts in rows:
                        if kind == "echo":  # our own send may still wait for its answer
                            ev = Event.from_json(event_json)
                            outbox.confirm_by_echo(db, ev.metadata, ev.mid, now)
                    inbox.mark_done(db, [r[0] for r in rows], now)
                    return True
                if conv is None:  # looked up just above: no second read
                    conv = conversations.create(db, psid, now, page_id=self._page_of(rows))
                elif not conv["page_id"] and not psid.startswith(conversations.SIMULATOR_PREFIX):
                    # written before Barta knew Pages: the Page it is on, from now on
                    page_id = self._page_of(rows)
                    if page_id:
                        conversations.set_page(db, conv, page_id)
                engine = self.engine_of(conv)
                for _id, _kind, event_json, _attempts in rows:
                    engine.handle(db, conv, Event.from_json(event_json), now)
                conversations.save(db, conv, now)
                inbox.mark_done(db, [r[0] for r in rows], now)
                name_due = conv["last_customer_at"] is not None and conversations.name_due(
                    conv, now
                )
        except Exception as e:
            log.exception("handling events of %s failed", psid)
            if limit > 1:
                self._single.add(psid)  # find the one event that fails
                return True
            if first_id is not None and inbox.record_failure(db, first_id, repr(e), self.clock()):
                self._give_up(db, psid)
            return True
        self._single.discard(psid)
        if name_due and self.wants_name is not None:
            self.wants_name()  # after the commit: the worker reads what was written
        return True

    def _page_of(self, rows: list) -> str:
        """The Page a customer wrote to: that of their first event that creates a
        conversation, through the Pages' entry ids (an Instagram account's Page).

        Meta's own id even when the Page was never added (``page add``): it is answered by
        the default flows and token, and by its own as soon as it is added.
        """
        for _id, kind, event_json, _attempts in rows:
            if kind in CREATES:
                entry = Event.from_json(event_json).page_id
                return entry if self.pages is None else self.pages.page_for_entry(entry)
        return ""

    def _comment(self, db: sqlite_utils.Database, ev: Event, now: float) -> None:
        """A Page comment, answered with its Page's rules and token."""
        if self.pages is None:
            comments.handle(self.book, db, ev, now)
            return
        page_id = self.pages.page_for_entry(ev.page_id)
        comments.handle(self.pages.engine_for(page_id).book, db, ev, now, page_id=page_id)

    def _give_up(self, db: sqlite_utils.Database, psid: str) -> None:
        """An event failed for good: apologise once and hand the customer to a human."""
        if psid.startswith(comments.INBOX_PREFIX):
            return  # a comment's events: nobody to apologise to (the inbox row says why)
        try:
            with write_tx(db):
                claim_customer(db, psid, wait=True)  # PostgreSQL: after the customer's others
                now = self.clock()
                conv, _created = conversations.get_or_create(db, psid, now)
                lang = conv["language"] or self.engine_of(conv).default_lang
                if not conv["bot_paused"]:
                    text = _(
                        lang,
                        "Sorry, something went wrong on our side. A team member will get back to you soon.",
                    )
                    self._send(db, conv, bodies.message({"text": text}), text, now)
                    queue.enqueue(db, conv["id"], "error", now)
                    conv["bot_paused"] = 1
                conversations.save(db, conv, now)
        except Exception:
            log.exception("could not hand %s over after a failure", psid)

    # --- one event -------------------------------------------------------------------------

    def handle(self, db: sqlite_utils.Database, conv: dict, ev: Event, now: float) -> None:
        """Decide and write everything one event causes, inside the caller's transaction."""
        kind = ev.kind
        if ev.channel != conv.get("channel", "messenger"):  # an Instagram DM (IGSID)
            conversations.set_channel(db, conv, ev.channel)
        if kind == "echo":
            return self._echo(db, conv, ev, now)
        if kind == "handover":
            return self._handover(db, conv, ev, now)
        if kind == "edit":
            if ev.mid and ev.text is not None:
                conversations.edit_message(db, ev.mid, ev.text)
            return None
        if kind in ("read", "delivery", "reaction", "optin"):
            return None  # watermarks and reactions need no reply
        if kind not in ("message", "postback", "referral"):
            return None

        new = conv["last_customer_at"] is None
        conv["last_customer_at"] = now
        conv["window_note"] = None
        conv["unreachable"] = 0
        if ev.referral:
            self._referral(conv, ev, now)
        if kind != "referral":
            self._log_in(db, conv, ev, now)
        # Every open handoff pauses the bot (write.py, takeover.py, _echo, _handover), so the
        # flag alone tells: no queue read on the hot path.
        if ev.standby or conv["bot_paused"]:
            # One voice: a person holds the lead (another app, such as Meta's inbox, owns
            # the thread when the event came on standby); it waits for them, never for nobody.
            if kind != "referral":  # a referral is where they came from, not a message
                self._hold(db, conv, _preview(ev), now, standby=ev.standby)
            return None
        turn = self._turn(db, conv, now)
        out = comments.answered(self.book, turn, ev)  # the flow a private reply named
        self._apply(db, conv, turn, self._message(turn, ev, new) if out is None else out, now)
        if conv["bot_paused"]:  # handed over just now: the message that did it shows
            queue.note_customer(db, conv["id"], _preview(ev), now)
        return None

    def _referral(self, conv: dict, ev: Event, now: float) -> None:
        """Where the customer came from: a new lead's source; a known customer's new link
        or ad joins the source history (the lead keeps the source that brought it)."""
        source = {k: v for k, v in dict(ev.referral or {}).items() if v is not None}
        if not conv["source"]:
            conv["source"] = source
        history = conv["state"].setdefault("sources", [])
        history.append({**{k: source[k] for k in SOURCE_KEYS if k in source}, "at": now})
        del history[:-SOURCE_HISTORY]

    def _hold(
        self,
        db: sqlite_utils.Database,
        conv: dict,
        preview: str | None,
        now: float,
        *,
        standby: bool = False,
    ) -> None:
        """A customer message while a person holds the lead: unread, previewed, moved up."""
        if queue.open_for(db, conv["id"]) is None:
            if standby:
                queue.take(db, conv["id"], queue.PAGE_INBOX, "page_inbox", now)
            else:  # paused with nobody responsible (an older database): the queue has it
                queue.enqueue(db, conv["id"], "paused", now)
        conv["bot_paused"] = 1
        queue.note_customer(db, conv["id"], preview, now)

    def _handover(self, db: sqlite_utils.Database, conv: dict, ev: Event, now: float) -> None:
        """Conversation Routing moved the thread: to us is back to the bot, away is a person."""
        to_us = self.app_id is None or ev.new_owner_app_id == self.app_id
        if ev.action == "pass" and to_us:
            held = queue.open_for(db, conv["id"])
            if held is not None:
                queue.close(db, held["id"], "released", now)
            if held is not None or conv["bot_paused"]:  # else we held the thread all along
                self._resume(db, conv, now)
        elif ev.action == "take" and not (self.app_id and ev.new_owner_app_id == self.app_id):
            queue.take(db, conv["id"], queue.PAGE_INBOX, "page_inbox", now, keep=True)
            conv["bot_paused"] = 1

    def _message(self, turn: Turn, ev: Event, new: bool) -> list[Action]:
        """Decide a message, postback or referral (the seam tests break to make one fail)."""
        return decide(self.book, turn, ev, new)

    def _log_in(self, db: sqlite_utils.Database, conv: dict, ev: Event, now: float) -> None:
        data: dict[str, Any] | None = None
        if ev.attachments:
            data = {"attachments": [dict(a) for a in ev.attachments]}
        if ev.kind == "postback":
            text = ev.title or ev.payload
            data = {"payload": ev.payload}
        else:
            text = ev.text
        if ev.quick_reply:
            data = {"payload": ev.payload}
        conversations.log_message(
            db, conv["id"], "in", "customer", text, now, data=data, mid=ev.mid
        )

    def _echo(self, db: sqlite_utils.Database, conv: dict, ev: Event, now: float) -> None:
        ours = (self.app_id is not None and ev.app_id == self.app_id) or outbox.confirm_by_echo(
            db, ev.metadata, ev.mid, now
        )
        if ours:
            outbox.confirm_by_echo(db, ev.metadata, ev.mid, now)
            return
        # A person answered from Meta's own inbox: note it, step aside, and the queue shows
        # the lead as theirs (a claim a staff member holds stays theirs); a response in stats.
        conversations.log_message(db, conv["id"], "out", "page", ev.text, now, mid=ev.mid)
        queue.take(db, conv["id"], queue.PAGE_INBOX, "page_inbox", now, keep=True)
        queue.note_response(db, conv["id"], now)
        conv["bot_paused"] = 1
        conv["last_staff_at"] = now


SOURCE_KEYS = ("ref", "source", "type", "ad_id")  # what the source history keeps of each
SOURCE_HISTORY = 20
# Events that start a conversation; the others (receipts, reactions, echoes, edits) only
# update one we already have.
CREATES = ("message", "postback", "referral", "handover", "optin")


def _preview(ev: Event) -> str | None:
    """The customer's message as the queue shows it: text, button title, or what arrived."""
    if ev.text:
        return ev.text
    if ev.kind == "postback":
        return ev.title or ev.payload
    if ev.attachments:
        kinds = ", ".join(str(a.get("type") or "file") for a in ev.attachments)
        return f"[{kinds}]"
    return None
