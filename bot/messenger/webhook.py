"""``/webhook``: verify, check the signature on the raw bytes, store, answer 200."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging

from flask import Blueprint, Response, current_app, request

from bot.messenger.events import parse_body
from store import inbox

log = logging.getLogger(__name__)

bp = Blueprint("webhook", __name__)

MAX_BODY = 1024 * 1024  # 1 MiB; Meta's batches are far smaller


def signature_ok(secret: str, raw: bytes, header: str | None) -> bool:
    """HMAC-SHA256 of the body exactly as received (Meta signs its \\u-escaped bytes)."""
    if not header or not header.isascii() or not header.startswith("sha256="):
        return False  # a non-ASCII header is simply wrong (compare_digest refuses it)
    expected = hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header[len("sha256=") :].strip().lower())


@bp.get("/webhook")
def verify() -> Response:
    token = current_app.config.get("MESSENGER_VERIFY_TOKEN")
    args = request.args
    if (
        token
        and args.get("hub.mode") == "subscribe"
        and hmac.compare_digest(
            str(args.get("hub.verify_token", "")).encode("utf-8", "replace"),
            token.encode("utf-8", "replace"),
        )
    ):
        return Response(args.get("hub.challenge", ""), 200, mimetype="text/plain")
    return Response("Forbidden", 403, mimetype="text/plain")


@bp.post("/webhook")
def receive() -> Response:
    secret = current_app.config.get("MESSENGER_APP_SECRET")
    if not secret:
        return _plain("Forbidden: MESSENGER_APP_SECRET is not set", 403)
    if (request.content_length or 0) > MAX_BODY:
        return _plain("Payload Too Large", 413)
    raw = request.stream.read(MAX_BODY + 1)
    if len(raw) > MAX_BODY:
        return _plain("Payload Too Large", 413)
    if not signature_ok(secret, raw, request.headers.get("X-Hub-Signature-256")):
        log.warning("webhook POST refused: missing or bad X-Hub-Signature-256")
        return _plain("Forbidden: bad signature", 403)
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return _plain("Bad Request: the body is not JSON", 400)
    except RecursionError:
        return _plain("Bad Request: the JSON is nested too deep", 400)
    events, skipped = parse_body(body)
    for why in skipped:
        log.info("webhook: skipped %s", why)
    if events:
        # Keep a customer's events in Meta's timestamp order within one POST.
        events.sort(key=lambda e: e.timestamp)
        runtime = current_app.extensions["barta"]
        rows = [(e.key(), e.psid, e.kind, e.to_json()) for e in events]
        inbox.add(runtime.db(), rows, runtime.clock())
        runtime.wake_engine.set()
    return _plain("EVENT_RECEIVED", 200)


def _plain(text: str, status: int) -> Response:
    return Response(text, status, mimetype="text/plain")
