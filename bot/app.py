"""The application factory: settings, flows, database, blueprints, ``/healthz``."""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping

from flask import Flask, Response, jsonify
from werkzeug.routing import IntegerConverter

from bot import config as settings
from bot.book.compiler import load_book
from bot.errors import FlowError
from bot.messenger import webhook
from bot.runtime import Runtime
from store import inbox, outbox
from store.db import connect, migrate

log = logging.getLogger("barta")


class RowId(IntegerConverter):
    """``<int:id>`` in every route, up to SQLite's largest integer: a longer id is a 404
    like any other unknown one, not an OverflowError at the query."""

    def __init__(self, map, *args, **kwargs) -> None:  # noqa: A002 (werkzeug's name)
        kwargs.setdefault("max", 2**63 - 1)
        super().__init__(map, *args, **kwargs)


def create_app(config: Mapping[str, object] | None = None) -> Flask:
    """Build the app: settings, flows, database, blueprints. Starts no thread."""
    app = Flask(__name__, instance_relative_config=True)
    app.url_map.converters["int"] = RowId
    values = settings.load(config)
    app.config.update(values)
    if not app.config.get("SECRET_KEY"):
        # Next to the database (instance/ by default): the data and its secrets stay together.
        app.config["SECRET_KEY"] = settings.secret_key(
            settings.data_folder(app.config, app.instance_path)
        )
    app.json.ensure_ascii = False  # type: ignore[attr-defined]  # Bangla stays readable

    book, problems = load_book(str(app.config["BOT_FLOWS"]))
    for p in problems:
        log.warning("%s", p)
    if book is None:
        raise FlowError(
            f"{app.config['BOT_FLOWS']} has errors; run `python app.py check` to see them all:\n"
            + "\n".join(str(p) for p in problems if getattr(p, "severity", "error") == "error")
        )
    app.config["BOOK"] = book

    db = connect(str(app.config["BOT_DB"]))
    migrate(db)
    db.conn.close()

    clock = app.config.get("CLOCK") or time.time
    runtime = Runtime(app.config, book, clock=clock)
    runtime.on_swap.append(lambda new: app.config.__setitem__("BOOK", new))
    app.extensions["barta"] = runtime
    # Each Page's Book, token and name (bot.pages): ``.book(page_id)``, ``.names()``.
    app.config["PAGES"] = runtime.pages

    app.register_blueprint(webhook.bp)
    _register_optional(app)

    @app.get("/healthz")
    def healthz():
        db = runtime.db()
        now = runtime.clock()
        extra = {"pages": runtime.health()} if runtime.pages.active else {}
        return jsonify(
            ok=True,
            mode="offline" if runtime.offline else "online",
            inbox=inbox.stats(db, now),
            outbox=outbox.stats(db, now),
            sender=runtime.sender.state,
            flows=dict(runtime.flows_state),
            **extra,
        )

    app.after_request(security_headers)
    for warning in settings.safe_mode_warnings(app.config):
        log.warning("%s", warning)
    return app


# Scripts and styles only from Barta's own static files (no inline script or style
# attribute anywhere in the templates). Customers' profile pictures come from Barta itself
# (/staff/c/<id>/picture); img-src still allows https: for the pictures inside messages
# (a customer's attachments and the bot's image replies on the conversation page and in
# the simulator), which are Meta's links or the shop's.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' https: data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def security_headers(response: Response) -> Response:
    """On every response: no framing, no sniffing, no inline script, no referrer abroad."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def _register_optional(app: Flask) -> None:
    """The workspace, API, simulator and scheduler, each an ``init_app``."""
    from bot import staff
    from bot.conversation import scheduler
    from bot.staff import simulator

    for module in (staff, simulator, scheduler):
        module.init_app(app)
