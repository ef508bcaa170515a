"""The staff workspace (``/staff``) and the JSON API (``/api``)."""

from __future__ import annotations

import logging
import os
import sys

import click
from flask import Flask, has_request_context, request
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFProtect

from bot import config as settings
from bot.staff import api, auth, editor, error_handler, lead_pages, queue_pages, views
from bot.staff.lang import _jinja_gettext, _jinja_ngettext, ui_lang
from store import staff as accounts

log = logging.getLogger(__name__)

FIRST_OWNER = "owner"

# The workspace is one blueprint, views.bp; these modules add their pages to it on import.
WORKSPACE_PAGES = (views, queue_pages, lead_pages, editor)


class _SessionInterface(SecureCookieSessionInterface):
    """The session cookie is Secure whenever the request came over HTTPS (directly or
    through the trusted local proxy), so nobody has to remember a setting for it."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or (
            has_request_context() and request.is_secure
        )


def init_app(app: Flask) -> None:
    """Blueprints, CSRF, the one error handler, the Jinja i18n, the first-run owner."""
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)  # a workspace tab stays open all day
    # Flask's defaults already hold these keys (SAMESITE None), so setdefault would do
    # nothing: set them unless a deployment chose a value of its own.
    if not app.config.get("SESSION_COOKIE_SAMESITE"):
        app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config["SESSION_COOKIE_HTTPONLY"] = True

    app.session_interface = _SessionInterface()
    csrf = CSRFProtect(app)
    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    csrf.exempt(api.bp)  # bearer tokens, not cookies: nothing for a forged form to ride on
    if "webhook" in app.blueprints:
        csrf.exempt(app.blueprints["webhook"])  # signed by Meta instead
    app.extensions["barta_login_limiter"] = auth.LoginLimiter()
    error_handler.init_app(app)

    app.jinja_env.add_extension("jinja2.ext.i18n")
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=_jinja_gettext, ngettext=_jinja_ngettext, newstyle=True
    )
    app.jinja_env.globals["ui_lang"] = ui_lang

    app.extensions.setdefault("barta_first_run", []).append(lambda: first_owner(app))


def first_owner(app: Flask) -> str | None:
    """With no staff account yet, make owner ``owner`` and print its password once."""
    rt = app.extensions["barta"]
    db = rt.db()
    if accounts.count(db):
        return None
    password = accounts.new_password()
    try:
        accounts.create(db, FIRST_OWNER, "owner", password, rt.clock())
    except ValueError:  # another process made it a moment ago
        return None
    path = _write_secret(app, "first-owner-password.txt", f"{FIRST_OWNER}\n{password}\n")
    # Never through logging, and on stdout only when a person reads it (a terminal):
    # server logs keep stdout, and a password in a log outlives its change.
    click.echo("No staff account yet: created the owner account for the workspace.")
    if sys.stdout.isatty():
        click.echo(
            f"  name: {FIRST_OWNER}   password: {password}   (shown once; change it in /staff/team)"
        )
    if path:
        click.echo(f"  name and password are in {path} (readable by you only; delete it after)")
    return password


def _write_secret(app: Flask, filename: str, text: str) -> str | None:
    """Write ``text`` to a new 0600 file next to the database (instance/); its path."""
    folder = settings.data_folder(app.config, app.instance_path)
    path = os.path.join(folder, filename)
    try:
        os.makedirs(folder, exist_ok=True)
        if os.path.exists(path):
            os.remove(path)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
    except OSError as e:
        log.warning("could not write %s: %s", path, e.strerror)
        return None
    return path
