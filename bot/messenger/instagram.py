"""Instagram through the Messenger Platform (shared/messenger/MORE.md §4): its DMs are
Messenger events with IGSIDs (``bot.messenger.events`` parses them, then ``adapt`` marks
them); its comments come as ``comments`` changes (``comment``). Pure."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

CHANNEL = "instagram"


def adapt(event: Any, raw: Mapping[str, Any]) -> Any:
    """A parsed Instagram ``messaging[]`` Event, marked as Instagram's; a story reply keeps
    the story (its link expires in about a day: staff see it at once), a story mention is
    an attachment of type ``story_mention``."""
    changes: dict[str, Any] = {"channel": CHANNEL}
    message: dict[str, Any] = _map(raw.get("message"))
    story = (message.get("reply_to") or {}).get("story") if message else None
    if isinstance(story, dict):
        item = {"type": "story_reply", "url": story.get("url"), "id": _str(story.get("id"))}
        changes["attachments"] = (*event.attachments, {k: v for k, v in item.items() if v})
        changes["extra"] = {**event.extra, "story": dict(story)}
    if message and (message.get("is_deleted") or message.get("is_unsupported")):
        changes["extra"] = {**event.extra, "deleted" if message.get("is_deleted") else
                            "unsupported": True}  # fmt: skip
    return dataclasses.replace(event, **changes)


def comment(value: Mapping[str, Any], account_id: str, *, live: bool = False) -> dict | None:
    """An Instagram ``comments`` value → the comment's fields (both documented shapes:
    ``id`` or ``comment_id``); None without an id."""
    cid = value.get("id") or value.get("comment_id")
    if not cid:
        return None
    who: dict[str, Any] = _map(value.get("from"))
    media: dict[str, Any] = _map(value.get("media"))
    from_id = _str(who.get("id"))
    return {
        "channel": CHANNEL,
        "comment_id": str(cid),
        "post_id": str(media.get("id") or value.get("media_id") or ""),
        "parent_id": _str(value.get("parent_id")),
        "from_id": from_id,  # the IGSID: private replies answer it, DMs come from it
        "from_name": who.get("username"),
        "text": value.get("text"),
        "verb": "add",  # Instagram sends no edits or deletions of comments
        "created_at": 0.0,  # no time in the value: the entry's (filled by the caller)
        "permalink": None,
        "own": from_id is not None and from_id == account_id,
        "live": live,
        "media_type": media.get("media_product_type"),
        "ad_id": _str(media.get("ad_id")),
    }


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


def _map(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
