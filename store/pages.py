"""The Pages of a deployment: ``python app.py page add|list|remove``.

A deployment with no row here is the one Page of ``MESSENGER_PAGE_TOKEN`` and
``BOT_FLOWS``, as before. Each added Page has its own token and, optionally, its own flows
file; events are routed by the Page id Meta puts in each entry (MORE.md §7).

Page access tokens are kept as they are: the sender needs them back to send (unlike our
own passwords and API tokens, which are hashed). They are never printed or logged; ``all``
and ``get`` leave them out unless asked.
"""

from __future__ import annotations

from typing import Any

import sqlite_utils

from store.db import write_tx

_COLUMNS = ("page_id", "name", "flows", "instagram_id", "created_at", "updated_at")
NAME_LIMIT = 100
ID_LIMIT = 32  # Meta's ids are 15-17 digits today


def check_id(page_id: str) -> str:
    """The Page id stripped; ValueError unless it is Meta's kind of id (digits only)."""
    page_id = page_id.strip()
    # str.isdigit() takes Bengali digits too; Meta's ids are ASCII digits only.
    if not page_id or not page_id.isascii() or not page_id.isdigit():
        raise ValueError(
            f"{page_id!r} is not a Page id: a Page id is a number, like 105511223344556"
        )
    if len(page_id) > ID_LIMIT:
        raise ValueError(f"a Page id has at most {ID_LIMIT} digits")
    return page_id


def _row(row: tuple | None, token: bool) -> dict[str, Any] | None:
    if row is None:
        return None
    columns = (*_COLUMNS, "token") if token else _COLUMNS
    return dict(zip(columns, row, strict=True))


def _select(token: bool) -> str:
    return f"SELECT {', '.join(_COLUMNS)}{', token' if token else ''} FROM pages"


def add(
    db: sqlite_utils.Database,
    page_id: str,
    now: float,
    *,
    token: str | None = None,
    name: str | None = None,
    flows: str | None = None,
    instagram_id: str | None = None,
) -> tuple[dict[str, Any], bool]:
    """Add the Page, or change the given fields of a Page already there (None keeps a
    field). ``(page, created)``; ValueError on a bad id or name."""
    page_id = check_id(page_id)
    if instagram_id is not None:
        instagram_id = check_id(instagram_id)
    if name is not None:
        name = name.strip()
        if len(name) > NAME_LIMIT or not name.isprintable():
            raise ValueError(f"a Page name is printable text of at most {NAME_LIMIT} characters")
    if token is not None:
        token = token.strip()
        if not token or not token.isascii() or not token.isprintable() or " " in token:
            raise ValueError("the token is not a Page access token (letters and digits only)")
    with write_tx(db):
        found = db.conn.execute("SELECT 1 FROM pages WHERE page_id = ?", (page_id,)).fetchone()
        if instagram_id is not None:
            other = db.conn.execute(
                "SELECT page_id FROM pages WHERE instagram_id = ? AND page_id <> ?",
                (instagram_id, page_id),
            ).fetchone()
            if other is not None:
                raise ValueError(f"Instagram account {instagram_id} is already Page {other[0]}'s")
        if found is None:
            db.conn.execute(
                "INSERT INTO pages (page_id, name, token, flows, instagram_id, created_at, "
                "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (page_id, name or None, token, flows, instagram_id, now, now),
            )
        else:
            db.conn.execute(
                "UPDATE pages SET name = coalesce(?, name), token = coalesce(?, token), "
                "flows = coalesce(?, flows), instagram_id = coalesce(?, instagram_id), "
                "updated_at = ? WHERE page_id = ?",
                (name or None, token, flows, instagram_id, now, page_id),
            )
    page = get(db, page_id)
    assert page is not None
    return page, found is None


def remove(db: sqlite_utils.Database, page_id: str) -> bool:
    """Forget the Page (its conversations stay, answered by the default Page's flows and
    token from now on). False if there was none."""
    with write_tx(db):
        rows = db.conn.execute(
            "DELETE FROM pages WHERE page_id = ? RETURNING page_id", (page_id.strip(),)
        ).fetchall()
    return bool(rows)


def get(db: sqlite_utils.Database, page_id: str, *, token: bool = False) -> dict[str, Any] | None:
    return _row(
        db.conn.execute(f"{_select(token)} WHERE page_id = ?", (page_id,)).fetchone(), token
    )


def all_pages(db: sqlite_utils.Database, *, token: bool = False) -> list[dict[str, Any]]:
    """Every added Page, by name (then id)."""
    rows = db.conn.execute(f"{_select(token)} ORDER BY coalesce(name, page_id), page_id").fetchall()
    return [_row(r, token) for r in rows]  # type: ignore[misc]


def stamp(db: sqlite_utils.Database) -> tuple[int, float]:
    """How many Pages and when one last changed: a process sees another's ``page add``
    (or ``remove``) by this changing."""
    row = db.conn.execute("SELECT count(*), coalesce(max(updated_at), 0) FROM pages").fetchone()
    return int(row[0]), float(row[1])
