"""Page comments in the webhook: ``changes`` entries → the keyword arguments of comment
``Event``s (shared/messenger/MORE.md §1, §4.2).

Facebook sends comments as ``object: "page"``, ``entry[].changes[]`` with ``field: "feed"``
and ``value.item: "comment"`` (most feed traffic is something else: skipped). Instagram
sends ``object: "instagram"`` with ``field: "comments"``, in ``changes[]`` or — as Meta's
Instagram-Login examples print it — with ``field``/``value`` straight on the entry; both are
read (bot.messenger.instagram). Kept tolerant of what MORE.md §8 marks unverified: no
``from`` (Standard Access), ``sender_id``/``sender_name`` of old payloads, times in seconds
or milliseconds, ``id`` or ``comment_id``.

Pure: returns plain dicts, so ``bot.messenger.events`` builds the Events (no import cycle).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from bot.messenger import instagram

INBOX_PREFIX = "comment:"  # a comment's events queue under comment:<comment id>, in order


def parse_entry(obj: str, entry: Mapping[str, Any]) -> tuple[list[dict[str, Any]], list[str]]:
    """One webhook entry's comment changes → (Event kwargs, notes on what was skipped)."""
    page_id = str(entry.get("id", ""))
    changes = entry.get("changes")
    if not isinstance(changes, list):
        changes = [entry] if "field" in entry else []  # Instagram Login's flat shape
    out: list[dict[str, Any]] = []
    notes: list[str] = []
    for change in changes:
        if not isinstance(change, dict):
            notes.append("change is not an object")
            continue
        field, value = change.get("field"), change.get("value")
        if not isinstance(value, dict):
            notes.append(f"change {field!r} without a value")
            continue
        try:
            if obj == "instagram" and field in ("comments", "live_comments"):
                found = instagram.comment(value, page_id, live=field == "live_comments")
            elif obj == "page" and field == "feed":
                found = comment(value, page_id)
            else:
                found = None
        except (TypeError, ValueError, AttributeError) as e:
            notes.append(f"malformed {field} change: {e}")
            continue
        if found is None:
            item = value.get("item") if isinstance(value, dict) else None
            notes.append(f"change {field!r} ({item or 'no item'}) is not a comment we use")
            continue
        if not found["created_at"]:
            found["created_at"] = seconds(entry.get("time"))
        out.append(event_kwargs(found, page_id))
    return out, notes


def seconds(value: Any) -> float:
    """Meta's time as seconds: feed times come in seconds, messaging times in ms."""
    try:
        t = float(value)
    except (TypeError, ValueError):
        return 0.0
    return t / 1000.0 if t > 1e12 else t


def comment(value: Mapping[str, Any], page_id: str) -> dict[str, Any] | None:
    """A Facebook ``feed`` change → the comment's fields, or None when it is no comment."""
    if value.get("item") != "comment":
        return None
    cid = value.get("comment_id")
    if not cid:
        return None
    who: dict[str, Any] = _map(value.get("from"))
    from_id = who.get("id") or value.get("sender_id")
    post: dict[str, Any] = _map(value.get("post"))
    verb = str(value.get("verb") or "add")
    return {
        "channel": "facebook",
        "comment_id": str(cid),
        "post_id": str(value.get("post_id") or post.get("id") or ""),
        "parent_id": _str(value.get("parent_id")),
        "from_id": _str(from_id),
        "from_name": who.get("name") or value.get("sender_name"),
        "text": value.get("message"),
        "verb": "edited" if verb == "edit" else ("remove" if verb == "delete" else verb),
        "created_at": seconds(value.get("created_time")),
        "permalink": post.get("permalink_url"),
        "own": from_id is not None and str(from_id) == page_id,
        "photo": value.get("photo") or value.get("video"),
    }


def event_kwargs(c: dict[str, Any], page_id: str) -> dict[str, Any]:
    """The keyword arguments of the comment's Event (kind ``comment``)."""
    text = c.get("text")
    digest = hashlib.sha1((text or "").encode("utf-8")).hexdigest()[:12]
    extra = {k: v for k, v in c.items() if v not in (None, "", False) and k != "text"}
    # add and remove happen once per comment; each new text of an edit is its own event
    extra["dedupe"] = f"{c['comment_id']}:{c['verb']}" + (
        f":{digest}" if c["verb"] == "edited" else ""
    )
    return {
        "kind": "comment",
        "psid": INBOX_PREFIX + c["comment_id"],
        "page_id": page_id,
        "timestamp": int(c["created_at"] * 1000),
        "text": text,
        "action": c["verb"],
        "channel": "instagram" if c["channel"] == "instagram" else "messenger",
        "extra": extra,
    }


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


def _map(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
