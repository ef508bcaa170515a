"""``/staff``: the workspace blueprint, signing in, the language and the team page.

The queue and conversation pages are in ``queue_pages``, leads and the overview in
``lead_pages``; all of them hang on this blueprint (server-rendered; every form carries a
CSRF token).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for

from bot import i18n
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
from bot.staff.present import answer_text, fmt_time, fmt_wait, num, reason_text, stage_name
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
        flash(_("The new password needs at least 8 characters."), "error")


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
    )
