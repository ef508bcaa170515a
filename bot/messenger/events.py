"""Messenger webhook JSON → frozen ``Event``s, and the key that deduplicates them."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import MISSING, dataclass, field, fields
from typing import Any

from bot.messenger import feed, instagram

log = logging.getLogger(__name__)

# Event kinds the engine knows; anything else is logged and skipped at the webhook.
KINDS = (
    "message", "postback", "referral", "echo", "read", "delivery",
    "reaction", "edit", "handover", "optin", "comment",
)  # fmt: skip


@dataclass(frozen=True)
class Event:
    kind: str
    psid: str  # always the customer's id (the recipient, for echoes)
    page_id: str = ""
    timestamp: int = 0  # ms since the epoch; 0 when Meta sent none (deliveries)
    mid: str | None = None
    text: str | None = None
    payload: str | None = None  # quick-reply or postback payload
    quick_reply: bool = False
    title: str | None = None  # postback button title
    attachments: tuple[Mapping[str, Any], ...] = ()
    sticker_id: str | None = None
    referral: Mapping[str, Any] | None = None
    app_id: str | None = None  # echoes: which app sent it (str; Meta sends a number)
    metadata: str | None = None
    watermark: int | None = None
    mids: tuple[str, ...] = ()
    reaction: str | None = None
    emoji: str | None = None
    action: str | None = None  # reactions: react | unreact; handover: pass | take | request
    num_edit: int | None = None
    reply_to: str | None = None
    new_owner_app_id: str | None = None
    previous_owner_app_id: str | None = None
    standby: bool = False  # another app owns the thread: record, never reply
    channel: str = "messenger"  # messenger | instagram (bot.messenger.instagram)
    extra: Mapping[str, Any] = field(default_factory=dict)

    def key(self) -> str:
        """The dedupe key: the mid where Meta gives one, else sender + time + kind."""
        if self.kind == "comment":  # redeliveries of a comment's add are one event
            return f"comment:{self.extra.get('dedupe')}"
        if self.kind == "edit":
            return f"edit:{self.mid}:{self.num_edit}"
        if self.kind == "reaction":
            return f"reaction:{self.psid}:{self.timestamp}:{self.action}:{self.mid}"
        if self.mid and self.kind in ("message", "echo", "postback"):
            return self.mid
        if self.kind in ("read", "delivery"):
            return f"{self.kind}:{self.psid}:{self.watermark}"
        if self.kind == "referral":
            ref = (self.referral or {}).get("ref") or (self.referral or {}).get("ad_id")
            return f"referral:{self.psid}:{self.timestamp}:{ref}"
        detail = self.payload or self.action or ""
        return f"{self.kind}:{self.psid}:{self.timestamp}:{detail}"

    def to_json(self) -> str:
        # Only the fields that differ from their defaults: smaller inbox rows, faster loads
        # (dataclasses.asdict deep-copies and cost 100 µs here).
        data = {}
        for name, default in _DEFAULTS:
            value = getattr(self, name)
            if value != default:
                data[name] = value
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> Event:
        data = json.loads(text)
        for name in ("attachments", "mids"):
            if name in data:
                data[name] = tuple(data[name])
        return cls(**data)


_DEFAULTS = tuple(
    (f.name, {} if f.name == "extra" else (None if f.default is MISSING else f.default))
    for f in fields(Event)
)


def parse_body(body: Any) -> tuple[list[Event], list[str]]:
    """All events of one webhook POST, in order, and a note for each one skipped."""
    events: list[Event] = []
    skipped: list[str] = []
    if not isinstance(body, dict):
        return events, ["body is not a JSON object"]
    obj = body.get("object")
    if obj not in ("page", "instagram"):
        return events, [f"object {obj!r} is not supported (Messenger and Instagram only)"]
    entries = body.get("entry")
    if not isinstance(entries, list):
        return events, ["no entry list"]
    for entry in entries:
        if not isinstance(entry, dict):
            skipped.append("entry is not an object")
            continue
        page_id = str(entry.get("id", ""))
        found = "changes" in entry or "field" in entry  # comments (bot.messenger.feed)
        if found:
            kwargs, notes = feed.parse_entry(obj, entry)
            events.extend(Event(**kw) for kw in kwargs)
            skipped.extend(notes)
        for where, standby in (("messaging", False), ("standby", True)):
            items = entry.get(where)
            if not isinstance(items, list):
                continue
            found = True
            for raw in items:
                # Each event stands alone: whatever is wrong with one (a missing key, a
                # null id, a number too big, a lone surrogate, nesting too deep) skips it
                # and only it; the others of the POST are stored.
                try:
                    event = parse_event(raw, page_id, standby=standby)
                    if event is not None:
                        _check(event)
                except (TypeError, ValueError, AttributeError, KeyError, OverflowError,
                        RecursionError) as e:  # fmt: skip
                    event, why = None, f"malformed event: {type(e).__name__}: {str(e)[:200]!r}"
                else:
                    why = "unknown event type" if event is None else ""
                    if event is not None and obj == "instagram":
                        event = instagram.adapt(event, raw)
                if event is None:
                    keys = sorted(raw) if isinstance(raw, dict) else type(raw).__name__
                    skipped.append(f"{why} ({keys})")
                else:
                    events.append(event)
        if not found:
            skipped.append(f"entry without messaging: {sorted(entry)}")
    return events, skipped


MAX_TIMESTAMP = 10**15  # ms; year 33658 — anything bigger is not a time
MAX_DEPTH = 32  # nesting of one event's JSON; Meta's are a handful deep


def _check(event: Event) -> None:
    """ValueError unless the event can be stored as it is: a customer id, a sane time, JSON
    of bounded depth that encodes as UTF-8 (no lone surrogate)."""
    if not event.psid:
        raise ValueError("no sender id")
    if not 0 <= event.timestamp <= MAX_TIMESTAMP:
        raise ValueError("timestamp out of range")
    for value in (event.watermark, event.num_edit):
        if value is not None and not 0 <= value <= MAX_TIMESTAMP:
            raise ValueError("number out of range")
    if _depth(event.attachments) > MAX_DEPTH or _depth(event.referral) > MAX_DEPTH:
        raise ValueError("nested too deep")
    if _depth(event.extra) > MAX_DEPTH:
        raise ValueError("nested too deep")
    for text in (event.text, event.payload, event.title, event.mid):
        if text is not None and not isinstance(text, str):
            raise ValueError("a text field is not text")
    event.to_json().encode("utf-8")  # UnicodeEncodeError (a ValueError) on a lone surrogate


def _depth(value: Any) -> int:
    """How deep lists and maps nest in ``value`` (iterative: no recursion to exhaust)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, Mapping):
            children: Any = item.values()
        elif isinstance(item, list | tuple):
            children = item
        else:
            continue
        deepest = max(deepest, level)
        if deepest > MAX_DEPTH:
            return deepest
        stack.extend((child, level + 1) for child in children)
    return deepest


