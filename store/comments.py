"""Page comments (Facebook feed, Instagram comments): what was said under which post, and
what Barta did about it — at most one private reply and one public reply each."""

from __future__ import annotations

from typing import Any

import sqlite_utils

from store import conversations
from store.db import claim_customer, write_tx

COLUMNS = (
    "id", "comment_id", "channel", "page_id", "post_id", "parent_id", "from_id", "from_name",
    "text", "permalink", "created_at", "received_at", "status", "reason", "rule", "flow",
    "language", "hidden", "psid", "conversation_id", "private_outbox_id", "public_outbox_id",
    "public_reply_id",
)  # fmt: skip
_SELECT = f"SELECT {', '.join(COLUMNS)} FROM comments"
# The flow a private reply names waits in the conversation's state under this key until
# the customer answers (bot.conversation.comments).
STATE_KEY = "comment_flow"


def _row(row: tuple | None) -> dict[str, Any] | None:
    return None if row is None else dict(zip(COLUMNS, row, strict=True))


def get(db: sqlite_utils.Database, comment_id: str) -> dict[str, Any] | None:
    return _row(db.conn.execute(f"{_SELECT} WHERE comment_id = ?", (comment_id,)).fetchone())


def for_conversation(db: sqlite_utils.Database, conversation_id: int) -> list[dict[str, Any]]:
    rows = db.conn.execute(
        f"{_SELECT} WHERE conversation_id = ? ORDER BY id", (conversation_id,)
    ).fetchall()
    return [r for r in map(_row, rows) if r is not None]


def upsert(db: sqlite_utils.Database, data: dict[str, Any], now: float) -> dict[str, Any]:
    """Store a comment as Meta described it (an ``edited`` may come before its ``add``);
    the text follows the newest; the status is left alone. Inside a write_tx."""
    db.conn.execute(
        "INSERT INTO comments (comment_id, channel, page_id, post_id, parent_id, from_id, "
        "from_name, text, permalink, created_at, received_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        # the table's own columns qualified: PostgreSQL reads a bare name as ambiguous here
        "ON CONFLICT (comment_id) DO UPDATE SET text = coalesce(excluded.text, comments.text), "
        "permalink = coalesce(comments.permalink, excluded.permalink), "
        "from_name = coalesce(comments.from_name, excluded.from_name)",
        (
            data["comment_id"], data.get("channel") or "facebook", data.get("page_id") or "",
            data.get("post_id") or "", data.get("parent_id"), data.get("from_id"),
            data.get("from_name"), data.get("text"), data.get("permalink"),
            data.get("created_at") or now, now,
        ),
    )  # fmt: skip
    found = get(db, data["comment_id"])
    assert found is not None
    return found


def update(db: sqlite_utils.Database, comment_id: str, **values: Any) -> None:
    """Set columns of one comment (inside a write_tx)."""
    if not values:
        return
    names = ", ".join(f"{k} = ?" for k in values if k in COLUMNS)
    db.conn.execute(
        f"UPDATE comments SET {names} WHERE comment_id = ?",
        (*(v for k, v in values.items() if k in COLUMNS), comment_id),
    )


def by_outbox(db: sqlite_utils.Database, outbox_id: int) -> dict[str, Any] | None:
    return _row(
        db.conn.execute(
            f"{_SELECT} WHERE private_outbox_id = ? OR public_outbox_id = ?",
            (outbox_id, outbox_id),
        ).fetchone()
    )


