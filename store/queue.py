"""Handoffs: the human queue. The database decides who claims a lead, never the page."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import sqlite_utils

from store.db import lock_customer_of

OPEN = ("waiting", "claimed")
_COLUMNS = (
    "id", "conversation_id", "reason", "priority", "status", "claimed_by", "created_at",
    "claimed_at", "closed_at", "first_response_at", "answer_by", "unread", "last_message",
    "last_customer_at",
)  # fmt: skip
PAGE_INBOX = "page_inbox"  # who holds a lead answered from Meta's own Page inbox
PREVIEW = 200  # characters of the last customer message shown in the queue


def _row(row: tuple | None) -> dict[str, Any] | None:
    return None if row is None else dict(zip(_COLUMNS, row, strict=True))


def in_pages(pages: Sequence[str] | None, column: str = "c.page_id") -> tuple[str, list[str]]:
    """A condition keeping the conversations of ``pages`` (None: every Page; empty: none)
    and its parameters: the Page filter and the Pages an account is limited to."""
    if pages is None:
        return "1 = 1", []
    if not pages:
        return "1 = 0", []
    return f"{column} IN ({', '.join('?' for _ in pages)})", list(pages)


def enqueue(
    db: sqlite_utils.Database,
    conversation_id: int,
    reason: str,
    now: float,
    *,
    priority: int = 0,
    answer_by: float | None = None,
) -> int:
    """Open a handoff (inside the engine's write_tx); an open one is reused, priority raised."""
    current = open_for(db, conversation_id)
    if current is not None:
        db.conn.execute(
            "UPDATE queue SET priority = max(priority, ?) WHERE id = ?", (priority, current["id"])
        )
        return current["id"]
    cur = db.conn.execute(
        "INSERT INTO queue (conversation_id, reason, priority, created_at, answer_by) "
        "VALUES (?, ?, ?, ?, ?)",
        (conversation_id, reason, priority, now, answer_by),
    )
    assert cur.lastrowid is not None
    return cur.lastrowid


def lock(db: sqlite_utils.Database, handoff_id: int) -> None:
    """Inside a write_tx, first: this transaction alone changes the handoff and its
    conversation until it ends (the engine's lock on the customer; see store.db)."""
    lock_customer_of(
        db,
        "SELECT c.psid FROM queue q JOIN conversations c ON c.id = q.conversation_id "
        "WHERE q.id = ?",
        (handoff_id,),
    )


def get(db: sqlite_utils.Database, handoff_id: int) -> dict[str, Any] | None:
    return _row(
        db.conn.execute(
            f"SELECT {', '.join(_COLUMNS)} FROM queue WHERE id = ?", (handoff_id,)
        ).fetchone()
    )


def open_for(db: sqlite_utils.Database, conversation_id: int) -> dict[str, Any] | None:
    return _row(
        db.conn.execute(
            f"SELECT {', '.join(_COLUMNS)} FROM queue "
            "WHERE conversation_id = ? AND status IN ('waiting', 'claimed')",
            (conversation_id,),
        ).fetchone()
    )


def claim(db: sqlite_utils.Database, handoff_id: int, staff: str, now: float) -> bool:
    """True for the first claimer only: one conditional UPDATE decides."""
    rows = db.conn.execute(
        "UPDATE queue SET status = 'claimed', claimed_by = ?, claimed_at = ? "
        "WHERE id = ? AND status = 'waiting' RETURNING id",
        (staff, now, handoff_id),
    ).fetchall()
    return bool(rows)


def close(db: sqlite_utils.Database, handoff_id: int, status: str, now: float) -> bool:
    """Release (back to the bot) or resolve an open handoff."""
    rows = db.conn.execute(
        "UPDATE queue SET status = ?, closed_at = ? "
        "WHERE id = ? AND status IN ('waiting', 'claimed') RETURNING id",
        (status, now, handoff_id),
    ).fetchall()
    return bool(rows)


def take(
    db: sqlite_utils.Database,
    conversation_id: int,
    staff: str,
    reason: str,
    now: float,
    *,
    keep: bool = False,
) -> int:
    """Open a handoff claimed by ``staff``, or claim the open one (``keep``: leave a claim
    someone else holds as it is). Read: whoever takes it has seen the conversation."""
    current = open_for(db, conversation_id)
    if current is None:
        cur = db.conn.execute(
            "INSERT INTO queue (conversation_id, reason, status, claimed_by, created_at, "
            "claimed_at) VALUES (?, ?, 'claimed', ?, ?, ?)",
            (conversation_id, reason, staff, now, now),
        )
        assert cur.lastrowid is not None
        return cur.lastrowid
    if not (keep and current["status"] == "claimed") and current["claimed_by"] != staff:
        assign(db, current["id"], staff, now)
    db.conn.execute("UPDATE queue SET unread = 0 WHERE id = ?", (current["id"],))
    return current["id"]


def assign(db: sqlite_utils.Database, handoff_id: int, staff: str, now: float) -> bool:
    """Give an open handoff to ``staff`` (claimed by them from now)."""
    rows = db.conn.execute(
        "UPDATE queue SET status = 'claimed', claimed_by = ?, claimed_at = ? "
        "WHERE id = ? AND status IN ('waiting', 'claimed') RETURNING id",
        (staff, now, handoff_id),
    ).fetchall()
    return bool(rows)


def unclaim(db: sqlite_utils.Database, handoff_id: int) -> bool:
    """A claimed handoff back to waiting for anyone."""
    rows = db.conn.execute(
        "UPDATE queue SET status = 'waiting', claimed_by = NULL, claimed_at = NULL "
        "WHERE id = ? AND status = 'claimed' RETURNING id",
        (handoff_id,),
    ).fetchall()
    return bool(rows)


def note_customer(
    db: sqlite_utils.Database, conversation_id: int, text: str | None, now: float
) -> None:
    """A customer message while a person holds the lead: unread, its preview, moved up."""
    preview = (text or "")[:PREVIEW] or None
    db.conn.execute(
        "UPDATE queue SET unread = 1, last_message = coalesce(?, last_message), "
        "last_customer_at = ? WHERE conversation_id = ? AND status IN ('waiting', 'claimed')",
        (preview, now, conversation_id),
    )


def mark_read(db: sqlite_utils.Database, conversation_id: int) -> None:
    """Staff opened the conversation."""
    db.conn.execute(
        "UPDATE queue SET unread = 0 WHERE conversation_id = ? AND unread = 1 "
        "AND status IN ('waiting', 'claimed')",
        (conversation_id,),
    )


def note_response(db: sqlite_utils.Database, conversation_id: int, now: float) -> None:
    """The first staff reply on an open handoff, for the median first-response time."""
    db.conn.execute(
        "UPDATE queue SET first_response_at = ? WHERE conversation_id = ? "
        "AND status IN ('waiting', 'claimed') AND first_response_at IS NULL",
        (now, conversation_id),
    )


def waiting(
    db: sqlite_utils.Database, now: float, *, pages: Sequence[str] | None = None
) -> list[dict[str, Any]]:
    """Open handoffs, most urgent first: waiting before claimed, priority, unread (a new
    customer message moves a lead up), score, then the longest wait since the customer's
    last message. ``pages``: only these Pages' conversations (None: every Page)."""
    scope, params = in_pages(pages)
    rows = db.conn.execute(
        "SELECT q.id, q.conversation_id, c.psid, c.name, c.stage, c.score, q.reason, q.status, "
        "q.claimed_by, q.created_at, c.answers, q.priority, c.source, q.answer_by, c.language, "
        "q.unread, q.last_message, c.window_note, c.orders, c.picture, c.channel, "
        "c.last_customer_at, c.page_id "
        "FROM queue q JOIN conversations c ON c.id = q.conversation_id "
        f"WHERE q.status IN ('waiting', 'claimed') AND {scope} "
        "ORDER BY q.status = 'claimed', q.priority DESC, q.unread DESC, c.score DESC, "
        "coalesce(q.last_customer_at, q.created_at)",
        params,
    ).fetchall()
    out = []
    for r in rows:
        out.append(
            {
                "id": r[0], "conversation_id": r[1], "psid": r[2], "name": r[3], "stage": r[4],
                "score": r[5], "reason": r[6], "status": r[7], "claimed_by": r[8],
                "waiting_seconds": round(now - r[9], 1), "answers": json.loads(r[10] or "{}"),
                "priority": "high" if r[11] else "normal", "source": json.loads(r[12] or "{}"),
                "answer_by": r[13], "language": r[14], "unread": bool(r[15]),
                "last_message": r[16], "channel": r[20] or "messenger", "picture": r[19],
                "window_note": r[17], "orders": r[18], "last_customer_at": r[21],
                "page_id": r[22],
            }
        )  # fmt: skip
    return out


def live(
    db: sqlite_utils.Database,
    after_handoff: int,
    *,
    exclude_sim: bool = True,
    pages: Sequence[str] | None = None,
) -> dict[str, Any]:
    """What the workspace's live poll needs, in three indexed reads: the newest message id
    (the rowid's end), open handoffs as counts and a fingerprint that changes with any claim,
    unread or new row, and the waiting handoffs opened after ``after_handoff``.
    ``pages``: count only these Pages' conversations (None: every Page)."""
    (last_message,) = db.conn.execute("SELECT coalesce(max(id), 0) FROM messages").fetchone()
    sim = "AND c.psid NOT LIKE 'sim:%' " if exclude_sim else ""
    scope, params = in_pages(pages)
    if pages is not None:
        sim += f"AND {scope} "
    row = db.conn.execute(
        # plain SQL both databases read (PostgreSQL has no sum() of a boolean, no total())
        "SELECT count(*), coalesce(sum(CASE WHEN q.status = 'waiting' THEN 1 ELSE 0 END), 0), "
        "coalesce(sum(q.unread), 0), coalesce(max(q.id), 0), "
        "coalesce(sum(q.id * (1 + q.unread) + coalesce(q.claimed_at, 0)), 0) "
        "FROM queue q JOIN conversations c ON c.id = q.conversation_id "
        f"WHERE q.status IN ('waiting', 'claimed') {sim}",
        params,
    ).fetchone()
    (max_id,) = db.conn.execute("SELECT coalesce(max(id), 0) FROM queue").fetchone()
    fresh = db.conn.execute(
        "SELECT q.id, q.conversation_id, c.name, q.priority FROM queue q "
        "JOIN conversations c ON c.id = q.conversation_id "
        f"WHERE q.id > ? AND q.status = 'waiting' {sim}ORDER BY q.id LIMIT 10",
        (after_handoff, *params),
    ).fetchall()
    return {
        "message": last_message,
        "handoff": max_id,
        "open": row[0],
        "waiting": row[1],
        "unread": row[2],
        "stamp": f"{row[0]}.{row[3]}.{row[4]:.0f}",
        "new": [
            {"id": r[0], "conversation_id": r[1], "name": r[2], "urgent": bool(r[3])} for r in fresh
        ],
    }


def inbox(
    db: sqlite_utils.Database,
    *,
    show: str = "all",
    me: str | None = None,
    stage: str | None = None,
    label: str | None = None,
    pages: Sequence[str] | None = None,
    limit: int = 200,
) -> list[dict[str, Any]]:
    """Every conversation (not the simulator's) with its open handoff if any and its last
    message, most recently active first. ``show``: all | bot (no open handoff) | waiting |
    mine (claimed by ``me``); ``pages``: only these Pages' (None: every Page)."""
    scope, page_ids = in_pages(pages)
    where = ["c.psid NOT LIKE 'sim:%'", scope]
    params: list[Any] = list(page_ids)
    if show == "bot":
        where.append("q.id IS NULL")
    elif show == "waiting":
        where.append("q.status = 'waiting'")
    elif show == "mine":
        where.append("q.status = 'claimed' AND q.claimed_by = ?")
        params.append(me)
    if stage:
        where.append("c.stage = ?")
        params.append(stage)
    if label:
        where.append(
            "EXISTS (SELECT 1 FROM labels l WHERE l.conversation_id = c.id AND l.label = ?)"
        )
        params.append(label)
    rows = db.conn.execute(
        "SELECT c.id, c.psid, c.name, c.picture, c.stage, c.score, c.language, "
        "c.last_customer_at, c.updated_at, q.id, q.status, q.claimed_by, q.unread, "
        "q.priority, q.reason, q.created_at, c.window_note, "
        "(SELECT m.text FROM messages m WHERE m.conversation_id = c.id AND m.text IS NOT NULL "
        "ORDER BY m.id DESC LIMIT 1), c.page_id "
        "FROM conversations c LEFT JOIN queue q ON q.conversation_id = c.id "
        "AND q.status IN ('waiting', 'claimed') "
        f"WHERE {' AND '.join(where)} ORDER BY c.updated_at DESC LIMIT ?",
        (*params, limit),
    ).fetchall()
    keys = (
        "conversation_id", "psid", "name", "picture", "stage", "score", "language",
        "last_customer_at", "updated_at", "id", "status", "claimed_by", "unread",
        "priority", "reason", "created_at", "window_note", "last_message", "page_id",
    )  # fmt: skip
    out = []
    for r in rows:
        item = dict(zip(keys, r, strict=True))
        item["unread"] = bool(item["unread"])
        item["priority"] = "high" if item["priority"] else "normal"
        item["channel"] = "messenger"
        out.append(item)
    return out
