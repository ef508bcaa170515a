"""Staff accounts: password hashes and hashed API tokens."""

from __future__ import annotations

import hashlib
import json
import secrets
import sqlite3
from typing import Any

import sqlite_utils
from werkzeug.security import check_password_hash, generate_password_hash

from store.db import write_tx

ROLES = ("owner", "agent")
_COLUMNS = ("id", "name", "role", "created_at", "session_version", "pages")
NAME_LIMIT = 64
PASSWORD_MIN = 8
PASSWORD_MAX = 128
# Checked when the name is unknown, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = generate_password_hash("barta-no-such-user")


def _row(row: tuple | None) -> dict[str, Any] | None:
    if row is None:
        return None
    out = dict(zip(_COLUMNS, row, strict=True))
    # the Page ids the account may work on; None: every Page
    out["pages"] = None if out["pages"] is None else json.loads(out["pages"])
    return out


def _hash_token(token: str) -> str:
    # API tokens are 256 random bits: a fast hash is enough (no dictionary to guess from).
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def new_password() -> str:
    """A password that is easy to read out over the phone."""
    return secrets.token_urlsafe(9)


def check_name(name: str) -> str:
    """The name stripped; ValueError when empty, too long or not printable text."""
    name = name.strip()
    if not name:
        raise ValueError("the name is empty")
    if len(name) > NAME_LIMIT:
        raise ValueError(f"a name may have at most {NAME_LIMIT} characters")
    if not name.isprintable():
        raise ValueError("a name may not hold control characters")
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("the name is not valid text") from None
    return name


def check_new_password(password: str) -> None:
    """ValueError unless 8 to 128 characters (checked before any hashing)."""
    if len(password) < PASSWORD_MIN:
        raise ValueError(f"the password needs at least {PASSWORD_MIN} characters")
    if len(password) > PASSWORD_MAX:
        raise ValueError(f"a password may have at most {PASSWORD_MAX} characters")
    try:
        password.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("the password is not valid text") from None


def create(
    db: sqlite_utils.Database, name: str, role: str, password: str, now: float
) -> dict[str, Any]:
    """Add an account; ValueError if the name is taken or the role unknown."""
    name = check_name(name)
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}: use owner or agent")
    check_new_password(password)
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
    if len(password) > PASSWORD_MAX or len(name) > NAME_LIMIT:  # never hash a megabyte
        return None
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
    """A new password; every session of the account ends (the version moves on)."""
    check_new_password(password)
    with write_tx(db):
        db.execute(
            "UPDATE staff SET password_hash = ?, session_version = session_version + 1 "
            "WHERE id = ?",
            (generate_password_hash(password), staff_id),
        )


def end_sessions(db: sqlite_utils.Database, staff_id: int) -> None:
    """Log the account out everywhere: every session cookie of it stops working."""
    with write_tx(db):
        db.execute(
            "UPDATE staff SET session_version = session_version + 1 WHERE id = ?", (staff_id,)
        )


def _owners(db: sqlite_utils.Database) -> int:
    return db.execute("SELECT count(*) FROM staff WHERE role = 'owner'").fetchone()[0]


