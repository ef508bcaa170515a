"""What staff do, once for the workspace forms and the JSON API: claim, release, resolve,
unclaim, assign, open, reply, note, label, stage, the lead filters and the Pages an account
may work on. Each checks its input the same way for
both and raises a domain error (``bot.errors``) that the one error handler renders.

The rules, whichever side a value comes from:

* a field that is not a string is refused (forms always send strings; JSON may not);
* text is stripped, and line breaks count and are kept as ``\\n`` (a form sends ``\\r\\n``);
* empty after stripping is refused;
* longer than its limit is refused, naming the limit: never cut silently;
* labels read with their inner whitespace collapsed (``"ঈদ   অফার"`` is ``"ঈদ অফার"``);
* an unknown stage is a refused move (409 with the legal moves), like an illegal one.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from bot.errors import AlreadyClaimed, HandoffClosed, InvalidInput, NotFound
from store import conversations, leads, pages, queue
from store import staff as accounts
from store.db import write_tx

if TYPE_CHECKING:
    from bot.runtime import Runtime

NOTE_LIMIT = 5000
NAME_LIMIT = 100
LABEL_LIMIT = 50
QUERY_LIMIT = 200
REPLY_LIMIT = 5 * 2000  # at most five Messenger messages (2,000 characters each)


# --- checking input ----------------------------------------------------------------------


def _string(value: object, field: str, subject: str) -> str:
    """``value`` as a string ("" when absent); refuses anything else."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidInput(
            f'send {{"{field}": "<the {subject}>"}} with a string',
            field=field,
            problem="type",
            subject=subject,
        )
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate ("\\ud800") cannot be stored or sent
            raise InvalidInput(
                f"the {subject} is not valid text", field=field, problem="type", subject=subject
            ) from None
    return value


def _text(value: object, field: str, subject: str, limit: int | None) -> str:
    """Stripped text with ``\\n`` line breaks; refuses empty and too long."""
    text = _string(value, field, subject).replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        raise InvalidInput(f"the {subject} is empty", field=field, problem="empty", subject=subject)
    if limit is not None and len(text) > limit:
        raise InvalidInput(
            f"a {subject} may have at most {limit} characters",
            field=field,
            problem="too_long",
            subject=subject,
            limit=limit,
        )
    return text


def clean_label(value: object, field: str = "label") -> str:
    """A label with its whitespace collapsed; refuses empty and longer than LABEL_LIMIT."""
    label = " ".join(_string(value, field, "label").split())
    if not label:
        raise InvalidInput("the label is empty", field=field, problem="empty", subject="label")
    if len(label) > LABEL_LIMIT:
        raise InvalidInput(
            f"a label may have at most {LABEL_LIMIT} characters",
            field=field,
            problem="too_long",
            subject="label",
            limit=LABEL_LIMIT,
        )
    return label


def conversation(rt: Runtime, cid: int) -> dict[str, Any]:
    """The conversation ``cid``; NotFound when there is none."""
    conv = conversations.get(rt.db(), cid)
    if conv is None:
        raise NotFound(f"conversation {cid} does not exist")
    return conv


# --- the queue ---------------------------------------------------------------------------


def claim(rt: Runtime, handoff_id: int, by: str) -> dict[str, Any]:
    """Take a waiting handoff; the first claimer wins, everyone else gets AlreadyClaimed."""
    db = rt.db()
    with write_tx(db):
        won = queue.claim(db, handoff_id, by, rt.clock())
        item = queue.get(db, handoff_id)
    if item is None:
        raise NotFound(f"handoff {handoff_id} does not exist")
    if not won:
        raise AlreadyClaimed(item["claimed_by"], item["status"])
    return item


def release(rt: Runtime, handoff_id: int, by: str) -> None:
    """Give the conversation back to the bot; HandoffClosed if it was closed already."""
    if not rt.engine.release(rt.db(), handoff_id, by):
        _closed(rt, handoff_id)


def resolve(rt: Runtime, handoff_id: int, by: str) -> None:
    """Close the handoff; HandoffClosed if it was closed already."""
    if not rt.engine.resolve(rt.db(), handoff_id, by):
        _closed(rt, handoff_id)


