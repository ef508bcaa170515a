"""``/staff``: the workspace pages (server-rendered; every form carries a CSRF token)."""

from __future__ import annotations

from datetime import datetime, timedelta

from babel.dates import format_datetime
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from bot import i18n
from bot.conversation.hours import bn_day_period
from bot.errors import NotFound, StageError, WindowClosed
from bot.messenger import policy
from bot.staff.api import (
    clean_label,
    conversation_json,
    csv_response,
    pipeline,
    zone,
)
from bot.staff.auth import (
    limiter,
    log_in,
    log_out,
    login_required,
    owner_required,
    runtime,
    safe_next,
    session_staff,
)
from bot.staff.lang import t as _
from bot.staff.lang import ui_lang
from store import conversations, leads, queue
from store import staff as accounts
from store.db import write_tx

bp = Blueprint(
    "staff", __name__, url_prefix="/staff", template_folder="templates", static_folder="static"
)


# --- presenting --------------------------------------------------------------------------


def book():
    return current_app.config["BOOK"]


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

    "23 Nov, 9:06 AM"; in Bangla "২৩ নভে, সকাল ৯:০৬": CLDR's bn data has only AM/PM,
    where Bangla names the part of the day before the hour.
    """
    if ts is None:
        return ""
    at = datetime.fromtimestamp(ts, zone())
    if ui_lang() == "bn":
        day = format_datetime(at, "d MMM", locale="bn")
        clock = format_datetime(at, "h:mm", locale="bn")
        return i18n.bn_digits(f"{day}, {bn_day_period(at.time())} {clock}")
    return format_datetime(at, "d MMM, h:mm a", locale="en")


def reason_text(reason: str | None) -> str:
    """Why a lead is in the queue, in words around the owner's own ids from flows.yaml."""
    if not reason:
        return ""
    if reason == "error":
        return _("the bot hit an error")
    if reason.startswith("stuck: "):
        return _("no valid answer to question {id}", id=reason[len("stuck: ") :])
    if any(i.id == reason for i in book().intents):
        return _("topic: {id}", id=reason)
    if reason in book().flows:
        return _("from flow {id}", id=reason)
    return reason


