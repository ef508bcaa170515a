"""A simulator session's own clock and book: a moved clock ("+3 h") and a draft's flows.

The simulator (bot.staff.simulator) asks here which book and which time a test customer's
session runs on, and hands such a session's events to an engine of its own.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from flask import current_app, g, session

from bot.conversation.engine import Engine
from bot.messenger.events import Event
from bot.staff.lang import ui_lang
from store import conversations
from store.db import claim_customer, write_tx

MAX_OFFSET = 8 * 24 * 3600.0  # the clock moves at most 8 days ahead (past any follow-up)


def _runtime():
    return current_app.extensions["barta"]


# --- a session's own clock and book (a moved clock; a draft from the editor) ----------------
#
# A session whose clock was moved ("+3 h") or that tries a draft is handled here, in the
# request, by an engine of its own (the draft's book, the clock moved by the offset):
# its events never enter the inbox the live engine reads, so real customers stay on
# real time and the live flows.


def _offset() -> float:
    try:
        return max(0.0, min(float(session.get("sim_offset") or 0), MAX_OFFSET))
    except (TypeError, ValueError):
        return 0.0


def _now() -> float:
    return _runtime().clock() + _offset()


def _book():
    """The book of this session: its draft's, or the one in force."""
    did = session.get("sim_draft")
    if did:
        from bot.staff.editor import draft_book

        book = draft_book(did)
        if book is not None:
            return book
    return current_app.config["BOOK"]


def _own_engine() -> bool:
    return bool(session.get("sim_draft")) or _offset() > 0


def _handle_now(event: Event) -> None:
    rt = _runtime()
    offset = _offset()
    engine = Engine(_book(), clock=lambda: rt.clock() + offset)
    db = rt.db()
    with write_tx(db, ahead=True):
        claim_customer(db, event.psid, wait=True)  # as the engine's loop does (PostgreSQL)
        now = engine.clock()
        conv, _new = conversations.get_or_create(db, event.psid, now)
        engine.handle(db, conv, event, now)
        conversations.save(db, conv, now)
    rt.sender.kick(event.psid)
    rt.wake_sender.set()


def _words_of(book) -> None:
    """The workspace's words in this request (questions, choices' labels, stage names,
    the timezone: bot.staff.wording and present) come from this session's book."""
    g.wording_book = book


def _clock_text(book) -> str:
    """The session's time as the workspace writes times, with the day of the week (business
    hours depend on it): "শনিবার, ২ জানুয়ারি, বিকেল ৩:০০", "Saturday, 2 Jan, 3:00 PM"."""
    from bot.staff.present import fmt_time

    now = _now()
    when = datetime.fromtimestamp(now, ZoneInfo(book.settings.timezone))
    day = format_datetime(when, "EEEE", locale=ui_lang())
    return f"{day}, {fmt_time(now)}"


def _offset_text() -> str:
    """How far this session's clock is ahead ("+3 h 0 min", "+৩ ঘণ্টা ০ মিনিট"), or ""."""
    from bot.staff.present import fmt_wait

    offset = _offset()
    return "+" + fmt_wait(offset) if offset > 0 else ""
