"""The outbox: every reply, written with the state change behind it, until Meta has it."""

from __future__ import annotations

import json
from collections.abc import Iterable

import sqlite_utils

from store.db import write_tx

METADATA_PREFIX = "barta:outbox:"  # sent as message.metadata, returned in the echo
# Rows that are no Send API message to a customer: POSTed to their own endpoint.
PRIVATE_REPLY = "private_reply"  # me/messages with recipient {comment_id}
COMMENT_REPLY = "comment_reply"  # <comment id>/comments (Instagram: /replies)
HIDE = "hide"  # <comment id> with is_hidden (Instagram: hide)
COMMENT_KINDS = (PRIVATE_REPLY, COMMENT_REPLY, HIDE)


def enqueue(
    db: sqlite_utils.Database,
    conversation_id: int | None,
    psid: str,
    body: dict,
    now: float,
    *,
    sender: str = "bot",
    kind: str = "message",
    endpoint: str | None = None,
    recipient: dict | None = None,
    page_id: str = "",
) -> int:
    """Queue one Send API body (without recipient); call inside the caller's write_tx.

    ``endpoint`` and ``recipient`` are for the rows that are not a message to ``psid``
    (COMMENT_KINDS: a private reply to a comment, a public comment reply, hiding one);
    their ``psid`` is a key that keeps them in order (``comment:<comment id>``).
    ``page_id`` is the Page whose token sends the row ('' : MESSENGER_PAGE_TOKEN's).
    """
    cur = db.conn.execute(
        "INSERT INTO outbox (conversation_id, psid, kind, body, sender, next_at, created_at, "
        "endpoint, recipient, page_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            conversation_id, psid, kind,
            json.dumps(body, ensure_ascii=False, separators=(",", ":")),
            sender, now, now, endpoint,
            None if recipient is None else json.dumps(recipient, separators=(",", ":")),
            page_id,
        ),
    )  # fmt: skip
    assert cur.lastrowid is not None
    return cur.lastrowid


def due_psids(
    db: sqlite_utils.Database,
    now: float,
    busy: Iterable[str] = (),
    limit: int = 64,
    *,
    skip_pages: Iterable[str] = (),
) -> list[str]:
    """Customers whose next pending reply may go now (one row per customer keeps order),
    leaving out those whose next reply is of a Page in ``skip_pages`` (paused by a rate
    limit or token trouble: the other Pages go on)."""
    rows = db.conn.execute(
        "SELECT psid, next_at, page_id FROM outbox WHERE id IN "
        "(SELECT min(id) FROM outbox WHERE status = 'pending' GROUP BY psid) "
        "ORDER BY id",
    ).fetchall()
    busy, skip = set(busy), set(skip_pages)
    return [p for p, next_at, page in rows if next_at <= now and p not in busy
            and page not in skip][:limit]  # fmt: skip


def next_due_at(db: sqlite_utils.Database, after: float = 0.0) -> float | None:
    """When the earliest pending reply that waits past ``after`` may be tried."""
    row = db.conn.execute(
        "SELECT min(next_at) FROM outbox WHERE status = 'pending' AND next_at > ?", (after,)
    ).fetchone()
    return row[0]


def head(db: sqlite_utils.Database, psid: str) -> dict | None:
    """The oldest pending reply of one customer."""
    row = db.conn.execute(
        "SELECT id, conversation_id, psid, kind, body, sender, attempts, next_at, endpoint, "
        "recipient, page_id FROM outbox WHERE psid = ? AND status = 'pending' "
        "ORDER BY id LIMIT 1",
        (psid,),
    ).fetchone()
    if row is None:
        return None
    keys = (
        "id", "conversation_id", "psid", "kind", "body", "sender", "attempts", "next_at",
        "endpoint", "recipient", "page_id",
    )  # fmt: skip
    out = dict(zip(keys, row, strict=True))
    out["body"] = json.loads(out["body"])
    out["recipient"] = json.loads(out["recipient"]) if out["recipient"] else None
    return out


def lease(db: sqlite_utils.Database, row_id: int, until: float) -> None:
    """A send is about to start: nobody else tries this row before ``until`` (its own
    commit, outside any transaction; the sender's claim on the customer is the lock)."""
    db.conn.execute(
        "UPDATE outbox SET next_at = ? WHERE id = ? AND status = 'pending'", (until, row_id)
    )


