"""Conversations: the lead's answers, score, stage, labels, notes and message log."""

from __future__ import annotations

import json
from typing import Any

import sqlite_utils

from store.db import lock_customer_of, write_tx

COLUMNS = (
    "id", "psid", "name", "language", "flow", "step", "answers", "score", "stage", "retries",
    "bot_paused", "opted_out", "unreachable", "source", "state", "window_note",
    "followups_sent", "created_at", "updated_at", "last_customer_at", "last_bot_at",
    "last_staff_at", "orders", "picture", "name_checked_at", "name_source", "channel",
    "page_id",
)  # fmt: skip
JSON_COLUMNS = ("answers", "source", "state")
SIMULATOR_PREFIX = "sim:"  # the simulator's customers: never on a Page, never sent to
_SELECT = f"SELECT {', '.join(COLUMNS)} FROM conversations"
# Columns the engine may change; written back in one UPDATE per message. The name is not
# one: the names worker and staff write it (set_name), never a stale copy of the engine's.
MUTABLE = (
    "language", "flow", "step", "answers", "score", "stage", "retries", "bot_paused",
    "opted_out", "unreachable", "source", "state", "window_note", "followups_sent",
    "last_customer_at", "last_bot_at", "last_staff_at", "orders",
)  # fmt: skip
_UPDATE = (
    f"UPDATE conversations SET {', '.join(c + ' = ?' for c in MUTABLE)}, updated_at = ? "
    "WHERE id = ?"
)


def _row(row: tuple | None) -> dict[str, Any] | None:
    if row is None:
        return None
    conv = dict(zip(COLUMNS, row, strict=True))
    for c in JSON_COLUMNS:
        conv[c] = json.loads(conv[c]) if conv[c] else {}
    return conv


def lock(db: sqlite_utils.Database, conversation_id: int) -> None:
    """Inside a write_tx, first: this transaction alone changes the conversation and its
    handoffs until it ends (the engine's lock on the customer; see store.db)."""
    lock_customer_of(db, "SELECT psid FROM conversations WHERE id = ?", (conversation_id,))


def get(db: sqlite_utils.Database, conversation_id: int) -> dict[str, Any] | None:
    return _row(db.conn.execute(f"{_SELECT} WHERE id = ?", (conversation_id,)).fetchone())


def by_psid(db: sqlite_utils.Database, psid: str) -> dict[str, Any] | None:
    return _row(db.conn.execute(f"{_SELECT} WHERE psid = ?", (psid,)).fetchone())


def get_or_create(
    db: sqlite_utils.Database,
    psid: str,
    now: float,
    channel: str = "messenger",
    page_id: str = "",
) -> tuple[dict[str, Any], bool]:
    """The customer's conversation, and whether it was made just now (inside a write_tx)."""
    conv = by_psid(db, psid)
    if conv is not None:
        return conv, False
    return create(db, psid, now, channel, page_id), True


def create(
    db: sqlite_utils.Database,
    psid: str,
    now: float,
    channel: str = "messenger",
    page_id: str = "",
) -> dict[str, Any]:
    """A new customer's conversation (inside a write_tx; the caller knows there is none).

    ``page_id`` is the Page the customer wrote to ('' for the one Page of
    MESSENGER_PAGE_TOKEN and for the simulator). A PSID is scoped to one Page (MORE.md §7):
    the same person has another PSID on another Page, so the PSID alone still finds them.
    """
    db.conn.execute(
        "INSERT INTO conversations (psid, created_at, updated_at, channel, page_id) "
        "VALUES (?, ?, ?, ?, ?)",
        (psid, now, now, channel, page_id),
    )
    conv = by_psid(db, psid)
    assert conv is not None
    return conv


CHANNELS = ("messenger", "instagram")


def set_channel(db: sqlite_utils.Database, conv: dict[str, Any], channel: str) -> None:
    """The conversation is on ``channel`` (Instagram's customers write from an IGSID)."""
    if channel in CHANNELS and conv.get("channel") != channel:
        db.conn.execute("UPDATE conversations SET channel = ? WHERE id = ?", (channel, conv["id"]))
        conv["channel"] = channel


def set_page(db: sqlite_utils.Database, conv: dict[str, Any], page_id: str) -> None:
    """The conversation is on Page ``page_id`` (one kept before Barta knew its Page)."""
    db.conn.execute("UPDATE conversations SET page_id = ? WHERE id = ?", (page_id, conv["id"]))
    conv["page_id"] = page_id


DAY = 86400.0