def set_role(db: sqlite_utils.Database, staff_id: int, role: str) -> None:
    """Change the role (sessions end: they start again with the new rights); the last
    owner stays an owner."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}: use owner or agent")
    with write_tx(db):
        row = db.execute("SELECT role FROM staff WHERE id = ?", (staff_id,)).fetchone()
        if row is None:
            raise ValueError("no such account")
        if row[0] == "owner" and role != "owner" and _owners(db) <= 1:
            raise ValueError("the last owner cannot become an agent")
        db.execute(
            "UPDATE staff SET role = ?, session_version = session_version + 1 WHERE id = ?",
            (role, staff_id),
        )


def remove(db: sqlite_utils.Database, staff_id: int) -> None:
    """Delete the account and its API tokens (its sessions end with it); never the last
    owner. Its claimed handoffs go back to waiting; its name stays on what it wrote."""
    with write_tx(db):
        row = db.execute("SELECT role FROM staff WHERE id = ?", (staff_id,)).fetchone()
        if row is None:
            raise ValueError("no such account")
        if row[0] == "owner" and _owners(db) <= 1:
            raise ValueError("the last owner cannot be removed")
        name = db.execute("SELECT name FROM staff WHERE id = ?", (staff_id,)).fetchone()[0]
        # what the person held goes back to the team, so no customer is left with nobody
        db.execute(
            "UPDATE queue SET status = 'waiting', claimed_by = NULL, claimed_at = NULL "
            "WHERE claimed_by = ? AND status = 'claimed'",
            (name,),
        )
        db.execute("DELETE FROM tokens WHERE staff_id = ?", (staff_id,))
        db.execute("DELETE FROM staff WHERE id = ?", (staff_id,))


def tokens(db: sqlite_utils.Database, staff_id: int) -> list[dict[str, Any]]:
    """The account's API tokens, without any secret: id, created, last used, expiry."""
    rows = db.execute(
        "SELECT id, created_at, last_used_at, expires_at, revoked_at FROM tokens "
        "WHERE staff_id = ? ORDER BY id",
        (staff_id,),
    ).fetchall()
    keys = ("id", "created_at", "last_used_at", "expires_at", "revoked_at")
    return [dict(zip(keys, r, strict=True)) for r in rows]


def revoke_tokens(
    db: sqlite_utils.Database, staff_id: int, now: float, token_id: int | None = None
) -> int:
    """Revoke one token (by id) or all of the account's; how many were still live."""
    sql = "UPDATE tokens SET revoked_at = ? WHERE staff_id = ? AND revoked_at IS NULL"
    params: tuple = (now, staff_id)
    if token_id is not None:
        sql += " AND id = ?"
        params = (*params, token_id)
    with write_tx(db):
        return db.execute(sql, params).rowcount


def new_token(
    db: sqlite_utils.Database, staff_id: int, now: float, expires_at: float | None = None
) -> str:
    """A new API token for the account; only its hash is kept. ``expires_at``: seconds."""
    token = secrets.token_urlsafe(32)
    with write_tx(db):
        db.execute(
            "INSERT INTO tokens (staff_id, token_hash, created_at, expires_at) VALUES (?, ?, ?, ?)",
            (staff_id, _hash_token(token), now, expires_at),
        )
    return token


def by_token(db: sqlite_utils.Database, token: str, now: float) -> dict[str, Any] | None:
    """The account a bearer token belongs to, or None; notes when it was last used."""
    if not token or len(token) > 200:
        return None
    digest = _hash_token(token)
    row = db.execute(
        "SELECT s.id, s.name, s.role, s.created_at, s.session_version, s.pages, t.id, "
        "t.last_used_at "
        "FROM tokens t JOIN staff s ON s.id = t.staff_id WHERE t.token_hash = ? "
        "AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > ?)",
        (digest, now),
    ).fetchone()
    if row is None:
        return None
    if row[7] is None or now - row[7] > 60:  # one write a minute is plenty
        with write_tx(db):
            db.execute("UPDATE tokens SET last_used_at = ? WHERE id = ?", (now, row[6]))
    return _row(row[:6])


def set_pages(db: sqlite_utils.Database, staff_id: int, pages: list[str] | None) -> None:
    """Limit the account to ``pages`` (Page ids; None or empty: every Page)."""
    value = json.dumps(sorted(set(pages))) if pages else None
    with write_tx(db):
        db.execute("UPDATE staff SET pages = ? WHERE id = ?", (value, staff_id))


def may_see(account: dict[str, Any], page_id: str) -> bool:
    """May ``account`` work on conversations of ``page_id``? ('' is the default Page,
    which an account limited to some Pages does not see.)"""
    pages = account.get("pages")
    return pages is None or page_id in pages
