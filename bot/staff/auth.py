"""Who is asking: session login for the browser, bearer tokens for the API, roles."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from flask import Response, abort, current_app, g, jsonify, redirect, request, session, url_for

from bot.errors import error_body
from store import logins
from store import staff as accounts

if TYPE_CHECKING:
    import sqlite_utils

    from bot.runtime import Runtime

LOGIN_ATTEMPTS = 5  # failed logins allowed per account ...
ADDRESS_ATTEMPTS = 20  # ... and per client address (whatever names it tries) ...
LOGIN_WINDOW = 300.0  # ... in this many seconds


def runtime() -> Runtime:
    return current_app.extensions["barta"]


def json_error(status: int, message: str, **extra: Any) -> tuple[Response, int]:
    """The one JSON error shape: {"ok": false, "error": ..., "status": N, ...}."""
    return jsonify(error_body(status, message, **extra)), status


class LoginLimiter:
    """Failed logins per account and per client address in a sliding window, counted in
    the database (store.logins): every process behind a load balancer counts the same
    failures, and failures older than the window are pruned.

    Atomic: ``begin`` counts the attempt as a failure *before* the password is checked, in
    a transaction every process takes in turn, so 40 parallel wrong logins get at most
    ``attempts`` password checks; ``succeeded`` takes it back. Either limit reached refuses
    the attempt: rotating addresses does not help against one account, nor rotating names
    from one address.
    """

    def __init__(
        self,
        attempts: int = LOGIN_ATTEMPTS,
        window: float = LOGIN_WINDOW,
        address_attempts: int = ADDRESS_ATTEMPTS,
        *,
        db: Callable[[], sqlite_utils.Database] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.attempts = attempts
        self.address_attempts = address_attempts
        self.window = window
        self._db = db or (lambda: runtime().db())  # this thread's connection of the app
        self.clock = clock  # wall time: the processes of a deployment share it

    @staticmethod
    def _keys(name: str, addr: str) -> tuple[str, str]:
        return "name:" + name.strip().casefold()[:200], "addr:" + addr

    def _limits(self, name: str, addr: str) -> tuple[tuple[str, int], tuple[str, int]]:
        name_key, addr_key = self._keys(name, addr)
        return (name_key, self.attempts), (addr_key, self.address_attempts)

    def retry_after(self, name: str, addr: str, now: float | None = None) -> int:
        """Seconds until this name may try again from this address (0: now)."""
        now = self.clock() if now is None else now
        return logins.retry_after(self._db(), self._limits(name, addr), self.window, now)

    def begin(self, name: str, addr: str, now: float | None = None) -> tuple[int, float]:
        """Reserve one attempt: (0, stamp) to go ahead and check the password, else
        (seconds to wait, 0). The attempt counts as failed until ``succeeded``."""
        now = self.clock() if now is None else now
        wait = logins.begin(self._db(), self._limits(name, addr), self.window, now)
        return (wait, 0.0) if wait else (0, now)

    def failed(self, name: str, addr: str, now: float | None = None) -> None:
        now = self.clock() if now is None else now
        logins.failed(self._db(), self._keys(name, addr), self.window, now)

    def succeeded(self, name: str, addr: str, stamp: float | None = None) -> None:
        """A right password: forget this account's failures and the reserved attempt."""
        name_key, addr_key = self._keys(name, addr)
        logins.succeeded(self._db(), name_key, addr_key, stamp)


def limiter() -> LoginLimiter:
    return current_app.extensions["barta_login_limiter"]


def log_in(account: dict) -> None:
    lang = session.get("lang")
    session.clear()  # a fresh session on login: no fixation
    session["staff_id"] = account["id"]
    session["staff_v"] = account["session_version"]
    if lang:
        session["lang"] = lang


def log_out() -> None:
    """End this account's sessions everywhere: a copied cookie stops working too."""
    staff_id = session.get("staff_id")
    if staff_id:
        accounts.end_sessions(runtime().db(), staff_id)
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


def session_staff() -> dict | None:
    """The logged-in account of this browser session, looked up on every request."""
    if "staff" not in g:
        staff_id = session.get("staff_id")
        account = accounts.get(runtime().db(), staff_id) if isinstance(staff_id, int) else None
        if account is not None and session.get("staff_v") != account["session_version"]:
            account = None  # logged out everywhere, password or role changed since
        g.staff = account
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
    """A redirect target on this site only, else None.

    Only a plain path: it starts with one ``/`` and the next character is not ``/`` or
    ``\\`` (``//evil.example`` and ``/\\evil.example`` are other origins to a browser); no
    control character anywhere (browsers drop tab and newline, so
    ``/\t/evil.example`` would become ``//evil.example``); no backslash at all; and what
    the URL parser reads must have no scheme and no host. The same holds once
    percent-decoded (``/%09/evil.example``), in case something on the way decodes it.
    """
    if not isinstance(target, str) or _offsite(target) or _offsite(unquote(target)):
        return None
    return target


def _offsite(target: str) -> bool:
    if not target or len(target) > 2048:
        return True
    if not target.startswith("/") or target[1:2] in ("/", "\\"):
        return True
    if "\\" in target or any(ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F for ch in target):
        return True
    if any(ch in target for ch in ("\u2028", "\u2029", "\ufeff")):
        return True
    try:
        parts = urlsplit(target)
    except ValueError:
        return True
    return bool(parts.scheme or parts.netloc)