def name_due(conv: dict[str, Any], now: float) -> bool:
    """Should the customer's name be looked up now? Never looked up, or a day since (a
    failure too), unless staff set it."""
    if conv.get("name_source") in ("staff", "simulator") or conv["psid"].startswith(
        SIMULATOR_PREFIX
    ):
        return False
    checked = conv.get("name_checked_at")
    return checked is None or now - checked >= DAY


def names_due(db: sqlite_utils.Database, now: float, limit: int = 20) -> list[tuple[int, str]]:
    """``(id, psid)`` of conversations whose name is due: not looked up yet, or looked up
    more than a day ago and the customer wrote since."""
    rows = db.conn.execute(
        "SELECT id, psid FROM conversations WHERE last_customer_at IS NOT NULL "
        "AND psid NOT LIKE 'sim:%' "
        "AND coalesce(name_source, '') NOT IN ('staff', 'simulator') "
        "AND (name_checked_at IS NULL OR (name_checked_at <= ? "
        "AND last_customer_at > name_checked_at)) ORDER BY last_customer_at DESC LIMIT ?",
        (now - DAY, limit),
    ).fetchall()
    return [(r[0], r[1]) for r in rows]


def page_of(db: sqlite_utils.Database, conversation_id: int) -> str:
    """The Page a conversation belongs to ('' : the default Page; also for none)."""
    row = db.conn.execute(
        "SELECT page_id FROM conversations WHERE id = ?", (conversation_id,)
    ).fetchone()
    return row[0] if row else ""


def set_name(
    db: sqlite_utils.Database,
    conversation_id: int,
    name: str | None,
    now: float,
    *,
    source: str,
    picture: str | None = None,
    error: str | None = None,
) -> bool:
    """Keep a looked-up name (``source`` profile | participants; ``name`` None: the look-up
    failed, ``error`` says why, an older name stays) or a name staff set (``source`` staff:
    never replaced by a look-up). Inside a write_tx."""
    if source in ("staff", "simulator"):
        rows = db.conn.execute(
            "UPDATE conversations SET name = ?, name_source = ?, name_error = NULL, "
            "name_checked_at = ? WHERE id = ? RETURNING id",
            (name, source if name else None, now, conversation_id),
        ).fetchall()
        return bool(rows)
    rows = db.conn.execute(
        "UPDATE conversations SET name = coalesce(?, name), picture = coalesce(?, picture), "
        "name_source = CASE WHEN ? IS NULL THEN name_source ELSE ? END, name_error = ?, "
        "name_checked_at = ? WHERE id = ? "
        "AND coalesce(name_source, '') NOT IN ('staff', 'simulator') RETURNING id",
        (name, picture, name, source, error, now, conversation_id),
    ).fetchall()
    return bool(rows)


def save(db: sqlite_utils.Database, conv: dict[str, Any], now: float) -> None:
    """Write back every column the engine may have changed."""
    values = [
        json.dumps(conv[c], ensure_ascii=False, separators=(",", ":"))
        if c in JSON_COLUMNS
        else conv[c]
        for c in MUTABLE
    ]
    db.conn.execute(_UPDATE, (*values, now, conv["id"]))
    conv["updated_at"] = now


def log_message(
    db: sqlite_utils.Database,
    conversation_id: int,
    direction: str,
    sender: str,
    text: str | None,
    now: float,
    *,
    data: dict | None = None,
    mid: str | None = None,
    outbox_id: int | None = None,
    author: str | None = None,
) -> int:
    """Add one line to the conversation's history."""
    cur = db.conn.execute(
        "INSERT INTO messages (conversation_id, direction, sender, author, text, data, mid, "
        "outbox_id, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            conversation_id, direction, sender, author, text,
            json.dumps(data, ensure_ascii=False, separators=(",", ":")) if data else None,
            mid, outbox_id, now,
        ),
    )  # fmt: skip
    assert cur.lastrowid is not None
    return cur.lastrowid


def edit_message(db: sqlite_utils.Database, mid: str, text: str) -> bool:
    """A customer edited a message: keep the new text, note the old one."""
    row = db.conn.execute("SELECT id, text, data FROM messages WHERE mid = ?", (mid,)).fetchone()
    if row is None:
        return False
    data = json.loads(row[2]) if row[2] else {}
    data.setdefault("edits", []).append(row[1])
    db.conn.execute(
        "UPDATE messages SET text = ?, data = ? WHERE id = ?",
        (text, json.dumps(data, ensure_ascii=False), row[0]),
    )
    return True