def unclaim(rt: Runtime, handoff_id: int, by: str) -> dict[str, Any]:
    """Back to waiting for anyone: the claimant or an owner (Forbidden for anyone else)."""
    return rt.engine.unclaim(rt.db(), handoff_id, by, owner=is_owner(rt, by))


def assign(rt: Runtime, handoff_id: int, to: object, by: str) -> dict[str, Any]:
    """Hand the lead to the staff member ``to``: an owner, or its claimant, may.

    NotFound for a name nobody has; Forbidden for an agent who does not hold the lead.
    """
    name = _string(to, "to", "staff name").strip()
    if not name:
        raise InvalidInput('send {"to": "<staff name>"}', field="to", problem="empty")
    account = accounts.by_name(rt.db(), name)
    if account is None:
        raise NotFound(f"no staff member is called {name!r}")
    item = queue.get(rt.db(), handoff_id)
    conv = item and conversations.get(rt.db(), item["conversation_id"])
    if conv and not accounts.may_see(account, conv.get("page_id") or ""):
        raise InvalidInput(
            f"{account['name']} does not work on this conversation's Page",
            field="to",
            problem="page",
            subject="assign",
        )
    return rt.engine.assign(rt.db(), handoff_id, account["name"], by, owner=is_owner(rt, by))


def is_owner(rt: Runtime, name: str) -> bool:
    account = accounts.by_name(rt.db(), name)
    return account is not None and account["role"] == "owner"


def _closed(rt: Runtime, handoff_id: int) -> None:
    item = queue.get(rt.db(), handoff_id)
    if item is None:
        raise NotFound(f"handoff {handoff_id} does not exist")
    raise HandoffClosed(item["status"])


# --- one conversation --------------------------------------------------------------------


def view(rt: Runtime, cid: int) -> dict[str, Any]:
    """Staff open the conversation: ``conversation``, and its handoff is read."""
    conv = conversation(rt, cid)
    db = rt.db()
    with write_tx(db):
        queue.mark_read(db, cid)
    return conv


def reply(rt: Runtime, cid: int, text: object, by: str) -> dict[str, Any]:
    """Queue a reply to the customer; ``{"outbox_ids", "tag"}`` (tag: None or HUMAN_AGENT)."""
    body = _text(text, "text", "reply", REPLY_LIMIT)
    result = rt.engine.staff_reply(rt.db(), cid, body, by, owner=is_owner(rt, by))
    rt.wake_sender.set()
    return result


def move_stage(rt: Runtime, cid: int, stage: object, by: str) -> dict[str, Any]:
    """Move the lead; StageError (with the legal moves) for an illegal or unknown stage."""
    target = _string(stage, "stage", "stage").strip()
    if not target:
        raise InvalidInput('send {"stage": "<stage id>"}', field="stage", problem="empty")
    conv = rt.engine.move_stage(rt.db(), cid, target, by)
    rt.wake_sender.set()  # a stage may speak when a lead enters it
    return conv


def add_note(rt: Runtime, cid: int, text: object, by: str) -> dict[str, Any]:
    """A note for the team: ``{"id", "author", "text", "at"}`` (at in seconds)."""
    body = _text(text, "text", "note", NOTE_LIMIT)
    conversation(rt, cid)
    db = rt.db()
    now = rt.clock()
    with write_tx(db):
        note_id = conversations.add_note(db, cid, by, body, now)
    return {"id": note_id, "author": by, "text": body, "at": now}


def set_name(rt: Runtime, cid: int, name: object) -> str | None:
    """Staff set or correct the customer's name ("" clears it: looked up again later); a
    name staff set is never replaced by Messenger's."""
    clean = " ".join(_string(name, "name", "name").split())
    if len(clean) > NAME_LIMIT:
        raise InvalidInput(
            f"a name may have at most {NAME_LIMIT} characters",
            field="name",
            problem="too_long",
            subject="name",
            limit=NAME_LIMIT,
        )
    conversation(rt, cid)
    db = rt.db()
    with write_tx(db):
        conversations.set_name(db, cid, clean or None, rt.clock(), source="staff")
    return clean or None


def add_label(rt: Runtime, cid: int, label: object) -> list[str]:
    """Label the lead (twice is once); the lead's labels after."""
    clean = clean_label(label)
    conversation(rt, cid)
    db = rt.db()
    with write_tx(db):
        conversations.add_label(db, cid, clean, rt.clock())
    return conversations.labels(db, cid)


