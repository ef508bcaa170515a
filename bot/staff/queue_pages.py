"""``/staff/queue`` and ``/staff/c/<id>``: the queue, one conversation, and its forms.

Every form calls the same action as the API (``bot.staff.actions``); a refusal is a domain
error that ``bot.staff.error_handler`` turns into a flash.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from flask import current_app, flash, g, jsonify, redirect, render_template, request, url_for
from werkzeug.exceptions import NotFound as HTTPNotFound

from bot import i18n
from bot.messenger import policy
from bot.staff import actions
from bot.staff.auth import login_required, runtime, safe_next, session_staff
from bot.staff.lang import t as _
from bot.staff.lang import ui_lang
from bot.staff.present import (
    answer_rows,
    book,
    book_for,
    cause_text,
    claimant,
    conversation_json,
    fmt_day,
    iso,
    page_book,
    page_context,
    phone_href,
    pipeline,
    reason_text,
    stage_name,
    target_seconds,
    window_left,
)
from bot.staff.views import bp
from store import conversations, leads, queue
from store import staff as accounts
from store.db import write_tx

if TYPE_CHECKING:
    from bot.runtime import Runtime

# The conversation forms drawn again, with what was typed, when their text is refused:
# endpoint → (the draft's name in the template, the form field).
DRAFTS = {
    "staff.reply": ("reply", "text"),
    "staff.add_note": ("note", "text"),
    "staff.add_label": ("label", "label"),
    "staff.set_name": ("name", "name"),
}


def _me() -> str:
    return _account()["name"]


def _account() -> dict[str, Any]:
    who = session_staff()
    assert who is not None  # login_required
    return who


@bp.before_request
def _only_own_pages():
    """A conversation or handoff of a Page the account may not work on is a 404; the
    conversation's own Page's Book words the rest of the request."""
    args = request.view_args or {}
    if "cid" not in args and "handoff_id" not in args:
        return
    who = session_staff()
    if who is None:
        return  # login_required sends them to log in
    several = current_app.config["PAGES"].active
    if who.get("pages") is None and not several:
        return  # one Page and an account that sees it all: nothing to read
    rt = runtime()
    handoff = args.get("handoff_id")
    conv = actions.target(rt, cid=args.get("cid"), handoff=handoff)
    actions.check_access(rt, who, handoff=handoff, conv=conv)
    if several and conv is not None:
        g.page_book = book_for(conv["page_id"])


# --- the queue ---------------------------------------------------------------------------


SHOWS = ("queue", "mine", "waiting", "bot", "all")
SORTS = ("urgency", "time_left")


def _queue_items(show: str = "queue", sort: str = "urgency", **filters: str) -> list[dict]:
    """The queue (open handoffs, most urgent first, or by the time left to answer) or the
    inbox (every conversation, filtered). Simulator leads stay out of both; so do the
    Pages the account may not work on, and those ``page`` leaves out."""
    rt = runtime()
    now = rt.clock()
    scope = actions.page_scope(filters, _account())
    if show == "queue":
        done = _done_stages()
        items = [
            i
            for i in queue.waiting(rt.db(), now, pages=scope)
            if not i["psid"].startswith("sim:") and i["stage"] not in done
        ]
        if filters.get("stage"):
            items = [i for i in items if i["stage"] == filters["stage"]]
    else:
        items = queue.inbox(
            rt.db(),
            show=show,
            me=_me(),
            stage=filters.get("stage"),
            label=filters.get("label"),
            pages=scope,
        )
        for item in items:
            item["waiting_seconds"] = (now - item["created_at"]) if item["created_at"] else None
            item["answers"] = {}
    late = target_seconds()
    for item in items:
        ws = item.get("waiting_seconds")
        item["late"] = item["status"] == "waiting" and ws is not None and ws > late
        item["window"] = window_left(item.get("last_customer_at"), now)
        with page_book(item.get("page_id")):  # each lead in its own Page's words
            item["key_answers"] = answer_rows(item.get("answers"), limit=4)
            item["stage_words"] = stage_name(item["stage"])
            item["reason_words"] = reason_text(item.get("reason"))
    if sort == "time_left":
        # the window closing soonest first; closed windows (nothing to race) last
        items.sort(key=lambda i: (i["window"]["kind"] == "closed", i["window"]["seconds"]))
    return items


def _done_stages() -> set[str]:
    """Stages that leave the queue: converted and every stage after it, and lost (the
    lead is still in the inbox, under Mine or All)."""
    order = pipeline()
    done = {"lost"}
    if "converted" in order:
        done.update(order[order.index("converted") :])
    return done


def _inbox_args() -> dict[str, Any]:
    show = request.args.get("show", "queue")
    sort = request.args.get("sort", "urgency")
    filters = {k: request.args.get(k, "").strip() for k in ("stage", "label", "page")}
    return {
        "show": show if show in SHOWS else "queue",
        "sort": sort if sort in SORTS else "urgency",
        **{k: v for k, v in filters.items() if v},
    }


def _staff_names(page_id: str | None = None) -> list[str]:
    """Everyone on the team; with ``page_id``, those who may work on that Page."""
    return [
        s["name"]
        for s in accounts.all_staff(runtime().db())
        if page_id is None or accounts.may_see(s, page_id)
    ]


@bp.get("/queue")
@login_required
def queue_page():
    args = _inbox_args()
    items = _queue_items(**args)
    refresh = float(current_app.config.get("STAFF_QUEUE_REFRESH_SECONDS", 10))
    return render_template(
        "staff/queue.html",
        items=items,
        target=target_seconds() // 60,
        refresh_seconds=refresh,
        staff_names=_staff_names(),
        args=args,
        shows=SHOWS,
        stages=pipeline(),
        all_labels=leads.all_labels(runtime().db(), pages=_account().get("pages")),
        **page_context(),
    )


@bp.get("/queue.json")
@login_required
def queue_json():
    """The list again, rendered here (escaped) for the page's live refresh."""
    args = _inbox_args()
    items = _queue_items(**args)
    html = render_template(
        "staff/_queue_items.html",
        items=items,
        staff_names=_staff_names(),
        args=args,
        **page_context(),
    )
    waiting = sum(1 for i in items if i["status"] == "waiting")
    return jsonify(html=html, waiting=waiting, count=len(items))


