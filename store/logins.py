"""Failed staff logins: one row per failure and key (the name tried, the client's address),
kept for the window the limit counts over, so every process of a deployment counts the same
failures."""

from __future__ import annotations

from collections.abc import Sequence

import sqlite_utils

from store.db import serialise, write_tx

Limits = Sequence[tuple[str, int]]  # (key, failures allowed in the window)


def retry_after(db: sqlite_utils.Database, limits: Limits, window: float, now: float) -> int:
    """Seconds until every key is below its limit again (0: now)."""
    waits = []
    for key, limit in limits:
        count, oldest = db.execute(
            "SELECT count(*), min(at) FROM login_failures WHERE key = ? AND at >= ?",
            (key, now - window),
        ).fetchone()
        if count >= limit:
            waits.append(max(1, int(window - (now - oldest)) + 1))
    return max(waits, default=0)


def begin(db: sqlite_utils.Database, limits: Limits, window: float, now: float) -> int:
    """Count a failure for every key unless one is at its limit: 0, or the seconds to wait.

    One such transaction at a time in every process, so parallel attempts cannot all pass
    the count before any of them is written."""
    with write_tx(db):
        serialise(db, "login")
        wait = retry_after(db, limits, window, now)
        if not wait:
            _add(db, [key for key, _limit in limits], window, now)
        return wait


def failed(db: sqlite_utils.Database, keys: Sequence[str], window: float, now: float) -> None:
    with write_tx(db):
        serialise(db, "login")
        _add(db, keys, window, now)


def _add(db: sqlite_utils.Database, keys: Sequence[str], window: float, now: float) -> None:
    db.execute("DELETE FROM login_failures WHERE at < ?", (now - window,))  # out of the window
    for key in keys:
        db.execute("INSERT INTO login_failures (key, at) VALUES (?, ?)", (key, now))


def succeeded(db: sqlite_utils.Database, every: str, key: str, at: float | None) -> None:
    """A right password: forget every failure of ``every`` (the account) and the one of
    ``key`` counted at ``at`` (the attempt itself, counted by ``begin``)."""
    with write_tx(db):
        db.execute("DELETE FROM login_failures WHERE key = ?", (every,))
        if at is not None:
            db.execute(
                "DELETE FROM login_failures WHERE id = "
                "(SELECT id FROM login_failures WHERE key = ? AND at = ? LIMIT 1)",
                (key, at),
            )
