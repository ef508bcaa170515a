"""The staff workspace (``/staff``) and the JSON API (``/api``)."""

from __future__ import annotations

import logging

import click
from flask import Flask, has_request_context, request
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFProtect

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
    app.config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    app.config.setdefault("SESSION_COOKIE_HTTPONLY", True)

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
    click.echo("No staff account yet: created the owner account for the workspace.")
    click.echo(
        f"  name: {FIRST_OWNER}   password: {password}   (shown once; change it in /staff/team)"
    )
    return password