def fmt_wait(seconds: float | None) -> str:
    """12 min, 2 h 5 min, 3 d 4 h."""
    if seconds is None:
        return ""
    minutes = max(0, int(seconds // 60))
    if minutes < 60:
        text = _("{m} min", m=minutes)
    elif minutes < 24 * 60:
        text = _("{h} h {m} min", h=minutes // 60, m=minutes % 60)
    else:
        text = _("{d} d {h} h", d=minutes // 1440, h=(minutes % 1440) // 60)
    return i18n.bn_digits(text) if ui_lang() == "bn" else text


def num(value) -> str:
    if value is None:
        return "–"
    return i18n.format_number(value, ui_lang())


def answer_text(value) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    return str(value)


def target_seconds() -> float:
    minutes = getattr(book().settings, "response_target_minutes", None) or 15
    return float(minutes) * 60


@bp.app_context_processor
def _template_helpers():
    return {
        "me": session_staff() if request.blueprint in ("staff", "simulator") else None,
        "stage_name": stage_name,
        "fmt_time": fmt_time,
        "fmt_wait": fmt_wait,
        "reason_text": reason_text,
        "num": num,
        "answer_text": answer_text,
        "source_kind": leads.source_kind,
        "languages": i18n.LANGUAGES,
    }


# --- signing in --------------------------------------------------------------------------


@bp.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "GET":
        if session_staff() is not None:
            return redirect(url_for("staff.queue_page"))
        return render_template("staff/login.html", next=safe_next(request.args.get("next")))
    name = request.form.get("name", "").strip()
    password = request.form.get("password", "")
    nxt = safe_next(request.form.get("next"))
    addr = request.remote_addr or "?"
    wait = limiter().retry_after(name, addr)
    if wait:
        msg = _("Too many failed logins. Try again in {n} minutes.", n=max(1, (wait + 59) // 60))
        return render_template("staff/login.html", error=msg, name=name, next=nxt), 429
    account = accounts.check_password(runtime().db(), name, password) if name else None
    if account is None:
        limiter().failed(name, addr)
        msg = _("Wrong name or password.")
        return render_template("staff/login.html", error=msg, name=name, next=nxt), 401
    limiter().succeeded(name, addr)
    log_in(account)
    return redirect(nxt or url_for("staff.queue_page"))


@bp.post("/logout")
def logout():
    log_out()
    return redirect(url_for("staff.login"))


@bp.get("/lang/<code>")
def set_lang(code: str):
    if code in i18n.LANGUAGES:
        session["lang"] = code
    return redirect(safe_next(request.args.get("next")) or url_for("staff.queue_page"))


@bp.get("/")
@login_required
def home():
    return redirect(url_for("staff.queue_page"))


# --- the queue ---------------------------------------------------------------------------


def _queue_items() -> list[dict]:
    rt = runtime()
    items = queue.waiting(rt.db(), rt.clock())
    late = target_seconds()
    for item in items:
        item["late"] = item["status"] == "waiting" and item["waiting_seconds"] > late
        item["key_answers"] = list(item["answers"].items())[:4]
    return items


@bp.get("/queue")
@login_required
def queue_page():
    items = _queue_items()
    refresh = float(current_app.config.get("STAFF_QUEUE_REFRESH_SECONDS", 10))
    return render_template(
        "staff/queue.html", items=items, target=target_seconds() // 60, refresh_seconds=refresh
    )


@bp.get("/queue.json")
@login_required
def queue_json():
    """The list again, rendered here (escaped) for the page's auto-refresh."""
    items = _queue_items()
    html = render_template("staff/_queue_items.html", items=items)
    waiting = sum(1 for i in items if i["status"] == "waiting")
    return jsonify(html=html, waiting=waiting, count=len(items))


@bp.post("/queue/<int:handoff_id>/<action>")
@login_required
def queue_action(handoff_id: int, action: str):
    rt = runtime()
    db = rt.db()
    me = session_staff()["name"]
    back = safe_next(request.form.get("next")) or url_for("staff.queue_page")
    item = queue.get(db, handoff_id)
    if item is None:
        abort(404)
    if action == "claim":
        with write_tx(db):
            won = queue.claim(db, handoff_id, me, rt.clock())
        if won:
            flash(_("You have this lead now."), "ok")
            return redirect(url_for("staff.conversation", cid=item["conversation_id"]))
        item = queue.get(db, handoff_id)
        if item["status"] == "claimed":
            flash(_("{name} already claimed this lead.", name=item["claimed_by"]), "error")
        else:
            flash(_("This lead is no longer waiting."), "error")
        return redirect(back)
    if action not in ("release", "resolve"):
        abort(404)
    try:
        done = getattr(rt.engine, action)(db, handoff_id, me)
    except NotFound:
        abort(404)
    if done and action == "release":
        flash(_("Given back to the bot."), "ok")
    elif done:
        flash(_("Marked as resolved."), "ok")
    else:
        flash(_("This lead is no longer open."), "error")
    return redirect(back)


# --- one conversation --------------------------------------------------------------------


@bp.get("/c/<int:cid>")
@login_required
def conversation(cid: int):
    rt = runtime()
    db = rt.db()
    conv = conversations.get(db, cid)
    if conv is None:
        abort(404)
    data = conversation_json(db, conv)
    for m, raw in zip(data["messages"], conversations.messages(db, cid), strict=True):
        m["ts"] = raw["at"]
    for n, raw in zip(data["notes"], conversations.notes(db, cid), strict=True):
        n["ts"] = raw["at"]
    for h, raw in zip(data["stage_history"], conversations.stage_history(db, cid), strict=True):
        h["ts"] = raw["at"]
    handoff = queue.open_for(db, cid)
    lang = conv["language"] or book().settings.languages[0]
    canned = [
        (key, i18n.pick(text, lang, book().settings.languages[0]))
        for key, text in (getattr(book(), "canned", None) or {}).items()
    ]
    until = None
    if conv["last_customer_at"] is not None:
        until = conv["last_customer_at"] + policy.HUMAN_AGENT_WINDOW
    return render_template(
        "staff/conversation.html",
        c=data,
        conv=conv,
        handoff=handoff,
        canned=canned,
        window=data["reply_window"]["tag"],
        human_agent_until=until,
        stages=pipeline(),
    )


def _back_to(cid: int, anchor: str = ""):
    return redirect(url_for("staff.conversation", cid=cid) + anchor)


@bp.post("/c/<int:cid>/reply")
@login_required
def reply(cid: int):
    rt = runtime()
    text = request.form.get("text", "")
    try:
        result = rt.engine.staff_reply(rt.db(), cid, text, session_staff()["name"])
    except NotFound:
        abort(404)
    except WindowClosed:
        flash(_("Not sent: more than 7 days have passed. The customer must write first."), "error")
        return _back_to(cid)
    except ValueError:
        flash(_("Write a reply first."), "error")
        return _back_to(cid)
    rt.wake_sender.set()
    if result["tag"] == policy.HUMAN_AGENT_TAG:
        flash(_("Sent with the HUMAN_AGENT tag (the 24-hour window has passed)."), "ok")
    else:
        flash(_("Reply queued."), "ok")
    return _back_to(cid, "#reply")


@bp.post("/c/<int:cid>/stage")
@login_required
def move_stage(cid: int):
    rt = runtime()
    target = request.form.get("stage", "")
    try:
        rt.engine.move_stage(rt.db(), cid, target, session_staff()["name"])
    except NotFound:
        abort(404)
    except StageError as e:
        legal = ", ".join(stage_name(s) for s in e.legal) or "–"
        flash(
            _("Cannot move from {current} to {target}. Allowed: {legal}.",
              current=stage_name(e.current), target=stage_name(target), legal=legal),
            "error",
        )  # fmt: skip
        return _back_to(cid)
    rt.wake_sender.set()
    flash(_("Stage changed to {stage}.", stage=stage_name(target)), "ok")
    return _back_to(cid)


@bp.post("/c/<int:cid>/notes")
@login_required
def add_note(cid: int):
    rt = runtime()
    db = rt.db()
    text = request.form.get("text", "").strip()[:5000]
    if conversations.get(db, cid) is None:
        abort(404)
    if not text:
        flash(_("Write a note first."), "error")
        return _back_to(cid, "#notes")
    with write_tx(db):
        conversations.add_note(db, cid, session_staff()["name"], text, rt.clock())
    return _back_to(cid, "#notes")


@bp.post("/c/<int:cid>/labels")
@login_required
def add_label(cid: int):
    rt = runtime()
    db = rt.db()
    if conversations.get(db, cid) is None:
        abort(404)
    label = clean_label(request.form.get("label"))
    remove = request.form.get("remove")
    with write_tx(db):
        if remove:
            conversations.remove_label(db, cid, remove)
        elif label:
            conversations.add_label(db, cid, label, rt.clock())
    return _back_to(cid, "#labels")


# --- all leads and the numbers -------------------------------------------------------------


def _day(text: str | None, end: bool = False) -> float | None:
    """A YYYY-MM-DD from the filter form → the start (or end) of that day, business time."""
    if not text:
        return None
    try:
        day = datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=zone())
        return (day + timedelta(days=1 if end else 0)).timestamp()
    except (ValueError, OverflowError):  # not a date, or past year 9999
        return None


def _lead_filters() -> dict:
    a = request.args
    return {
        "stage": a.get("stage") or None,
        "label": a.get("label") or None,
        "source": a.get("source") if a.get("source") in leads.SOURCES else None,
        "q": (a.get("q") or "").strip()[:200] or None,
        "since": _day(a.get("from")),
        "until": _day(a.get("to"), end=True),
    }


@bp.get("/leads")
@login_required
def leads_page():
    db = runtime().db()
    rows = leads.search(db, limit=500, **_lead_filters())
    return render_template(
        "staff/leads.html",
        rows=rows,
        stages=pipeline(),
        labels=leads.all_labels(db),
        sources=leads.SOURCES,
        args=request.args,
    )


@bp.get("/leads.csv")
@owner_required
def leads_csv():
    return csv_response(leads.search(runtime().db(), limit=None, **_lead_filters()))


def bars(values: list[tuple[str, int]]) -> list[dict]:
    """Rows of a horizontal bar chart: label, value and the bar's share of the widest."""
    top = max((v for _, v in values), default=0) or 1
    return [
        {"label": label if len(label) <= 16 else label[:15] + "…", "full": label, "value": v,
         "share": v / top}
        for label, v in values
    ]  # fmt: skip


@bp.get("/overview")
@login_required
def overview():
    s = leads.stats(runtime().db(), pipeline())
    funnel = bars([(stage_name(sid), s["reached"][sid]) for sid in s["reached"]])
    now_in = bars([(stage_name(sid), n) for sid, n in s["stages"].items()])
    source_names = {"ad": _("Ads"), "link": _("Links"), "direct": _("Direct")}
    sources = bars([(source_names[k], v) for k, v in s["sources"].items()])
    refs = bars(list(s["refs"].items()))
    return render_template(
        "staff/overview.html", s=s, funnel=funnel, now_in=now_in, sources=sources, refs=refs
    )


# --- the team ----------------------------------------------------------------------------


@bp.route("/team", methods=["GET", "POST"])
@login_required
def team():
    rt = runtime()
    db = rt.db()
    me = session_staff()
    created = None
    if request.method == "POST":
        if request.form.get("action") == "password":
            if accounts.check_password(db, me["name"], request.form.get("current", "")) is None:
                flash(_("The current password is wrong."), "error")
            else:
                try:
                    accounts.set_password(db, me["id"], request.form.get("new", ""))
                    flash(_("Password changed."), "ok")
                except ValueError:
                    flash(_("The new password needs at least 8 characters."), "error")
            return redirect(url_for("staff.team"))
        if me["role"] != "owner":
            abort(403)
        password = request.form.get("password") or accounts.new_password()
        try:
            account = accounts.create(
                db, request.form.get("name", ""), request.form.get("role", "agent"), password,
                rt.clock(),
            )  # fmt: skip
        except ValueError as e:
            flash(str(e), "error")
            return redirect(url_for("staff.team"))
        created = {"name": account["name"], "role": account["role"], "password": password}
    return render_template(
        "staff/team.html",
        people=accounts.all_staff(db) if me["role"] == "owner" else [],
        created=created,
    )