def messages(
    db: sqlite_utils.Database, conversation_id: int, limit: int = 500, after: int = 0
) -> list[dict]:
    """The history, oldest first, with the delivery state of our replies (``after``: only
    the messages after that id, for the workspace's live poll)."""
    rows = db.conn.execute(
        "SELECT m.id, m.direction, m.sender, m.author, m.text, m.data, m.at, o.status, o.error "
        "FROM messages m LEFT JOIN outbox o ON o.id = m.outbox_id "
        "WHERE m.conversation_id = ? AND m.id > ? ORDER BY m.id DESC LIMIT ?",
        (conversation_id, after, limit),
    ).fetchall()
    out = []
    for r in reversed(rows):
        out.append(
            {
                "id": r[0], "direction": r[1], "sender": r[2], "author": r[3], "text": r[4],
                "data": json.loads(r[5]) if r[5] else None, "at": r[6],
                "delivery": r[7], "error": r[8],
            }
        )  # fmt: skip
    return out


def record_stage(
    db: sqlite_utils.Database,
    conversation_id: int,
    old: str | None,
    new: str,
    cause: str,
    now: float,
) -> None:
    db.conn.execute(
        "INSERT INTO stage_changes (conversation_id, from_stage, to_stage, cause, at) "
        "VALUES (?, ?, ?, ?, ?)",
        (conversation_id, old, new, cause, now),
    )


def stage_history(db: sqlite_utils.Database, conversation_id: int) -> list[dict]:
    rows = db.conn.execute(
        "SELECT from_stage, to_stage, cause, at FROM stage_changes "
        "WHERE conversation_id = ? ORDER BY id",
        (conversation_id,),
    ).fetchall()
    return [{"from": r[0], "to": r[1], "cause": r[2], "at": r[3]} for r in rows]


def labels(db: sqlite_utils.Database, conversation_id: int) -> list[str]:
    rows = db.conn.execute(
        "SELECT label FROM labels WHERE conversation_id = ? ORDER BY at, label", (conversation_id,)
    ).fetchall()
    return [r[0] for r in rows]


def add_label(db: sqlite_utils.Database, conversation_id: int, label: str, now: float) -> None:
    db.conn.execute(
        "INSERT OR IGNORE INTO labels (conversation_id, label, at) VALUES (?, ?, ?)",
        (conversation_id, label, now),
    )


def remove_label(db: sqlite_utils.Database, conversation_id: int, label: str) -> None:
    db.conn.execute(
        "DELETE FROM labels WHERE conversation_id = ? AND label = ?", (conversation_id, label)
    )


def notes(db: sqlite_utils.Database, conversation_id: int) -> list[dict]:
    rows = db.conn.execute(
        "SELECT id, author, text, at FROM notes WHERE conversation_id = ? ORDER BY id",
        (conversation_id,),
    ).fetchall()
    return [{"id": r[0], "author": r[1], "text": r[2], "at": r[3]} for r in rows]


def add_note(
    db: sqlite_utils.Database, conversation_id: int, author: str, text: str, now: float
) -> int:
    cur = db.conn.execute(
        "INSERT INTO notes (conversation_id, author, text, at) VALUES (?, ?, ?, ?)",
        (conversation_id, author, text, now),
    )
    assert cur.lastrowid is not None
    return cur.lastrowid


def mark_window_closed(db: sqlite_utils.Database, conversation_id: int) -> None:
    """Meta refused a send as outside the window: staff see it on the lead."""
    with write_tx(db):
        lock(db, conversation_id)  # not written over by the engine's save of the customer
        db.conn.execute(
            "UPDATE conversations SET window_note = 'window_closed' WHERE id = ?",
            (conversation_id,),
        )


def mark_unreachable(db: sqlite_utils.Database, conversation_id: int) -> None:
    """The customer blocked the page or left: nothing more can reach them until they write."""
    with write_tx(db):
        lock(db, conversation_id)  # not written over by the engine's save of the customer
        db.conn.execute("UPDATE conversations SET unreachable = 1 WHERE id = ?", (conversation_id,))


def timeline(db: sqlite_utils.Database, conversation_id: int, after_id: int = 0) -> list[dict]:
    """Log lines after ``after_id`` with the Send API body of each reply (the simulator)."""
    rows = db.conn.execute(
        "SELECT m.id, m.direction, m.sender, m.author, m.text, m.data, m.at, o.body, o.status "
        "FROM messages m LEFT JOIN outbox o ON o.id = m.outbox_id "
        "WHERE m.conversation_id = ? AND m.id > ? ORDER BY m.id",
        (conversation_id, after_id),
    ).fetchall()
    keys = ("id", "direction", "sender", "author", "text", "data", "at", "body", "delivery")
    out = []
    for r in rows:
        line = dict(zip(keys, r, strict=True))
        line["data"] = json.loads(line["data"]) if line["data"] else None
        line["body"] = json.loads(line["body"]) if line["body"] else None
        out.append(line)
    return out