def remove_label(rt: Runtime, cid: int, label: object) -> list[str]:
    """Take a label off (one it does not have is no error); the lead's labels after."""
    clean = " ".join(_string(label, "remove", "label").split())
    conversation(rt, cid)
    db = rt.db()
    with write_tx(db):
        conversations.remove_label(db, cid, clean)
    return conversations.labels(db, cid)


# --- the Pages an account may work on ----------------------------------------------------


def page_scope(args: Mapping[str, str], account: Mapping[str, Any]) -> list[str] | None:
    """The Pages to show: ``?page=`` (a Page id; empty: every Page) within the Pages the
    account is limited to. None: every Page; ``[]``: none (a Page the account may not see)."""
    limit = account.get("pages")
    given = (args.get("page") or "").strip()
    if not given:
        return limit
    try:
        page_id = pages.check_id(given)
    except ValueError:
        raise InvalidInput(
            f"page must be a Page id (digits), not {given!r}", field="page", problem="type"
        ) from None
    if limit is not None and page_id not in limit:
        return []
    return [page_id]


def target(rt: Runtime, *, cid: int | None = None, handoff: int | None = None) -> dict | None:
    """The conversation a request is about (``cid``, or the handoff's); None when unknown
    (the action says so itself)."""
    db = rt.db()
    if handoff is not None:
        item = queue.get(db, handoff)
        if item is None:
            return None
        cid = item["conversation_id"]
    return None if cid is None else conversations.get(db, cid)


def check_access(
    rt: Runtime,
    account: Mapping[str, Any],
    *,
    cid: int | None = None,
    handoff: int | None = None,
    conv: dict | None = None,
) -> None:
    """NotFound when the conversation (``conv``, or the one ``cid``/``handoff`` names) is
    another Page's than the account may work on: for it, that conversation does not
    exist."""
    if account.get("pages") is None:
        return
    if conv is None:
        conv = target(rt, cid=cid, handoff=handoff)
    if conv is not None and not accounts.may_see(dict(account), conv.get("page_id") or ""):
        what = f"handoff {handoff}" if handoff is not None else f"conversation {conv['id']}"
        raise NotFound(f"{what} does not exist")


# --- the lead filters --------------------------------------------------------------------


def _day(args: Mapping[str, str], field: str, zone: ZoneInfo, end: bool = False) -> float | None:
    """A YYYY-MM-DD → the start (or end) of that day in business time; "" is no bound."""
    text = (args.get(field) or "").strip()
    if not text:
        return None
    try:
        day = datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=zone)
    except ValueError:
        raise InvalidInput(
            f"{field} must be a date as YYYY-MM-DD, not {text!r}", field=field, problem="type"
        ) from None
    try:
        return (day + timedelta(days=1 if end else 0)).timestamp()
    except OverflowError:  # the end of 9999-12-31: no upper bound
        return None


def lead_filters(args: Mapping[str, str], zone: ZoneInfo) -> dict[str, Any]:
    """stage, label, source, q, from and to of a query string → ``leads.search`` keywords.

    Empty means any; an unknown source, a q over QUERY_LIMIT or a date that is not one is
    refused (an unknown stage or label simply matches nothing).
    """
    source = (args.get("source") or "").strip() or None
    if source is not None and source not in leads.SOURCES:
        raise InvalidInput(
            f"unknown source {source!r}; sources are {', '.join(leads.SOURCES)}",
            field="source",
            problem="unknown",
        )
    channel = (args.get("channel") or "").strip() or None
    if channel is not None and channel not in leads.CHANNELS:
        raise InvalidInput(
            f"unknown channel {channel!r}; channels are {', '.join(leads.CHANNELS)}",
            field="channel",
            problem="unknown",
        )
    q = (args.get("q") or "").strip()
    if len(q) > QUERY_LIMIT:
        raise InvalidInput(
            f"a search may have at most {QUERY_LIMIT} characters",
            field="q",
            problem="too_long",
            subject="search",
            limit=QUERY_LIMIT,
        )
    return {
        "stage": (args.get("stage") or "").strip() or None,
        "label": " ".join((args.get("label") or "").split()) or None,
        "source": source,
        "channel": channel,
        "q": q or None,
        "since": _day(args, "from", zone),
        "until": _day(args, "to", zone, end=True),
    }
