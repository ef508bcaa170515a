"""How the workspace and the API show things: times, waits, numbers, stage names, reasons,
answers, a lead as JSON, leads as CSV, and a domain error in the workspace's language."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import sqlite_utils
from babel.dates import format_datetime
from flask import Response, current_app, g, request, url_for

from bot import i18n
from bot.conversation.hours import bn_day_period
from bot.errors import (
    AlreadyClaimed,
    BartaError,
    Forbidden,
    HandoffClosed,
    InvalidInput,
    NotFound,
    StageError,
    WindowClosed,
)
from bot.messenger.policy import HUMAN_AGENT_TAG, HUMAN_AGENT_WINDOW, WINDOW, reply_tag
from bot.staff import wording
from bot.staff.auth import runtime, session_staff
from bot.staff.lang import t as _
from bot.staff.lang import ui_lang
from bot.staff.wording import (  # noqa: F401  (the pages import them from here too)
    answer_rows,
    answer_text,
    ask_step,
    cause_text,
    claimant,
    flow_words,
    intent_words,
    num,
    reason_text,
    words,
)
from store import conversations, leads, pages, pictures, queue

if TYPE_CHECKING:
    from bot.book.types import FlowBook

_HANDOFF_TIMES = ("created_at", "claimed_at", "closed_at", "first_response_at", "answer_by")


def book() -> FlowBook:
    """The flows in force; a draft in the simulator; inside ``page_book`` the Book of
    the Page being shown."""
    return wording.book()


def book_for(page_id: str | None) -> FlowBook:
    """The Book a Page answers with: its own flows, else BOT_FLOWS' ('' is that Page)."""
    return current_app.config["PAGES"].book(page_id or "")  # bot.pages, set by create_app


@contextmanager
def page_book(page_id: str | None) -> Iterator[FlowBook]:
    """Words from ``page_id``'s Book inside: its questions, choices, stages and topics."""
    before = g.get("page_book")
    g.page_book = book_for(page_id)
    try:
        yield g.page_book
    finally:
        g.page_book = before


def page_names(db: sqlite_utils.Database) -> dict[str, str]:
    """``{page_id: name}`` of the added Pages (the id when it has no name); empty when the
    deployment is the one Page of MESSENGER_PAGE_TOKEN."""
    return {p["page_id"]: p["name"] or p["page_id"] for p in pages.all_pages(db)}


def several_pages(names: dict[str, str]) -> bool:
    """Whether rows name their Page: two Pages added, or one beside MESSENGER_PAGE_TOKEN's."""
    return len(names) > 1 or (bool(names) and bool(current_app.config.get("MESSENGER_PAGE_TOKEN")))


def zone() -> ZoneInfo:
    return ZoneInfo(book().settings.timezone)


def pipeline() -> list[str]:
    return [s.id for s in book().stages]


def page_context() -> dict[str, Any]:
    """For the workspace's templates: the added Pages' names, whether rows name their Page,
    and the Pages the account may filter by (every added Page, or those it is limited to)."""
    names = page_names(runtime().db())
    limit = (session_staff() or {}).get("pages")
    offered = {k: v for k, v in names.items() if limit is None or k in limit}
    return {"page_names": names, "several_pages": several_pages(names), "page_choices": offered}


# --- for the API ---------------------------------------------------------------------------


def iso(ts: float | None) -> str | None:
    """Seconds → ISO 8601 with the business's offset (2026-04-14T15:04:05+06:00)."""
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, zone()).isoformat(timespec="seconds")


def reply_window(conv: dict, now: float) -> dict[str, Any]:
    """Can staff write now, and how: '' (normal), 'HUMAN_AGENT' (until), 'closed'."""
    tag = reply_tag(conv["last_customer_at"], now)
    until = None
    if conv["last_customer_at"] is not None:
        until = conv["last_customer_at"] + HUMAN_AGENT_WINDOW
    return {"tag": tag, "human_agent_until": iso(until) if tag == HUMAN_AGENT_TAG else None}


