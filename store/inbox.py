"""The inbox: every accepted webhook event, stored before Meta gets its 200."""

from __future__ import annotations

from collections.abc import Iterable

import sqlite_utils

from store.db import notify, write_tx

MAX_ATTEMPTS = 3  # a row that fails this often is marked failed and handed to a human


def add(db: sqlite_utils.Database, rows: Iterable[tuple[str, str, str, str]], now: float) -> int:
    """Store ``(key, psid, kind, event_json)`` rows; a key seen before is ignored.

    Returns how many rows were new. One transaction for the whole POST.
    """
    with write_tx(db):
        before = db.conn.total_changes
        db.conn.executemany(
            "INSERT OR IGNORE INTO inbox (key, psid, kind, event, received_at) "
            "VALUES (?, ?, ?, ?, ?)",
            [(k, p, kind, e, now) for k, p, kind, e in rows],
        )
        added = db.conn.total_changes - before
        if added:
            notify(db, "inbox")  # the engines of other processes (PostgreSQL)
        return added


def next_psid(db: sqlite_utils.Database) -> str | None:
    """The customer whose oldest pending event is the oldest of all."""
    row = db.conn.execute(
        "SELECT psid FROM inbox WHERE status = 'pending' ORDER BY id LIMIT 1"
    ).fetchone()
    return row[0] if row else None


def next_psids(db: sqlite_utils.Database, limit: int) -> list[str]:
    """Up to ``limit`` customers with pending events, the longest waiting first."""
    rows = db.conn.execute(
        "SELECT psid FROM inbox WHERE status = 'pending' GROUP BY psid ORDER BY min(id) LIMIT ?",
        (limit,),
    ).fetchall()
    return [r[0] for r in rows]


def pending_for(db: sqlite_utils.Database, psid: str, limit: int = 50) -> list[tuple]:
    """``(id, kind, event_json, attempts)`` of one customer's pending events, in order."""
    return db.conn.execute(
        "SELECT id, kind, event, attempts FROM inbox "
        "WHERE psid = ? AND status = 'pending' ORDER BY id LIMIT ?",
        (psid, limit),
    ).fetchall()


def mark_done(db: sqlite_utils.Database, ids: list[int], now: float) -> None:
    db.conn.executemany(
        "UPDATE inbox SET status = 'done', done_at = ? WHERE id = ?", [(now, i) for i in ids]
    )


def record_failure(db: sqlite_utils.Database, row_id: int, error: str, now: float) -> bool:
    """Count a failed attempt; True when the row has now failed for good."""
    with write_tx(db):
        db.conn.execute(
            "UPDATE inbox SET attempts = attempts + 1, error = ? WHERE id = ?",
            (error[:2000], row_id),
        )
        attempts = db.conn.execute("SELECT attempts FROM inbox WHERE id = ?", (row_id,)).fetchone()[
            0
        ]
        if attempts >= MAX_ATTEMPTS:
            db.conn.execute(
                "UPDATE inbox SET status = 'failed', done_at = ? WHERE id = ?", (now, row_id)
            )
            return True
    return False


def stats(db: sqlite_utils.Database, now: float) -> dict:
    """Pending count and the age of the oldest pending event, for /healthz."""
    count, oldest = db.conn.execute(
        "SELECT count(*), min(received_at) FROM inbox WHERE status = 'pending'"
    ).fetchone()
    failed = db.conn.execute("SELECT count(*) FROM inbox WHERE status = 'failed'").fetchone()[0]
    return {
        "pending": count,
        "failed": failed,
        "oldest_pending_seconds": round(now - oldest, 3) if oldest else 0,
    }