def mark_sent(db: sqlite_utils.Database, row_id: int, message_id: str | None, now: float) -> None:
    with write_tx(db):
        db.conn.execute(
            "UPDATE outbox SET status = 'sent', sent_at = ?, message_id = ?, attempts = attempts + 1 "
            "WHERE id = ? AND status = 'pending'",
            (now, message_id, row_id),
        )


def mark_kept(db: sqlite_utils.Database, row_id: int, now: float) -> None:
    """Offline mode or a simulator customer: the reply is kept, not sent."""
    with write_tx(db):
        db.conn.execute(
            "UPDATE outbox SET status = 'kept', sent_at = ? WHERE id = ? AND status = 'pending'",
            (now, row_id),
        )


def mark_retry(
    db: sqlite_utils.Database,
    row_id: int,
    next_at: float,
    error: str,
    code: int | None = None,
    subcode: int | None = None,
) -> int:
    """Count a failed try and set when to try again; returns the attempts so far."""
    with write_tx(db):
        db.conn.execute(
            "UPDATE outbox SET attempts = attempts + 1, next_at = ?, error = ?, error_code = ?, "
            "error_subcode = ? WHERE id = ?",
            (next_at, error[:1000], code, subcode, row_id),
        )
    return db.conn.execute("SELECT attempts FROM outbox WHERE id = ?", (row_id,)).fetchone()[0]


def mark_failed(
    db: sqlite_utils.Database,
    row_id: int,
    error: str,
    code: int | None = None,
    subcode: int | None = None,
) -> None:
    """A permanent failure: recorded on the row, never retried."""
    with write_tx(db):
        db.conn.execute(
            "UPDATE outbox SET status = 'failed', attempts = attempts + 1, error = ?, "
            "error_code = ?, error_subcode = ? WHERE id = ?",
            (error[:1000], code, subcode, row_id),
        )


def fail_pending(db: sqlite_utils.Database, psid: str, error: str, code: int | None = None) -> int:
    """Give up every pending reply to one customer (blocked the page, account gone)."""
    with write_tx(db):
        cur = db.conn.execute(
            "UPDATE outbox SET status = 'failed', error = ?, error_code = ? "
            "WHERE psid = ? AND status = 'pending'",
            (error[:1000], code, psid),
        )
    return cur.rowcount


def cancel_pending(db: sqlite_utils.Database, psid: str, error: str) -> int:
    """Drop the pending rows of one key (a removed comment's replies); inside a write_tx."""
    cur = db.conn.execute(
        "UPDATE outbox SET status = 'failed', error = ? WHERE psid = ? AND status = 'pending'",
        (error[:1000], psid),
    )
    return cur.rowcount


def confirm_by_echo(
    db: sqlite_utils.Database, metadata: str | None, mid: str | None, now: float
) -> bool:
    """An echo of our own send: True if it is ours (and settle a row a timeout left pending)."""
    if mid and db.conn.execute("SELECT 1 FROM outbox WHERE message_id = ?", (mid,)).fetchone():
        return True
    if metadata and metadata.startswith(METADATA_PREFIX):
        try:
            row_id = int(metadata[len(METADATA_PREFIX) :])
        except ValueError:
            return False
        db.conn.execute(
            "UPDATE outbox SET status = 'sent', sent_at = coalesce(sent_at, ?), "
            "message_id = coalesce(message_id, ?) WHERE id = ? AND status = 'pending'",
            (now, mid, row_id),
        )
        return True
    return False


def stats(db: sqlite_utils.Database, now: float) -> dict:
    """Pending and failed counts and the oldest pending age, for /healthz."""
    count, oldest = db.conn.execute(
        "SELECT count(*), min(created_at) FROM outbox WHERE status = 'pending'"
    ).fetchone()
    failed = db.conn.execute("SELECT count(*) FROM outbox WHERE status = 'failed'").fetchone()[0]
    return {
        "pending": count,
        "failed": failed,
        "oldest_pending_seconds": round(now - oldest, 3) if oldest else 0,
    }