# Live updates: short polling of one cheap JSON endpoint, not Server-Sent Events.
# waitress serves with a small fixed thread pool (8 by default, `serve --threads`) and the
# webhook shares it: an SSE stream (or a long-poll) holds a thread for as long as a tab is
# open, so 8 tabs would leave no thread for Meta's POSTs. A short poll holds a thread for a
# few milliseconds: every tab asks "anything after <cursor>?" every 1.5 s (live.js), and
# the answer is three indexed reads (store.queue.live) plus, on a conversation page, the
# messages after the last one shown. bench/live.py measures the webhook with 50 such tabs.
LIVE_INTERVAL = 1.5  # seconds between polls of a visible tab: an arrival shows within 2 s


@bp.get("/live.json")
@login_required
def live_json():
    """``?h=<last handoff id seen>&c=<conversation>&m=<last message id shown>``: counts for
    the nav and the title, the handoffs opened since, and the conversation's new messages
    rendered (escaped) by the same template as the page."""
    rt = runtime()
    db = rt.db()
    after_handoff = request.args.get("h", type=int, default=0)
    limit = _account().get("pages")
    state = queue.live(db, after_handoff, pages=limit)
    body: dict[str, Any] = {
        "handoff": state["handoff"],
        "message": state["message"],
        "waiting": state["waiting"],
        "unread": state["unread"],
        "open": state["open"],
        "stamp": state["stamp"],
        "interval": LIVE_INTERVAL,
        "new": [
            {
                "id": n["id"],
                "name": n["name"] or _("A customer"),
                "urgent": n["urgent"],
                "url": url_for("staff.conversation", cid=n["conversation_id"]),
            }
            for n in state["new"]
        ]
        if after_handoff
        else [],
    }
    cid = request.args.get("c", type=int)
    after = request.args.get("m", type=int, default=0)
    if cid and limit is not None:
        conv = conversations.get(db, cid)
        if conv is None or conv["page_id"] not in limit:
            cid = None  # another Page's conversation: nothing of it
    if cid and after and state["message"] > after:
        new = conversations.messages(db, cid, after=after)
        if new:
            msgs = [
                {**m, "ts": m["at"], "at": iso(m["at"]), "delivery": m["delivery"]} for m in new
            ]
            body["messages_html"] = render_template("staff/_messages.html", messages=msgs)
            body["last"] = new[-1]["id"]
            body["customer"] = any(m["sender"] == "customer" for m in new)
            if body["customer"] and request.args.get("seen") == "1":
                with write_tx(db):
                    queue.mark_read(db, cid)
    return jsonify(body)


@bp.app_context_processor
def _inbox_helpers() -> dict[str, Any]:
    return {
        "answer_rows": answer_rows,
        "cause_text": cause_text,
        "fmt_day": fmt_day,
        "phone_href": phone_href,
        "claimant": claimant,
        "live_interval": LIVE_INTERVAL,
    }


QUEUE_ACTIONS: dict[str, Callable[[Runtime, int, str], Any]] = {
    "claim": actions.claim,
    "release": actions.release,
    "resolve": actions.resolve,
    "unclaim": actions.unclaim,
    "assign": lambda rt, handoff_id, by: actions.assign(rt, handoff_id, request.form.get("to"), by),
}