def private_sent(
    db: sqlite_utils.Database,
    outbox_id: int,
    psid: str | None,
    message_id: str | None,
    text: str | None,
    now: float,
    page_id: str = "",
) -> None:
    """Meta took the private reply and named the commenter (their PSID or IGSID): the
    comment and the reply join that customer's conversation (a new one is ``page_id``'s,
    the Page whose token sent the reply), the source stays on the lead and the rule's flow
    waits for their answer."""
    with write_tx(db):
        c = by_outbox(db, outbox_id)
        if c is None:
            return
        values: dict[str, Any] = {"status": "replied", "reason": None}
        if psid:
            claim_customer(db, psid, wait=True)  # the engine may be handling them right now
            channel = "instagram" if c["channel"] == "instagram" else "messenger"
            conv, _new = conversations.get_or_create(db, psid, now, channel, page_id)
            if not conv["source"]:
                conv["source"] = source(c)
            conv["state"][STATE_KEY] = {
                "flow": c["flow"], "language": c["language"], "comment_id": c["comment_id"],
                "post_id": c["post_id"],
            }  # fmt: skip
            conversations.save(db, conv, now)
            log_comment(db, conv["id"], c, now)
            conversations.log_message(
                db, conv["id"], "out", "bot", text, now,
                data={"private_reply": c["comment_id"]}, mid=message_id, outbox_id=outbox_id,
            )  # fmt: skip
            db.conn.execute(
                "UPDATE outbox SET conversation_id = ? WHERE id = ?", (conv["id"], outbox_id)
            )
            values.update(psid=psid, conversation_id=conv["id"])
            if c["from_name"]:  # the name on the comment, until a look-up finds a better one
                db.conn.execute(
                    "UPDATE conversations SET name = ? WHERE id = ? AND name IS NULL",
                    (c["from_name"], conv["id"]),
                )
        update(db, c["comment_id"], **values)


def public_sent(
    db: sqlite_utils.Database, outbox_id: int, reply_id: str | None, text: str | None, now: float
) -> None:
    """Our public reply is up: keep its id (its own feed webhook is then known as ours) and
    show it on the conversation, if the private reply found one."""
    with write_tx(db):
        c = by_outbox(db, outbox_id)
        if c is None:
            return
        update(db, c["comment_id"], public_reply_id=reply_id)
        if c["conversation_id"]:
            conversations.log_message(
                db, c["conversation_id"], "out", "bot", text, now,
                data={"public_reply": c["comment_id"]}, outbox_id=outbox_id,
            )  # fmt: skip


def failed(db: sqlite_utils.Database, outbox_id: int, reason: str) -> None:
    """Meta refused the private reply (already replied, too old, blocked …): recorded."""
    with write_tx(db):
        c = by_outbox(db, outbox_id)
        if c is not None and c["private_outbox_id"] == outbox_id:
            update(db, c["comment_id"], status="failed", reason=reason[:200])


def source(c: dict[str, Any]) -> dict[str, Any]:
    """What a lead keeps of the comment that brought it."""
    out = {
        "type": "comment", "channel": c["channel"], "post_id": c["post_id"],
        "comment_id": c["comment_id"], "comment": c["text"], "permalink": c["permalink"],
    }  # fmt: skip
    return {k: v for k, v in out.items() if v}


def log_comment(
    db: sqlite_utils.Database, conversation_id: int, c: dict[str, Any], now: float
) -> None:
    """The comment itself on the conversation, once."""
    seen = db.conn.execute(
        "SELECT 1 FROM messages WHERE conversation_id = ? AND mid = ?",
        (conversation_id, f"comment:{c['comment_id']}"),
    ).fetchone()
    if seen:
        return
    data = {"comment": {k: c[k] for k in ("comment_id", "post_id", "channel", "permalink") if c[k]}}
    conversations.log_message(
        db, conversation_id, "in", "customer", c["text"], min(c["created_at"], now),
        data=data, mid=f"comment:{c['comment_id']}",
    )  # fmt: skip


def by_post(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """Per post: comments, private replies sent, leads they brought, and how many converted."""
    rows = db.conn.execute(
        "SELECT c.post_id, c.channel, count(*), "
        "sum(CASE WHEN c.status = 'replied' THEN 1 ELSE 0 END), count(DISTINCT c.conversation_id), "
        "count(DISTINCT CASE WHEN v.last_customer_at IS NOT NULL THEN v.id END), "
        "count(DISTINCT CASE WHEN v.stage = 'converted' OR v.orders > 0 THEN v.id END) "
        "FROM comments c LEFT JOIN conversations v ON v.id = c.conversation_id "
        "WHERE c.status != 'own' GROUP BY c.post_id, c.channel ORDER BY count(*) DESC"
    ).fetchall()
    keys = ("post_id", "channel", "comments", "private_replies", "leads", "answered", "converted")
    return [dict(zip(keys, r, strict=True)) for r in rows]
