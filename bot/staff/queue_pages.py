"""``/staff/queue`` and ``/staff/c/<id>``: the queue, one conversation, and its forms.

Every form calls the same action as the API (``bot.staff.actions``); a refusal is a domain
error that ``bot.staff.error_handler`` turns into a flash.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from flask import current_app, flash, jsonify, redirect, render_template, request, url_for
from werkzeug.exceptions import NotFound as HTTPNotFound

from bot import i18n
from bot.messenger import policy
from bot.staff import actions
from bot.staff.auth import login_required, runtime, safe_next, session_staff
from bot.staff.lang import t as _
from bot.staff.present import book, conversation_json, pipeline, stage_name, target_seconds
from bot.staff.views import bp
from store import conversations, queue
from store import staff as accounts

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
    who = session_staff()
    assert who is not None  # login_required
    return who["name"]


# --- the queue ---------------------------------------------------------------------------


def _queue_items() -> list[dict[str, Any]]:
    rt = runtime()
    items = queue.waiting(rt.db(), rt.clock())
    late = target_seconds()
    for item in items:
        item["late"] = item["status"] == "waiting" and item["waiting_seconds"] > late
        item["key_answers"] = list(item["answers"].items())[:4]
    return items


def _staff_names() -> list[str]:
    return [s["name"] for s in accounts.all_staff(runtime().db())]


@bp.get("/queue")
@login_required
def queue_page():
    items = _queue_items()
    refresh = float(current_app.config.get("STAFF_QUEUE_REFRESH_SECONDS", 10))
    return render_template(
        "staff/queue.html",
        items=items,
        target=target_seconds() // 60,
        refresh_seconds=refresh,
        staff_names=_staff_names(),
    )


@bp.get("/queue.json")
@login_required
def queue_json():
    """The list again, rendered here (escaped) for the page's auto-refresh."""
    items = _queue_items()
    html = render_template("staff/_queue_items.html", items=items, staff_names=_staff_names())
    waiting = sum(1 for i in items if i["status"] == "waiting")
    return jsonify(html=html, waiting=waiting, count=len(items))


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
    for n, raw in zip(data["notes"], conversations.notes(db, cid), strict=True):
        n["ts"] = raw["at"]
    for h, raw in zip(data["stage_history"], conversations.stage_history(db, cid), strict=True):
        h["ts"] = raw["at"]
    default = book().settings.languages[0]
    lang = conv["language"] or default
    canned = [(key, i18n.pick(text, lang, default)) for key, text in book().canned.items()]
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
        staff_names=_staff_names(),
    )


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
        flash(_("Sent with the HUMAN_AGENT tag (the 24-hour window has passed)."), "ok")
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
