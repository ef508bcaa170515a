"""One handler for the domain errors of ``bot.errors``, wherever they are raised: JSON in
the one shape under ``/api`` and ``/simulator``; in the workspace (``/staff``) a flash and
back to the page the form came from, the form drawn again with what was typed when that is
the trouble, or an error page."""

from __future__ import annotations

from flask import Flask, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException

from bot.errors import BartaError, InvalidInput, NotFound
from bot.staff import present, queue_pages
from bot.staff.auth import json_error, safe_next


def init_app(app: Flask) -> None:
    app.register_error_handler(BartaError, domain_error)
    app.register_error_handler(HTTPException, http_error)


def _under(prefixes: tuple[str, ...]) -> bool:
    path = request.path
    return any(path == p or path.startswith(p + "/") for p in prefixes)


def domain_error(e: BartaError) -> ResponseReturnValue:
    if not _under(("/staff",)):
        return jsonify(e.body()), e.status
    message = present.error_text(e)
    if request.method != "POST" or e.status in (403, 404):
        return render_template("staff/error.html", status=e.status, message=message), e.status
    flash(message, "error")
    draft = queue_pages.DRAFTS.get(request.endpoint or "")
    cid = (request.view_args or {}).get("cid")
    if isinstance(e, InvalidInput) and draft is not None and cid is not None:
        key, field = draft
        try:
            page = queue_pages.conversation_page(cid, drafts={key: request.form.get(field, "")})
        except NotFound:  # the text was checked first; there is no conversation to redraw
            return redirect(back())
        return page, e.status
    return redirect(back())


def back() -> str:
    """Where a refused form goes back to: its ``next``, its conversation, else the queue."""
    nxt = safe_next(request.form.get("next"))
    if nxt:
        return nxt
    cid = (request.view_args or {}).get("cid")
    if cid is not None:
        return url_for("staff.conversation", cid=cid)
    return url_for("staff.queue_page")


def http_error(e: HTTPException) -> ResponseReturnValue:
    """Under /api an HTTP error (404 for an unknown route...) keeps the JSON shape."""
    if _under(("/api",)):
        return json_error(e.code or 500, e.description or e.name)
    if _under(("/staff", "/simulator")) and e.code in (403, 404, 405):
        message = present.http_error_text(e.code)
        return render_template("staff/error.html", status=e.code, message=message), e.code
    return e
