"""Staff accounts: password hashes and hashed API tokens."""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
from typing import Any

import sqlite_utils
from werkzeug.security import check_password_hash, generate_password_hash

from store.db import write_tx

ROLES = ("owner", "agent")
_COLUMNS = ("id", "name", "role", "created_at")
# Checked when the name is unknown, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = generate_password_hash("barta-no-such-user")


def _row(row: tuple | None) -> dict[str, Any] | None:
    return None if row is None else dict(zip(_COLUMNS, row, strict=True))


def _hash_token(token: str) -> str:
    # API tokens are 256 random bits: a fast hash is enough (no dictionary to guess from).
    return hashlib.sha256(token.encode()).hexdigest()


def new_password() -> str:
    """A password that is easy to read out over the phone."""
    return secrets.token_urlsafe(9)


def create(
    db: sqlite_utils.Database, name: str, role: str, password: str, now: float
) -> dict[str, Any]:
    """Add an account; ValueError if the name is taken or the role unknown."""
    name = name.strip()
    if not name:
        raise ValueError("the name is empty")
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}: use owner or agent")
    if len(password) < 8:
        raise ValueError("the password needs at least 8 characters")
    try:
        with write_tx(db):
            db.execute(
                "INSERT INTO staff (name, role, password_hash, created_at) VALUES (?, ?, ?, ?)",
                (name, role, generate_password_hash(password), now),
            )
    except sqlite3.IntegrityError:
        raise ValueError(f"there is already an account named {name!r}") from None
    return by_name(db, name)  # type: ignore[return-value]


def get(db: sqlite_utils.Database, staff_id: int) -> dict[str, Any] | None:
    return _row(
        db.execute(f"SELECT {', '.join(_COLUMNS)} FROM staff WHERE id = ?", (staff_id,)).fetchone()
    )


def by_name(db: sqlite_utils.Database, name: str) -> dict[str, Any] | None:
    return _row(
        db.execute(
            f"SELECT {', '.join(_COLUMNS)} FROM staff WHERE name = ?", (name.strip(),)
        ).fetchone()
    )


def all_staff(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    rows = db.execute(
        f"SELECT {', '.join(_COLUMNS)} FROM staff ORDER BY role = 'agent', name"
    ).fetchall()
    return [_row(r) for r in rows]  # type: ignore[misc]


def count(db: sqlite_utils.Database) -> int:
    return db.execute("SELECT count(*) FROM staff").fetchone()[0]


def check_password(db: sqlite_utils.Database, name: str, password: str) -> dict[str, Any] | None:
    """The account if the password is right, else None."""
    row = db.execute(
        f"SELECT {', '.join(_COLUMNS)}, password_hash FROM staff WHERE name = ?", (name.strip(),)
    ).fetchone()
    if row is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(row[-1], password):
        return None
    return _row(row[:-1])


def set_password(db: sqlite_utils.Database, staff_id: int, password: str) -> None:
    if len(password) < 8:
        raise ValueError("the password needs at least 8 characters")
    with write_tx(db):
        db.execute(
            "UPDATE staff SET password_hash = ? WHERE id = ?",
            (generate_password_hash(password), staff_id),
        )


def new_token(db: sqlite_utils.Database, staff_id: int, now: float) -> str:
    """A new API token for the account; only its hash is kept."""
    token = secrets.token_urlsafe(32)
    with write_tx(db):
        db.execute(
            "INSERT INTO tokens (staff_id, token_hash, created_at) VALUES (?, ?, ?)",
            (staff_id, _hash_token(token), now),
        )
    return token


def by_token(db: sqlite_utils.Database, token: str, now: float) -> dict[str, Any] | None:
    """The account a bearer token belongs to, or None; notes when it was last used."""
    if not token:
        return None
    digest = _hash_token(token)
    row = db.execute(
        "SELECT s.id, s.name, s.role, s.created_at, t.id, t.last_used_at FROM tokens t "
        "JOIN staff s ON s.id = t.staff_id WHERE t.token_hash = ?",
        (digest,),
    ).fetchone()
    if row is None:
        return None
    if row[5] is None or now - row[5] > 60:  # one write a minute is plenty
        with write_tx(db):
            db.execute("UPDATE tokens SET last_used_at = ? WHERE id = ?", (now, row[4]))
    return _row(row[:4])
