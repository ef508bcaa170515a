"""Page comments → a private message, a public reply, a hidden comment (``comments:``).

``handle`` runs in the engine's write transaction for each comment event (bot.messenger.feed):
it stores the comment and, for a new customer comment a rule fits, queues the rows the
sender posts — at most one private reply (``recipient: {comment_id}``) and one public reply
per comment, never for the Page's own comments, never after 7 days. The sender learns the
commenter's PSID from the private reply's answer (store.comments.private_sent); when that
customer writes back, ``answered`` starts the rule's flow.
"""

from __future__ import annotations

import logging
import random
import re

import sqlite_utils

from bot.book.types import CommentRule, FlowBook
from bot.conversation import runner
from bot.conversation.runner import Action, Turn
from bot.i18n import pick
from bot.messenger import policy
from bot.messenger.events import Event
from bot.text import norm
from bot.text.letters import to_ascii_digits
from store import comments as stored
from store import outbox

log = logging.getLogger(__name__)

INBOX_PREFIX = "comment:"  # bot.messenger.feed queues a comment's events under this key
# A Bangladeshi mobile (01XXXXXXXXX, maybe +88 and spaces or dashes between digits), or any
# run of 10+ digits: what "hide comments with a phone number" hides. Digits only: no \b.
_PHONE = re.compile(r"(?:\+?88[\s-]*)?0[\s-]*1[3-9](?:[\s-]*[0-9]){8}|[0-9]{10,}")


def has_phone(text: str | None) -> bool:
    return bool(text) and _PHONE.search(to_ascii_digits(text or "")) is not None


def rule_for(book: FlowBook, channel: str, post_id: str, text: str | None) -> int | None:
    """The index of the first rule that fits a comment, or None."""
    tokens = norm.tokens(text) if text else []
    for i, rule in enumerate(book.comments):
        if channel not in rule.channels:
            continue
        if rule.posts and not any(_same_post(post_id, p) for p in rule.posts):
            continue
        if any(_same_post(post_id, p) for p in rule.skip_posts):
            continue
        if rule.match and not (tokens and norm.compile_keywords(list(rule.match)).matches(tokens)):
            continue
        return i
    return None


def _same_post(post_id: str, wanted: str) -> bool:
    """An owner may write the whole id (page_story) or its story part alone."""
    return post_id == wanted or post_id.rsplit("_", 1)[-1] == wanted.rsplit("_", 1)[-1]


def handle(
    book: FlowBook,
    db: sqlite_utils.Database,
    ev: Event,
    now: float,
    rng: random.Random | None = None,
    *,
    page_id: str = "",
) -> str:
    """Store one comment event and queue what its rule says; returns what was done (logs,
    tests): replying | own | removed | edited | too_old | no_rule | done | hidden.

    ``book`` is the flows of the comment's Page, ``page_id`` that Page ('' : the default
    Page), whose token sends the replies."""
    x = dict(ev.extra)
    cid = str(x.get("comment_id") or "")
    if not cid:
        return "ignored"
    data = {**x, "text": ev.text, "page_id": ev.page_id}
    verb = ev.action or "add"
    known = stored.get(db, cid)
    if verb == "remove":
        if known is None:
            stored.upsert(db, data, now)
        stored.update(db, cid, status="deleted")
        # nothing more goes out for a comment that is gone
        outbox.cancel_pending(db, ev.psid, "the comment was removed")
        return "removed"
    if verb in ("hide", "unhide"):
        if known is not None:
            stored.update(db, cid, hidden=int(verb == "hide"))
        return verb
    row = stored.upsert(db, data, now)
    if verb != "add":
        return "edited"  # an edit changes the stored text; it never brings a second reply
    if x.get("own") or _ours(db, cid):
        if row["status"] == "new":
            stored.update(db, cid, status="own")
        return "own"
    if row["status"] != "new":
        return "done"  # answered (or decided) already: one reply per comment, ever
    created = row["created_at"] or now
    if now - created >= policy.PRIVATE_REPLY_WINDOW:
        stored.update(db, cid, status="skipped", reason="too_old")
        return "too_old"
    channel = row["channel"]
    index = rule_for(book, channel, row["post_id"], ev.text)
    if index is None:
        stored.update(db, cid, status="skipped", reason="no_rule")
        return "no_rule"
    rule = book.comments[index]
    lang = _language(book, ev.text)
    rng = rng or random.Random()
    values: dict = {"rule": index, "flow": rule.flow, "language": lang, "status": "replying"}
    hidden = rule.hide_phone and has_phone(ev.text)
    if rule.private is not None and not x.get("live_ended"):
        text = pick(rule.private, lang, book.settings.languages[0])
        body = {"message": {"text": text}}
        values["private_outbox_id"] = outbox.enqueue(
            db, None, ev.psid, body, now, kind=outbox.PRIVATE_REPLY,
            endpoint="me/messages", recipient={"comment_id": cid}, page_id=page_id,
        )  # fmt: skip
    variants = _variants(rule, lang, book.settings.languages[0])
    if variants and not hidden:  # a hidden comment gets no public answer under it
        reply = rng.choice(variants)
        path = f"{cid}/replies" if channel == "instagram" else f"{cid}/comments"
        values["public_outbox_id"] = outbox.enqueue(
            db, None, ev.psid, {"message": reply}, now, kind=outbox.COMMENT_REPLY, endpoint=path,
            page_id=page_id,
        )  # fmt: skip
    if hidden:
        flag = {"hide": True} if channel == "instagram" else {"is_hidden": True}
        outbox.enqueue(
            db, None, ev.psid, flag, now, kind=outbox.HIDE, endpoint=cid, page_id=page_id
        )
        values["hidden"] = 1
    if "private_outbox_id" not in values:
        values["status"] = "replied" if "public_outbox_id" in values else "skipped"
        values["reason"] = None if "public_outbox_id" in values else "hidden"
    stored.update(db, cid, **values)
    return "replying"


def _ours(db: sqlite_utils.Database, comment_id: str) -> bool:
    """A comment we posted ourselves (its id came back from our public reply)."""
    found = db.conn.execute(
        "SELECT 1 FROM comments WHERE public_reply_id = ? LIMIT 1", (comment_id,)
    ).fetchone()
    return found is not None


def _language(book: FlowBook, text: str | None) -> str:
    langs = book.settings.languages
    found = norm.detect_language(text) if text else None
    return found if found in langs else langs[0]


def _variants(rule: CommentRule, lang: str, default: str) -> tuple[str, ...]:
    return rule.reply.get(lang) or rule.reply.get(default) or next(iter(rule.reply.values()), ())


def answered(book: FlowBook, turn: Turn, ev: Event) -> list[Action] | None:
    """The customer answered a private reply: the rule's flow starts (in the comment's
    language); None when no private reply waits for an answer, or it names no flow."""
    if ev.kind not in ("message", "postback") or stored.STATE_KEY not in turn.state:
        return None
    waiting = turn.state.pop(stored.STATE_KEY)
    if not isinstance(waiting, dict):
        return None
    flow = waiting.get("flow")
    if not flow or flow not in book.flows:
        return None
    if waiting.get("language") in book.settings.languages:
        turn.language = waiting["language"]
    out: list[Action] = []
    runner.start_flow(book, turn, flow, out)
    return out
