"""``/api``: the JSON API of DESIGN.md, for scripts and other tools (bearer tokens)."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, current_app, g, request

from bot.errors import NotFound, StageError, WindowClosed
from bot.messenger.policy import HUMAN_AGENT_TAG, HUMAN_AGENT_WINDOW, reply_tag
from bot.staff.auth import api_owner_required, bearer_staff, json_error, runtime
from store import conversations, leads, queue
from store import staff as accounts
from store.db import write_tx

bp = Blueprint("api", __name__, url_prefix="/api")


# --- presenting --------------------------------------------------------------------------


def zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["BOOK"].settings.timezone)


def iso(ts: float | None) -> str | None:
    """Seconds → ISO 8601 with the business's offset (2026-04-14T15:04:05+06:00)."""
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, zone()).isoformat(timespec="seconds")


def pipeline() -> list[str]:
    return [s.id for s in current_app.config["BOOK"].stages]


def reply_window(conv: dict, now: float) -> dict:
    """Can staff write now, and how: '' (normal), 'HUMAN_AGENT' (until), 'closed'."""
    tag = reply_tag(conv["last_customer_at"], now)
    until = None
    if conv["last_customer_at"] is not None:
        until = conv["last_customer_at"] + HUMAN_AGENT_WINDOW
    return {"tag": tag, "human_agent_until": iso(until) if tag == HUMAN_AGENT_TAG else None}


def conversation_json(db, conv: dict) -> dict:
    """Everything the workspace shows about one lead."""
    rt = runtime()
    cid = conv["id"]
    handoff = queue.open_for(db, cid)
    return {
        "id": cid,
        "psid": conv["psid"],
        "name": conv["name"],
        "language": conv["language"],
        "stage": conv["stage"],
        "score": conv["score"],
        "answers": conv["answers"],
        "bot_paused": bool(conv["bot_paused"]),
        "opted_out": bool(conv["opted_out"]),
        "unreachable": bool(conv["unreachable"]),
        "window_note": conv["window_note"],
        "source": conv["source"],
        "source_kind": leads.source_kind(conv["source"]),
        "labels": conversations.labels(db, cid),
        "notes": [{**n, "at": iso(n["at"])} for n in conversations.notes(db, cid)],
        "messages": [
            {
                "direction": m["direction"],
                "sender": m["sender"],
                "author": m["author"],
                "text": m["text"],
                "at": iso(m["at"]),
                "delivery": m["delivery"],
                "error": m["error"],
                "data": m["data"],
            }
            for m in conversations.messages(db, cid)
        ],  # fmt: skip
        "stage_history": [{**h, "at": iso(h["at"])} for h in conversations.stage_history(db, cid)],
        "legal_stages": rt.engine.machine.legal_moves(conv["stage"]),
        "handoff": handoff and {**handoff, **{k: iso(handoff[k]) for k in _HANDOFF_TIMES}},
        "reply_window": reply_window(conv, rt.clock()),
        "created_at": iso(conv["created_at"]),
        "updated_at": iso(conv["updated_at"]),
        "last_customer_at": iso(conv["last_customer_at"]),
    }


_HANDOFF_TIMES = ("created_at", "claimed_at", "closed_at", "first_response_at", "answer_by")


def lead_json(row: dict) -> dict:
    return {
        "conversation_id": row["conversation_id"], "psid": row["psid"], "name": row["name"],
        "stage": row["stage"], "score": row["score"], "answers": row["answers"],
        "labels": row["labels"], "updated_at": iso(row["updated_at"]),
        "created_at": iso(row["created_at"]), "source": row["source"],
        "source_kind": leads.source_kind(row["source"]),
    }  # fmt: skip


def csv_response(rows: list[dict]) -> Response:
    """Leads as CSV with a BOM, so Excel opens Bangla as Bangla."""
    buf = io.StringIO()
    buf.write("\ufeff")
    writer = csv.writer(buf)
    fmt = lambda ts: iso(ts) or ""  # noqa: E731
    for row in leads.csv_table(rows, fmt):
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


# --- requests ----------------------------------------------------------------------------


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


def _body() -> dict:
    data = request.get_json(silent=True)
    if isinstance(data, dict):
        return data
    return request.form.to_dict()


def _text(field: str) -> str | None:
    """A string field of the body ("" when absent); None when it is not a string."""
    value = _body().get(field)
    if value is None:
        return ""
    return value if isinstance(value, str) else None


def _conversation(cid: int) -> dict | None:
    return conversations.get(runtime().db(), cid)


@bp.get("/queue")
def get_queue():
    rt = runtime()
    items = queue.waiting(rt.db(), rt.clock())
    for item in items:
        item["answer_by"] = iso(item["answer_by"])
    return items


@bp.post("/queue/<int:handoff_id>/claim")
def claim(handoff_id: int):
    rt = runtime()
    db = rt.db()
    with write_tx(db):
        won = queue.claim(db, handoff_id, g.staff["name"], rt.clock())
        item = queue.get(db, handoff_id)
    if item is None:
        return json_error(404, f"handoff {handoff_id} does not exist")
    if not won:
        if item["status"] == "claimed":
            msg = f"already claimed by {item['claimed_by']}"
        else:
            msg = f"this handoff is {item['status']}, not waiting"
        return json_error(409, msg, claimed_by=item["claimed_by"], state=item["status"])
    return {"ok": True, "id": handoff_id, "status": "claimed", "claimed_by": g.staff["name"]}


