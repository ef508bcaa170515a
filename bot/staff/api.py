"""``/api``: the JSON API of DESIGN.md, for scripts and other tools (bearer tokens).

Every change goes through ``bot.staff.actions``, as the workspace's forms do; a refusal is
a domain error that ``bot.staff.error_handler`` renders as ``{"ok": false, ...}``.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, g, request

from bot.messenger.policy import HUMAN_AGENT_TAG
from bot.staff import actions
from bot.staff.auth import api_owner_required, bearer_staff, json_error, runtime
from bot.staff.present import (
    conversation_json,
    csv_response,
    iso,
    lead_json,
    picture_response,
    pipeline,
    zone,
)
from store import leads, queue
from store import staff as accounts

__all__ = ["bp", "csv_response"]  # the CLI's export writes the same CSV

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.before_request
def _authenticate():
    who = bearer_staff()
    if who is None:
        has = bool(request.headers.get("Authorization"))
        body, status = json_error(
            401, "a valid API token is required" if has else "send Authorization: Bearer <token>"
        )
        body.headers["WWW-Authenticate"] = 'Bearer realm="barta"'
        return body, status
    g.staff = who
    return None


@bp.before_request
def _only_own_pages():
    """An account limited to some Pages: any other Page's conversation or handoff is 404."""
    args = request.view_args or {}
    if "cid" in args or "handoff_id" in args:
        actions.check_access(
            runtime(), g.staff, cid=args.get("cid"), handoff=args.get("handoff_id")
        )


def _pages() -> list[str] | None:
    """The Pages asked for (``?page=``) within the account's."""
    return actions.page_scope(request.args, g.staff)


def _body() -> dict[str, Any]:
    data = request.get_json(silent=True)
    if isinstance(data, dict):
        return data
    return request.form.to_dict()


def _me() -> str:
    return g.staff["name"]


@bp.get("/queue")
def get_queue():
    rt = runtime()
    items = queue.waiting(rt.db(), rt.clock(), pages=_pages())
    for item in items:
        item["answer_by"] = iso(item["answer_by"])
    return items


@bp.post("/queue/<int:handoff_id>/claim")
def claim(handoff_id: int):
    actions.claim(runtime(), handoff_id, _me())
    return {"ok": True, "id": handoff_id, "status": "claimed", "claimed_by": _me()}


@bp.post("/queue/<int:handoff_id>/release")
def release(handoff_id: int):
    actions.release(runtime(), handoff_id, _me())
    return {"ok": True, "id": handoff_id, "status": "released"}


@bp.post("/queue/<int:handoff_id>/resolve")
def resolve(handoff_id: int):
    actions.resolve(runtime(), handoff_id, _me())
    return {"ok": True, "id": handoff_id, "status": "resolved"}


@bp.post("/queue/<int:handoff_id>/unclaim")
def unclaim(handoff_id: int):
    actions.unclaim(runtime(), handoff_id, _me())
    return {"ok": True, "id": handoff_id, "status": "waiting", "claimed_by": None}


@bp.post("/queue/<int:handoff_id>/assign")
def assign(handoff_id: int):
    item = actions.assign(runtime(), handoff_id, _body().get("to"), _me())
    return {"ok": True, "id": handoff_id, "status": "claimed", "claimed_by": item["claimed_by"]}


@bp.get("/conversations/<int:cid>")
def conversation(cid: int):
    rt = runtime()
    return conversation_json(rt.db(), actions.view(rt, cid))


@bp.get("/conversations/<int:cid>/picture")
def picture(cid: int):
    """The customer's kept profile picture (the bytes behind ``picture``), as in the
    workspace: 404 when none is kept."""
    rt = runtime()
    actions.conversation(rt, cid)  # 404 for a conversation that does not exist
    return picture_response(rt.db(), cid)


@bp.post("/conversations/<int:cid>/reply")
def reply(cid: int):
    result = actions.reply(runtime(), cid, _body().get("text"), _me())
    return {
        "ok": True,
        "outbox_ids": result["outbox_ids"],
        "tag": result["tag"],
        "human_agent": result["tag"] == HUMAN_AGENT_TAG,
    }


@bp.post("/conversations/<int:cid>/stage")
def stage(cid: int):
    rt = runtime()
    conv = actions.move_stage(rt, cid, _body().get("stage"), _me())
    legal = rt.engine.engine_of(conv).machine.legal_moves(conv["stage"])  # its Page's stages
    return {"ok": True, "id": cid, "stage": conv["stage"], "legal": legal}


@bp.post("/conversations/<int:cid>/notes")
def add_note(cid: int):
    note = actions.add_note(runtime(), cid, _body().get("text"), _me())
    return {"ok": True, "note": {**note, "at": iso(note["at"])}}


@bp.post("/conversations/<int:cid>/name")
def set_name(cid: int):
    return {"ok": True, "id": cid, "name": actions.set_name(runtime(), cid, _body().get("name"))}


@bp.post("/conversations/<int:cid>/labels")
def add_label(cid: int):
    return {"ok": True, "labels": actions.add_label(runtime(), cid, _body().get("label"))}


@bp.delete("/conversations/<int:cid>/labels/<label>")
def remove_label(cid: int, label: str):
    return {"ok": True, "labels": actions.remove_label(runtime(), cid, label)}


@bp.get("/leads")
def get_leads():
    filters = actions.lead_filters(request.args, zone())
    return [lead_json(r) for r in leads.search(runtime().db(), pages=_pages(), **filters)]


@bp.get("/leads.csv")
@api_owner_required
def leads_csv():
    filters = actions.lead_filters(request.args, zone())
    return csv_response(leads.search(runtime().db(), limit=None, pages=_pages(), **filters))


@bp.get("/stats")
def stats():
    return leads.stats(runtime().db(), pipeline(), pages=_pages())


@bp.get("/staff")
@api_owner_required
def list_staff():
    return [
        {"id": s["id"], "name": s["name"], "role": s["role"], "created_at": iso(s["created_at"])}
        for s in accounts.all_staff(runtime().db())
    ]


@bp.post("/staff")
@api_owner_required
def add_staff():
    rt = runtime()
    data = _body()
    password = str(data.get("password") or "") or accounts.new_password()
    name = str(data.get("name") or "")
    role = str(data.get("role") or "agent")
    try:
        account = accounts.create(rt.db(), name, role, password, rt.clock())
    except ValueError as e:
        return json_error(400, str(e))
    body = {"ok": True, "id": account["id"], "name": account["name"], "role": account["role"]}
    return {**body, "password": password}, 201
