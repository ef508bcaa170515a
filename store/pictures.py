"""Customers' profile pictures, kept as bytes.

Meta's ``profile_pic`` links are signed and expire within days (shared/messenger/MORE.md,
User Profile API), so the names worker downloads the picture and keeps it here, in the
database, where every server of a deployment finds it. The workspace serves it at
``/staff/c/<id>/picture`` (bot.staff.views.picture); ``conversations.picture`` then holds
that path (:func:`path`), so the queue, the leads and the JSON API name the kept picture
where they named Meta's link before.
"""

from __future__ import annotations

import hashlib
from typing import Any

import sqlite_utils

LIMIT = 512 * 1024  # bytes: a larger picture is not kept
TYPES = ("image/jpeg", "image/png", "image/webp", "image/gif")


def path(conversation_id: int) -> str:
    """The workspace's address of the conversation's kept picture (docs/http.md)."""
    return f"/staff/c/{int(conversation_id)}/picture"


def is_kept(conversation_id: int, picture: Any) -> bool:
    """Does ``picture`` (``conversations.picture``) name the kept bytes, not Meta's link?"""
    return isinstance(picture, str) and picture == path(conversation_id)


def keep(
    db: sqlite_utils.Database, conversation_id: int, data: bytes, content_type: str, now: float
) -> str:
    """Keep the picture (replacing an older one) and point the conversation at it; the
    ETag. Inside a write_tx; ValueError for a type or size the workspace must not serve."""
    if content_type not in TYPES:
        raise ValueError(f"not a picture type: {content_type!r}")
    if not data or len(data) > LIMIT:
        raise ValueError(f"a picture of {len(data)} bytes (at most {LIMIT})")
    etag = hashlib.sha256(data).hexdigest()[:32]
    db.conn.execute(
        "INSERT INTO pictures (conversation_id, content_type, data, etag, fetched_at) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT (conversation_id) DO UPDATE SET "
        "content_type = excluded.content_type, data = excluded.data, etag = excluded.etag, "
        "fetched_at = excluded.fetched_at",
        (conversation_id, content_type, bytes(data), etag, now),
    )
    db.conn.execute(
        "UPDATE conversations SET picture = ? WHERE id = ?",
        (path(conversation_id), conversation_id),
    )
    return etag


def get(db: sqlite_utils.Database, conversation_id: int) -> dict[str, Any] | None:
    """``{content_type, data, etag, fetched_at}`` of the kept picture, or None."""
    row = db.conn.execute(
        "SELECT content_type, data, etag, fetched_at FROM pictures WHERE conversation_id = ?",
        (conversation_id,),
    ).fetchone()
    if row is None:
        return None
    return {"content_type": row[0], "data": bytes(row[1]), "etag": row[2], "fetched_at": row[3]}


def etag_of(db: sqlite_utils.Database, conversation_id: int) -> str | None:
    """The kept picture's ETag without reading its bytes (a revalidation)."""
    row = db.conn.execute(
        "SELECT etag FROM pictures WHERE conversation_id = ?", (conversation_id,)
    ).fetchone()
    return row[0] if row else None
