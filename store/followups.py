"""Follow-ups: which conversations are silent, and one claim per rule and silence.

A silence is named by its anchor, the conversation's ``last_customer_at``: when the customer
writes again the anchor moves, so every claim of the old silence stops counting. A claim is
an INSERT under ``UNIQUE(conversation_id, rule, anchor)`` inside the scheduler's
``BEGIN IMMEDIATE``, so two schedulers can never both queue one follow-up.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlite_utils

CANCELLED = "cancelled: the customer wrote again"


def silent(
    db: sqlite_utils.Database,
    stages: Iterable[str] | None,
    silent_before: float,
    since: float,
) -> list[int]:
    """Conversations in ``stages`` (None: any) whose customer last wrote between ``since``
    and ``silent_before`` and that the bot may still write to (no opt-out, no human hold,
    no open handoff, reachable)."""
    where = ""
    if stages is not None:
        stages = sorted(set(stages))
        if not stages:
            return []
        where = f"c.stage IN ({', '.join('?' for _ in stages)}) AND "
    rows = db.execute(
        f"SELECT c.id FROM conversations c WHERE {where}"
        "c.opted_out = 0 AND c.bot_paused = 0 AND c.unreachable = 0 "
        "AND c.last_customer_at IS NOT NULL AND c.last_customer_at <= ? "
        "AND c.last_customer_at > ? "
        "AND NOT EXISTS (SELECT 1 FROM queue q WHERE q.conversation_id = c.id "
        "AND q.status IN ('waiting', 'claimed')) "
        "ORDER BY c.last_customer_at",
        (*(stages or ()), silent_before, since),
    ).fetchall()
    return [r[0] for r in rows]


def has_open_handoff(db: sqlite_utils.Database, conversation_id: int) -> bool:
    return (
        db.execute(
            "SELECT 1 FROM queue WHERE conversation_id = ? AND status IN ('waiting', 'claimed')",
            (conversation_id,),
        ).fetchone()
        is not None
    )


def claims(db: sqlite_utils.Database, conversation_id: int, anchor: float) -> dict[str, str]:
    """The rules already decided for this silence: rule id → status."""
    rows = db.execute(
        "SELECT rule, status FROM followups WHERE conversation_id = ? AND anchor = ?",
        (conversation_id, anchor),
    ).fetchall()
    return {r[0]: r[1] for r in rows}


def claim(
    db: sqlite_utils.Database,
    conversation_id: int,
    rule: str,
    anchor: float,
    now: float,
    *,
    status: str = "queued",
    reason: str | None = None,
) -> int | None:
    """Record one rule's decision for one silence; None if it was decided already."""
    rows = db.execute(
        "INSERT INTO followups (conversation_id, rule, anchor, status, reason, at) "
        "VALUES (?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (conversation_id, rule, anchor) DO NOTHING RETURNING id",
        (conversation_id, rule, anchor, status, reason, now),
    ).fetchall()
    return rows[0][0] if rows else None


def attach_outbox(db: sqlite_utils.Database, claim_id: int, outbox_id: int) -> None:
    db.execute("UPDATE followups SET outbox_id = ? WHERE id = ?", (outbox_id, claim_id))


def last_reply_at(db: sqlite_utils.Database, psid: str) -> float | None:
    """When the bot or staff last queued a message to this customer, follow-ups aside."""
    row = db.execute(
        "SELECT max(created_at) FROM outbox WHERE psid = ? AND sender != 'followup'", (psid,)
    ).fetchone()
    return row[0]


def note_sent(db: sqlite_utils.Database, conversation_id: int, count: int, now: float) -> None:
    """``followups_sent``: follow-ups since the customer last wrote (inside a write_tx)."""
    db.execute(
        "UPDATE conversations SET followups_sent = ?, last_bot_at = ? WHERE id = ?",
        (count, now, conversation_id),
    )


def note_window_closed(db: sqlite_utils.Database, conversation_id: int) -> None:
    """Staff see "window closed — wait for the customer" (inside a write_tx)."""
    db.execute(
        "UPDATE conversations SET window_note = 'window_closed' WHERE id = ?", (conversation_id,)
    )


def cancel_stale(db: sqlite_utils.Database) -> int:
    """Drop queued follow-ups not yet sent to a customer who has written since (inside a
    write_tx); returns how many."""
    rows = db.execute(
        "UPDATE outbox SET status = 'failed', error = ? "
        "WHERE sender = 'followup' AND status = 'pending' AND created_at < "
        "(SELECT c.last_customer_at FROM conversations c WHERE c.id = outbox.conversation_id) "
        "RETURNING id",
        (CANCELLED,),
    ).fetchall()
    ids = [r[0] for r in rows]
    if ids:
        marks = ", ".join("?" for _ in ids)
        db.execute(
            f"UPDATE followups SET status = 'cancelled', reason = 'customer wrote' "
            f"WHERE outbox_id IN ({marks})",
            ids,
        )
    return len(ids)


def history(db: sqlite_utils.Database, conversation_id: int) -> list[dict]:
    """Every follow-up decision of one conversation, oldest first (workspace, tests)."""
    rows = db.execute(
        "SELECT rule, anchor, status, reason, outbox_id, at FROM followups "
        "WHERE conversation_id = ? ORDER BY id",
        (conversation_id,),
    ).fetchall()
    keys = ("rule", "anchor", "status", "reason", "outbox_id", "at")
    return [dict(zip(keys, r, strict=True)) for r in rows]