def _message_json(m: dict) -> dict[str, Any]:
    keys = ("direction", "sender", "author", "text", "delivery", "error", "data")
    return {**{k: m[k] for k in keys}, "at": iso(m["at"])}


def conversation_json(db: sqlite_utils.Database, conv: dict) -> dict[str, Any]:
    """Everything the workspace shows about one lead."""
    rt = runtime()
    cid = conv["id"]
    handoff = queue.open_for(db, cid)
    history = conversations.stage_history(db, cid)
    return {
        "id": cid,
        "psid": conv["psid"],
        "page_id": conv.get("page_id") or "",
        "name": conv["name"],
        "picture": picture_field(cid, conv.get("picture")),
        "name_source": conv.get("name_source"),
        "language": conv["language"],
        "stage": conv["stage"],
        "score": conv["score"],
        "orders": conv.get("orders") or 0,
        "answers": conv["answers"],
        "bot_paused": bool(conv["bot_paused"]),
        "opted_out": bool(conv["opted_out"]),
        "unreachable": bool(conv["unreachable"]),
        "window_note": conv["window_note"],
        "source": conv["source"],
        "source_kind": leads.source_kind(conv["source"]),
        "channel": conv.get("channel") or "messenger",
        "labels": conversations.labels(db, cid),
        "notes": [{**n, "at": iso(n["at"])} for n in conversations.notes(db, cid)],
        "messages": [_message_json(m) for m in conversations.messages(db, cid)],
        "stage_history": [{**h, "at": iso(h["at"])} for h in history],
        "legal_stages": rt.engine.engine_of(conv).machine.legal_moves(conv["stage"]),
        "handoff": handoff and {**handoff, **{k: iso(handoff[k]) for k in _HANDOFF_TIMES}},
        "reply_window": reply_window(conv, rt.clock()),
        "created_at": iso(conv["created_at"]),
        "updated_at": iso(conv["updated_at"]),
        "last_customer_at": iso(conv["last_customer_at"]),
    }


def lead_json(row: dict) -> dict[str, Any]:
    keys = ("conversation_id", "psid", "name", "stage", "score", "answers", "labels", "source")
    return {
        "picture": picture_field(row["conversation_id"], row.get("picture")),
        **{k: row[k] for k in keys},
        "updated_at": iso(row["updated_at"]),
        "created_at": iso(row["created_at"]),
        "source_kind": leads.source_kind(row["source"]),
        "channel": row.get("channel") or "messenger",
        "page_id": row.get("page_id") or "",
    }


def picture_url(conversation_id: int | None, picture: Any) -> str | None:
    """The workspace's address of the customer's kept picture, or None: the workspace
    shows no other (Meta's links expire within days; store.pictures). ``picture``: the
    conversation's column, or the JSON's field made of it (conversation_json)."""
    if conversation_id is None or not isinstance(picture, str) or not picture:
        return None
    url = url_for("staff.picture", cid=conversation_id)
    return url if picture == url or pictures.is_kept(conversation_id, picture) else None


def picture_field(conversation_id: int, picture: Any) -> str | None:
    """The JSON API's ``picture``: the kept picture's workspace address, else what the
    conversation holds (Meta's link, kept before pictures were; or None)."""
    return picture_url(conversation_id, picture) or picture


def web_link(url: Any) -> str | None:
    """``url`` when it is an http(s) link, else None: customers send attachments whose
    url could be ``javascript:`` or ``data:``; only web links are ever made clickable."""
    if not isinstance(url, str) or len(url) > 4096:
        return None
    text = url.strip()
    if any(ord(ch) < 0x20 for ch in text):
        return None
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return text