def _close(handoff_id: int, action: str):
    rt = runtime()
    try:
        done = getattr(rt.engine, action)(rt.db(), handoff_id, g.staff["name"])
    except NotFound as e:
        return json_error(404, str(e))
    if not done:
        item = queue.get(rt.db(), handoff_id)
        return json_error(409, f"this handoff is already {item['status']}", state=item["status"])
    return {
        "ok": True,
        "id": handoff_id,
        "status": "released" if action == "release" else "resolved",
    }


@bp.post("/queue/<int:handoff_id>/release")
def release(handoff_id: int):
    return _close(handoff_id, "release")


@bp.post("/queue/<int:handoff_id>/resolve")
def resolve(handoff_id: int):
    return _close(handoff_id, "resolve")


@bp.get("/conversations/<int:cid>")
def conversation(cid: int):
    conv = _conversation(cid)
    if conv is None:
        return json_error(404, f"conversation {cid} does not exist")
    return conversation_json(runtime().db(), conv)


@bp.post("/conversations/<int:cid>/reply")
def reply(cid: int):
    rt = runtime()
    text = _text("text")
    if text is None:
        return json_error(400, 'send {"text": "<the reply>"} with a string')
    try:
        result = rt.engine.staff_reply(rt.db(), cid, text, g.staff["name"])
    except NotFound as e:
        return json_error(404, str(e))
    except WindowClosed as e:
        return json_error(409, str(e), window="closed")
    except ValueError as e:
        return json_error(400, str(e))
    rt.wake_sender.set()
    return {
        "ok": True,
        "outbox_ids": result["outbox_ids"],
        "tag": result["tag"],
        "human_agent": result["tag"] == HUMAN_AGENT_TAG,
    }


@bp.post("/conversations/<int:cid>/stage")
def stage(cid: int):
    rt = runtime()
    target = (_text("stage") or "").strip()
    if not target:
        return json_error(400, 'send {"stage": "<stage id>"}')
    try:
        conv = rt.engine.move_stage(rt.db(), cid, target, g.staff["name"])
    except NotFound as e:
        return json_error(404, str(e))
    except StageError as e:
        return json_error(409, str(e), current=e.current, target=e.target, legal=list(e.legal))
    rt.wake_sender.set()  # a stage may speak when a lead enters it
    return {
        "ok": True,
        "id": cid,
        "stage": conv["stage"],
        "legal": rt.engine.machine.legal_moves(conv["stage"]),
    }


@bp.post("/conversations/<int:cid>/notes")
def add_note(cid: int):
    rt = runtime()
    text = _text("text")
    if text is None:
        return json_error(400, 'send {"text": "<the note>"} with a string')
    text = text.strip()
    if not text:
        return json_error(400, "the note is empty")
    if len(text) > 5000:
        return json_error(400, "a note may have at most 5000 characters")
    db = rt.db()
    if _conversation(cid) is None:
        return json_error(404, f"conversation {cid} does not exist")
    now = rt.clock()
    with write_tx(db):
        note_id = conversations.add_note(db, cid, g.staff["name"], text, now)
    return {
        "ok": True,
        "note": {"id": note_id, "author": g.staff["name"], "text": text, "at": iso(now)},
    }


def clean_label(raw: object) -> str:
    return " ".join(str(raw or "").split())[:50]


@bp.post("/conversations/<int:cid>/labels")
def add_label(cid: int):
    rt = runtime()
    raw = _text("label")
    if raw is None:
        return json_error(400, 'send {"label": "<the label>"} with a string')
    label = clean_label(raw)
    if not label:
        return json_error(400, "the label is empty")
    db = rt.db()
    if _conversation(cid) is None:
        return json_error(404, f"conversation {cid} does not exist")
    with write_tx(db):
        conversations.add_label(db, cid, label, rt.clock())
    return {"ok": True, "labels": conversations.labels(db, cid)}


@bp.delete("/conversations/<int:cid>/labels/<label>")
def remove_label(cid: int, label: str):
    db = runtime().db()
    if _conversation(cid) is None:
        return json_error(404, f"conversation {cid} does not exist")
    with write_tx(db):
        conversations.remove_label(db, cid, label)
    return {"ok": True, "labels": conversations.labels(db, cid)}


def lead_filters(args) -> dict:
    """stage, label, source, q from the query string (empty means any)."""
    return {
        "stage": args.get("stage") or None,
        "label": args.get("label") or None,
        "source": args.get("source") or None,
        "q": args.get("q") or None,
    }


@bp.get("/leads")
def get_leads():
    rows = leads.search(runtime().db(), **lead_filters(request.args))
    return [lead_json(r) for r in rows]


@bp.get("/leads.csv")
@api_owner_required
def leads_csv():
    return csv_response(leads.search(runtime().db(), limit=None, **lead_filters(request.args)))


@bp.get("/stats")
def stats():
    return leads.stats(runtime().db(), pipeline())


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
    try:
        account = accounts.create(
            rt.db(),
            str(data.get("name") or ""),
            str(data.get("role") or "agent"),
            password,
            rt.clock(),
        )
    except ValueError as e:
        return json_error(400, str(e))
    return {"ok": True, "id": account["id"], "name": account["name"], "role": account["role"],
            "password": password}, 201  # fmt: skip