@bp.post("/queue/<int:handoff_id>/<action>")
@login_required
def queue_action(handoff_id: int, action: str):
    act = QUEUE_ACTIONS.get(action)
    if act is None:
        raise HTTPNotFound()
    result = act(runtime(), handoff_id, _me())
    if action == "claim":
        flash(_("You have this lead now."), "ok")
        return redirect(url_for("staff.conversation", cid=result["conversation_id"]))
    if action == "release":
        flash(_("Given back to the bot."), "ok")
    elif action == "unclaim":
        flash(_("Back in the queue for anyone."), "ok")
    elif action == "assign":
        flash(_("Assigned to {name}.", name=result["claimed_by"]), "ok")
    else:
        flash(_("Marked as resolved."), "ok")
    return redirect(safe_next(request.form.get("next")) or url_for("staff.queue_page"))


# --- one conversation --------------------------------------------------------------------


def conversation_page(cid: int, drafts: dict[str, str] | None = None) -> str:
    """The conversation page; ``drafts`` fills its forms with what was typed."""
    rt = runtime()
    db = rt.db()
    conv = actions.view(rt, cid)
    data = conversation_json(db, conv)
    for m, raw in zip(data["messages"], conversations.messages(db, cid), strict=True):
        m["ts"] = raw["at"]
        m["id"] = raw["id"]
    for n, raw in zip(data["notes"], conversations.notes(db, cid), strict=True):
        n["ts"] = raw["at"]
    for h, raw in zip(data["stage_history"], conversations.stage_history(db, cid), strict=True):
        h["ts"] = raw["at"]
    default = book().settings.languages[0]
    lang = conv["language"] or default
    ui = ui_lang()
    # a ready reply shows its first words in the workspace language; it inserts the text in
    # the customer's language
    canned = [
        (_first_words(i18n.pick(text, ui, default)), i18n.pick(text, lang, default))
        for text in book().canned.values()
    ]
    until = None
    if conv["last_customer_at"] is not None:
        until = conv["last_customer_at"] + policy.HUMAN_AGENT_WINDOW
    return render_template(
        "staff/conversation.html",
        c=data,
        conv=conv,
        handoff=queue.open_for(db, cid),
        canned=canned,
        window=data["reply_window"]["tag"],
        human_agent_until=until,
        stages=pipeline(),
        drafts=drafts or {},
        last_id=max((m["id"] for m in data["messages"]), default=0),
        window_info=window_left(conv["last_customer_at"], rt.clock()),
        confirm_stages=_confirm_stages(),
        staff_names=_staff_names(conv.get("page_id") or ""),
        **page_context(),
    )


def _first_words(text: str, n: int = 28) -> str:
    text = " ".join((text or "").split())
    if len(text) <= n:
        return text
    cut = text[:n].rsplit(" ", 1)[0] or text[:n]
    return cut + "…"


def _confirm_stages() -> dict[str, str]:
    """Stages a move to asks first: those that message the customer (``on_enter``) and lost."""
    out = {}
    for s in book().stages:
        if s.on_enter:
            out[s.id] = _(
                "Moving to {stage} sends the customer a message. Move?", stage=stage_name(s.id)
            )
        elif s.id == "lost":
            out[s.id] = _(
                "Mark this lead as {stage}? This is hard to undo.", stage=stage_name(s.id)
            )
    return out


@bp.get("/c/<int:cid>")
@login_required
def conversation(cid: int):
    return conversation_page(cid)


def _back_to(cid: int, anchor: str = ""):
    return redirect(url_for("staff.conversation", cid=cid) + anchor)


@bp.post("/c/<int:cid>/reply")
@login_required
def reply(cid: int):
    result = actions.reply(runtime(), cid, request.form.get("text"), _me())
    if result["tag"] == policy.HUMAN_AGENT_TAG:
        flash(
            _("Sent as a person's reply: the 24-hour window has passed, so the bot could not."),
            "ok",
        )
    else:
        flash(_("Reply queued."), "ok")
    return _back_to(cid, "#reply")


@bp.post("/c/<int:cid>/stage")
@login_required
def move_stage(cid: int):
    conv = actions.move_stage(runtime(), cid, request.form.get("stage"), _me())
    flash(_("Stage changed to {stage}.", stage=stage_name(conv["stage"])), "ok")
    return _back_to(cid)


@bp.post("/c/<int:cid>/notes")
@login_required
def add_note(cid: int):
    actions.add_note(runtime(), cid, request.form.get("text"), _me())
    return _back_to(cid, "#notes")


@bp.post("/c/<int:cid>/name")
@login_required
def set_name(cid: int):
    actions.set_name(runtime(), cid, request.form.get("name"))
    return _back_to(cid, "#name")


@bp.post("/c/<int:cid>/labels")
@login_required
def add_label(cid: int):
    if "remove" in request.form:
        actions.remove_label(runtime(), cid, request.form.get("remove"))
    else:
        actions.add_label(runtime(), cid, request.form.get("label"))
    return _back_to(cid, "#labels")