def _id(obj: Any) -> str:
    """An id as text; "" when missing, null or not a plain string or number."""
    if not isinstance(obj, dict):
        return ""
    value = obj.get("id")
    if isinstance(value, bool) or not isinstance(value, str | int) or value == "":
        return ""
    return str(value)


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


def parse_event(
    raw: Mapping[str, Any], page_id: str = "", *, standby: bool = False
) -> Event | None:
    """One ``messaging[]`` item → an Event, or None for a shape we do not use."""
    sender, recipient = _id(raw.get("sender")), _id(raw.get("recipient"))
    ts = int(raw.get("timestamp") or 0)
    base: dict[str, Any] = {"page_id": page_id, "timestamp": ts, "standby": standby}
    if "message" in raw:
        m = raw["message"]
        attachments, sticker = _attachments(m)
        common = dict(
            base,
            mid=_str(m.get("mid")),
            text=m.get("text"),
            attachments=attachments,
            sticker_id=sticker or _str(m.get("sticker_id")),
        )
        if m.get("is_echo"):
            return Event(
                kind="echo", psid=recipient, app_id=_str(m.get("app_id")),
                metadata=m.get("metadata"), **common,
            )  # fmt: skip
        qr = m.get("quick_reply") or {}
        return Event(
            kind="message",
            psid=sender,
            payload=qr.get("payload"),
            quick_reply=bool(qr),
            referral=m.get("referral"),
            reply_to=_str((m.get("reply_to") or {}).get("mid")),
            **common,
        )
    if "postback" in raw:
        p = raw["postback"]
        return Event(
            kind="postback", psid=sender, mid=_str(p.get("mid")), payload=p.get("payload"),
            title=p.get("title"), referral=p.get("referral"), **base,
        )  # fmt: skip
    if "referral" in raw:
        return Event(kind="referral", psid=sender, referral=dict(raw["referral"]), **base)
    if "read" in raw:
        return Event(kind="read", psid=sender, watermark=int(raw["read"]["watermark"]), **base)
    if "delivery" in raw:
        d = raw["delivery"]
        return Event(
            kind="delivery", psid=sender, watermark=int(d.get("watermark") or 0),
            mids=tuple(d.get("mids") or ()), **base,
        )  # fmt: skip
    if "reaction" in raw:
        r = raw["reaction"]
        return Event(
            kind="reaction", psid=sender, mid=_str(r.get("mid")), reaction=r.get("reaction"),
            emoji=r.get("emoji"), action=r.get("action"), **base,
        )  # fmt: skip
    if "message_edit" in raw:
        e = raw["message_edit"]
        return Event(
            kind="edit", psid=sender, mid=_str(e.get("mid")), text=e.get("text"),
            num_edit=int(e.get("num_edit") or 0), **base,
        )  # fmt: skip
    for name, action in (
        ("pass_thread_control", "pass"),
        ("take_thread_control", "take"),
        ("request_thread_control", "request"),
    ):
        if name in raw:
            h = raw[name]
            return Event(
                kind="handover", psid=sender, action=action, metadata=h.get("metadata"),
                new_owner_app_id=_str(h.get("new_owner_app_id") or h.get("requested_owner_app_id")),
                previous_owner_app_id=_str(h.get("previous_owner_app_id")), **base,
            )  # fmt: skip
    if "optin" in raw:
        o = raw["optin"]
        return Event(kind="optin", psid=sender, payload=o.get("type"), extra=dict(o), **base)
    return None


def _attachments(message: Mapping[str, Any]) -> tuple[tuple[dict, ...], str | None]:
    out, sticker = [], None
    for a in message.get("attachments") or ():
        payload = a.get("payload") or {}
        item = {"type": a.get("type"), "url": payload.get("url")}
        if payload.get("sticker_id"):
            item["sticker_id"] = sticker = str(payload["sticker_id"])
        if "coordinates" in payload:
            item["coordinates"] = payload["coordinates"]
        if a.get("title"):
            item["title"] = a["title"]
        out.append(item)
    return tuple(out), sticker