def csv_response(rows: list[dict]) -> Response:
    """Leads as CSV with a BOM, so Excel opens Bangla as Bangla."""
    buf = io.StringIO()
    buf.write("\ufeff")
    writer = csv.writer(buf)
    for row in leads.csv_table(rows, lambda ts: iso(ts) or ""):
        writer.writerow(row)
    stamp = datetime.fromtimestamp(runtime().clock(), zone()).strftime("%Y%m%d-%H%M")
    return Response(
        buf.getvalue().encode("utf-8"),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="leads-{stamp}.csv"',
            "Content-Type": "text/csv; charset=utf-8",
        },
    )


# --- for the workspace -----------------------------------------------------------------------


def stage_name(stage_id: str | None, lang: str | None = None) -> str:
    if not stage_id:
        return ""
    lang = lang or ui_lang()
    for s in book().stages:
        if s.id == stage_id:
            return i18n.pick(s.name, lang, book().settings.languages[0]) or stage_id
    return stage_id


def fmt_time(ts: float | None) -> str:
    """A moment in the business's timezone, in the workspace language (Babel).

    "23 Nov, 9:06 AM"; in Bangla "২৩ নভেম্বর, সকাল ৯:০৬" (the month in full, as Bangla
    readers write it; CLDR's short "নভে" reads as a clipped word): CLDR's bn data has only AM/PM,
    where Bangla names the part of the day before the hour.
    """
    if ts is None:
        return ""
    at = datetime.fromtimestamp(ts, zone())
    if ui_lang() == "bn":
        day = format_datetime(at, "d MMMM", locale="bn")
        clock = format_datetime(at, "h:mm", locale="bn")
        return i18n.bn_digits(f"{day}, {bn_day_period(at.time())} {clock}")
    return format_datetime(at, "d MMM, h:mm a", locale="en")


def window_left(last_customer_at: float | None, now: float) -> dict[str, Any]:
    """Time left in Messenger's windows: ``kind`` '' (normal), 'HUMAN_AGENT' or 'closed',
    ``seconds`` left in that window, and ``text`` to show."""
    tag = reply_tag(last_customer_at, now)
    if tag == "closed" or last_customer_at is None:
        return {"kind": "closed", "seconds": 0.0, "text": _("window closed")}
    if tag == HUMAN_AGENT_TAG:
        left = last_customer_at + HUMAN_AGENT_WINDOW - now
        return {
            "kind": tag,
            "seconds": left,
            "text": _("{time} left (staff only)", time=fmt_wait(left)),
        }
    left = last_customer_at + WINDOW - now
    return {"kind": "", "seconds": left, "text": _("{time} left to answer", time=fmt_wait(left))}


def fmt_day(ts: float | None) -> str:
    """A day: "2 Dec"; in Bangla "২ ডিসেম্বর" (the month's full name)."""
    if ts is None:
        return ""
    at = datetime.fromtimestamp(ts, zone())
    if ui_lang() == "bn":
        return i18n.bn_digits(format_datetime(at, "d MMMM", locale="bn"))
    return format_datetime(at, "d MMM", locale="en")


def phone_href(text: str | None) -> str | None:
    """A ``tel:`` link when an answer is a phone number (Bengali digits too), else None."""
    if not text:
        return None
    bn = "০১২৩৪৫৬৭৮৯"
    ascii_ = "".join(str(bn.index(ch)) if ch in bn else ch for ch in text.strip())
    kept = "".join(ch for ch in ascii_ if ch not in " -()")
    body = kept[1:] if kept.startswith("+") else kept
    if 10 <= len(body) <= 14 and body.isascii() and body.isdigit():
        return "tel:" + kept
    return None


