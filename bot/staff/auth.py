"""Who is asking: session login for the browser, bearer tokens for the API, roles."""

from __future__ import annotations

import functools
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from flask import Response, abort, current_app, g, jsonify, redirect, request, session, url_for

from bot.errors import error_body
from store import staff as accounts

if TYPE_CHECKING:
    from bot.runtime import Runtime

LOGIN_ATTEMPTS = 5  # failed logins allowed per name and address ...
LOGIN_WINDOW = 300.0  # ... in this many seconds


def runtime() -> Runtime:
    return current_app.extensions["barta"]


def json_error(status: int, message: str, **extra: Any) -> tuple[Response, int]:
    """The one JSON error shape: {"ok": false, "error": ..., "status": N, ...}."""
    return jsonify(error_body(status, message, **extra)), status


class LoginLimiter:
    """Failed logins per (name, address) in a sliding window, in this process's memory."""

    def __init__(self, attempts: int = LOGIN_ATTEMPTS, window: float = LOGIN_WINDOW) -> None:
        self.attempts = attempts
        self.window = window
        self._failures: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: tuple[str, str], now: float) -> deque[float]:
        q = self._failures.setdefault(key, deque())
        while q and now - q[0] > self.window:
            q.popleft()
        return q

    def retry_after(self, name: str, addr: str, now: float | None = None) -> int:
        """Seconds until this name may try again from this address (0: now)."""
        now = time.monotonic() if now is None else now
        key = (name.strip().casefold(), addr)
        with self._lock:
            q = self._recent(key, now)
            if len(q) < self.attempts:
                return 0
            return max(1, int(self.window - (now - q[0])) + 1)

    def failed(self, name: str, addr: str, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        key = (name.strip().casefold(), addr)
        with self._lock:
            self._recent(key, now).append(now)
            if len(self._failures) > 10_000:  # forget the oldest keys; memory stays small
                for k in list(self._failures)[:5_000]:
                    del self._failures[k]

    def succeeded(self, name: str, addr: str) -> None:
        with self._lock:
            self._failures.pop((name.strip().casefold(), addr), None)


def limiter() -> LoginLimiter:
    return current_app.extensions["barta_login_limiter"]


def log_in(account: dict) -> None:
    lang = session.get("lang")
    session.clear()  # a fresh session on login: no fixation
    session["staff_id"] = account["id"]
    if lang:
        session["lang"] = lang


def log_out() -> None:
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


def session_staff() -> dict | None:
    """The logged-in account of this browser session, looked up on every request."""
    if "staff" not in g:
        staff_id = session.get("staff_id")
        g.staff = accounts.get(runtime().db(), staff_id) if staff_id else None
    return g.staff


def login_required(view: Callable) -> Callable:
    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if session_staff() is None:
            if request.method == "GET":
                return redirect(url_for("staff.login", next=request.full_path.rstrip("?")))
            return redirect(url_for("staff.login"))
        return view(*args, **kwargs)

    return wrapped


def owner_required(view: Callable) -> Callable:
    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        who = session_staff()
        if who is None:
            return redirect(url_for("staff.login", next=request.path))
        if who["role"] != "owner":
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def bearer_staff() -> dict | None:
    """The account of the ``Authorization: Bearer`` token, or None."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    rt = runtime()
    return accounts.by_token(rt.db(), token.strip(), rt.clock())


def api_owner_required(view: Callable) -> Callable:
    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if g.staff["role"] != "owner":
            return json_error(403, "only an owner may do this")
        return view(*args, **kwargs)

    return wrapped


def safe_next(target: str | None) -> str | None:
    """A redirect target on this site only (no //evil.example)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None
