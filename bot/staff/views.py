"""``/staff``: the workspace blueprint, signing in, the language and the team page.

The queue and conversation pages are in ``queue_pages``, leads and the overview in
``lead_pages``; all of them hang on this blueprint (server-rendered; every form carries a
CSRF token).
"""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from bot import i18n
from bot.staff import actions
from bot.staff.auth import (
    limiter,
    log_in,
    log_out,
    login_required,
    runtime,
    safe_next,
    session_staff,
)
from bot.staff.lang import t as _
from bot.staff.present import (
    answer_text,
    fmt_time,
    fmt_wait,
    num,
    page_context,
    page_names,
    picture_response,
    picture_url,
    reason_text,
    stage_name,
    web_link,
)
from store import leads
from store import staff as accounts

bp = Blueprint(
    "staff", __name__, url_prefix="/staff", template_folder="templates", static_folder="static"
)

__all__ = ["bp", "fmt_time"]


@bp.app_context_processor
def _template_helpers() -> dict[str, Any]:
    return {
        "me": session_staff() if request.blueprint in ("staff", "simulator") else None,
        "stage_name": stage_name,
        "fmt_time": fmt_time,
        "fmt_wait": fmt_wait,
        "reason_text": reason_text,
        "num": num,
        "answer_text": answer_text,
        "picture_url": picture_url,
        "source_kind": leads.source_kind,
        "languages": i18n.LANGUAGES,
    }


@bp.app_template_filter("web_link")
def _web_link(url: Any) -> str | None:
    return web_link(url)


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
    addr = request.remote_addr or "?"  # the proxy's X-Forwarded-For only if TRUSTED_PROXY
    wait, stamp = limiter().begin(name, addr)
    if wait:
        msg = _("Too many failed logins. Try again in {n} minutes.", n=max(1, (wait + 59) // 60))
        return render_template("staff/login.html", error=msg, name=name[:64], next=nxt), 429
    account = accounts.check_password(runtime().db(), name, password) if name else None
    if account is None:  # the attempt was counted as failed in begin()
        msg = _("Wrong name or password.")
        return render_template("staff/login.html", error=msg, name=name[:64], next=nxt), 401
    limiter().succeeded(name, addr, stamp)
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


@bp.get("/sw.js")
def service_worker():
    """The workspace's service worker (notifications on phones), served here, not under
    /staff/static/, so that its scope is all of /staff/. A script with no data: no login."""
    response = bp.send_static_file("sw.js")
    response.mimetype = "text/javascript"
    response.cache_control.no_cache = True  # a new version reaches every phone at once
    return response


# --- customers' pictures ------------------------------------------------------------------


@bp.get("/c/<int:cid>/picture")
@login_required
def picture(cid: int):
    """The customer's profile picture, as the names worker kept it (store.pictures): for
    staff who may see the conversation (another Page's is a 404, as is none kept)."""
    rt = runtime()
    who = session_staff()
    assert who is not None  # login_required
    actions.check_access(rt, who, cid=cid)
    return picture_response(rt.db(), cid)


# --- the team ----------------------------------------------------------------------------


def _change_password(me: dict) -> None:
    db = runtime().db()
    if accounts.check_password(db, me["name"], request.form.get("current", "")) is None:
        flash(_("The current password is wrong."), "error")
        return
    try:
        accounts.set_password(db, me["id"], request.form.get("new", ""))
        flash(_("Password changed."), "ok")
    except ValueError:
        flash(_("The new password needs 8 to 128 characters."), "error")
        return
    fresh = accounts.get(db, me["id"])
    if fresh is not None:
        log_in(fresh)  # this session goes on; every other one ended


@bp.route("/team", methods=["GET", "POST"])
@login_required
def team():
    rt = runtime()
    db = rt.db()
    me = session_staff()
    assert me is not None  # login_required
    created = None
    if request.method == "POST":
        if request.form.get("action") == "password":
            _change_password(me)
            return redirect(url_for("staff.team"))
        if me["role"] != "owner":
            abort(403)
        if request.form.get("action") in TEAM_ACTIONS:
            created = _manage(me)
            if created is None:
                return redirect(url_for("staff.team"))
            return render_template(
                "staff/team.html", people=accounts.all_staff(db), created=created, **page_context()
            )
        password = request.form.get("password") or accounts.new_password()
        name = request.form.get("name", "")
        role = request.form.get("role", "agent")
        try:
            account = accounts.create(db, name, role, password, rt.clock())
        except ValueError as e:
            flash(str(e), "error")
            return redirect(url_for("staff.team"))
        created = {"name": account["name"], "role": account["role"], "password": password}
    return render_template(
        "staff/team.html",
        people=accounts.all_staff(db) if me["role"] == "owner" else [],
        created=created,
        **page_context(),
    )


TEAM_ACTIONS = ("remove", "role", "reset", "revoke", "pages")


def _manage(me: dict) -> dict | None:
    """An owner's action on one account of the team; a new password to show, or None."""
    rt = runtime()
    db = rt.db()
    try:
        who = accounts.get(db, int(request.form.get("who", "")))
    except (TypeError, ValueError, OverflowError):
        who = None
    if who is None:
        flash(_("No such account."), "error")
        return None
    action = request.form["action"]
    if action == "pages":
        _set_pages(who)
        return None
    try:
        if action == "remove":
            accounts.remove(db, who["id"])
        elif action == "role":
            accounts.set_role(db, who["id"], "agent" if who["role"] == "owner" else "owner")
        elif action == "reset":
            password = accounts.new_password()
            accounts.set_password(db, who["id"], password)
            accounts.revoke_tokens(db, who["id"], rt.clock())
            return {"name": who["name"], "role": who["role"], "password": password, "reset": True}
        else:
            accounts.revoke_tokens(db, who["id"], rt.clock())
            accounts.end_sessions(db, who["id"])
    except ValueError as e:
        flash(str(e), "error")
        return None
    flash(_("Done."), "ok")
    return None


def _set_pages(who: dict) -> None:
    """An owner limits an agent to the ticked Pages (none ticked: every Page)."""
    if who["role"] == "owner":
        flash(_("An owner works on every Page."), "error")
        return
    names = page_names(runtime().db())
    chosen = request.form.getlist("pages")
    if any(page_id not in names for page_id in chosen):
        flash(_("No such Page."), "error")
        return
    accounts.set_pages(runtime().db(), who["id"], chosen or None)
    flash(_("Done."), "ok")