def fmt_wait(seconds: float | None) -> str:
    """12 min, 2 h 5 min, 3 d 4 h."""
    if seconds is None:
        return ""
    minutes = max(0, int(seconds // 60))
    if minutes < 60:
        text = _("{m} min", m=minutes)
    elif minutes < 24 * 60:
        h, m = divmod(minutes, 60)
        text = _("{h} h {m} min", h=h, m=m) if m else _("{h} h", h=h)  # "3 h", not "3 h 0 min"
    else:
        d, h = minutes // 1440, (minutes % 1440) // 60
        text = _("{d} d {h} h", d=d, h=h) if h else _("{d} d", d=d)
    return i18n.bn_digits(text) if ui_lang() == "bn" else text


def target_seconds() -> float:
    """How long a lead may wait before the queue shows it late."""
    return float(book().settings.response_target_minutes or 15) * 60


def bars(values: list[tuple[str, int]]) -> list[dict[str, Any]]:
    """Rows of a horizontal bar chart: label, value and the bar's share of the widest."""
    top = max((v for _, v in values), default=0) or 1
    return [
        {
            "label": label if len(label) <= 16 else label[:15] + "…",
            "full": label,
            "value": v,
            "share": v / top,
        }
        for label, v in values
    ]


def error_text(e: BartaError) -> str:
    """A domain error as the workspace says it; the API's English text where none is kept."""
    if isinstance(e, AlreadyClaimed):
        if e.state == "claimed":
            return _("{name} already claimed this lead.", name=claimant(e.claimed_by))
        return _("This lead is no longer waiting.")
    if isinstance(e, HandoffClosed):
        return _("This lead is no longer open.")
    if isinstance(e, Forbidden):
        return _("Only an owner or the person who holds this lead may do that.")
    if isinstance(e, WindowClosed):
        return _("Not sent: more than 7 days have passed. The customer must write first.")
    if isinstance(e, StageError):
        legal = ", ".join(stage_name(s) for s in e.legal) or "–"
        return _(
            "Cannot move from {current} to {target}. Allowed: {legal}.",
            current=stage_name(e.current),
            target=stage_name(e.target),
            legal=legal,
        )
    if isinstance(e, NotFound):
        return _("This lead does not exist (any more).")
    if isinstance(e, InvalidInput):
        return _invalid_text(e) or str(e)
    return str(e)


def http_error_text(code: int | None) -> str:
    """A 403/404/405 page's sentence in the workspace language."""
    if code == 403:
        return _("You may not open this page.")
    if code == 405:
        return _("This page cannot be used that way.")
    return _("This page does not exist. Check the address, or go back to the queue.")


def _invalid_text(e: InvalidInput) -> str | None:
    n = num(e.limit)
    texts = {
        ("reply", "empty"): lambda: _("Write a reply first."),
        ("reply", "too_long"): lambda: _("A reply may have at most {n} characters.", n=n),
        ("note", "empty"): lambda: _("Write a note first."),
        ("note", "too_long"): lambda: _("A note may have at most {n} characters.", n=n),
        ("label", "empty"): lambda: _("Write a label first."),
        ("label", "too_long"): lambda: _("A label may have at most {n} characters.", n=n),
        ("stage", "empty"): lambda: _("Pick a stage first."),
        ("search", "too_long"): lambda: _("A search may have at most {n} characters.", n=n),
        ("assign", "page"): lambda: _("That person does not work on this lead's Page."),
    }
    text = texts.get((e.subject, e.problem))
    return text() if text else None


# --- customers' pictures -------------------------------------------------------------------

PICTURE_CACHE = "private, max-age=86400"  # the browser's own copy, a day; never a proxy's


def picture_response(db: sqlite_utils.Database, cid: int) -> Response:
    """The kept profile picture of conversation ``cid`` (store.pictures) with its ETag
    (304 when the client has it); 404 when none is kept. The caller checks access."""
    etag = pictures.etag_of(db, cid)
    if etag is None:
        raise NotFound(f"conversation {cid} has no picture")
    headers = {"Cache-Control": PICTURE_CACHE, "X-Content-Type-Options": "nosniff"}
    if request.if_none_match.contains(etag):
        response = Response(status=304, headers=headers)
        response.set_etag(etag)
        return response
    kept = pictures.get(db, cid)
    if kept is None:  # removed in between
        raise NotFound(f"conversation {cid} has no picture")
    response = Response(kept["data"], mimetype=kept["content_type"], headers=headers)
    response.set_etag(kept["etag"])
    return response
