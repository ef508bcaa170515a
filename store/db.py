"""Opening the database, its pragmas, and write transactions."""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager

import sqlite_utils


def connect(path: str) -> sqlite_utils.Database:
    """Open the SQLite file at ``path`` with the pragmas every connection needs."""
    if path != ":memory:":
        folder = os.path.dirname(os.path.abspath(path))
        os.makedirs(folder, exist_ok=True)
    # One connection belongs to one thread at a time; check_same_thread=False lets a
    # connection be handed from the thread that made it to the worker that owns it.
    conn = sqlite3.connect(path, timeout=10, check_same_thread=False)
    db = sqlite_utils.Database(conn)
    db.execute("PRAGMA busy_timeout=10000")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("PRAGMA foreign_keys=ON")
    # Fewer, larger WAL checkpoints and a 16 MB page cache: each message commits a few
    # pages of several tables, and checkpointing every 1,000 pages cost a fifth of the
    # engine's time (bench/engine.py).
    db.execute("PRAGMA wal_autocheckpoint=10000")
    db.execute("PRAGMA cache_size=-16000")
    if path != ":memory:" and db.journal_mode != "wal":
        db.enable_wal()
    return db


@contextmanager
def write_tx(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """Run the block in one ``BEGIN IMMEDIATE`` transaction.

    sqlite-utils' own ``atomic()`` opens a deferred BEGIN, which fails with "database is
    locked" when a read-then-write transaction meets another writer (LIBRARIES.md §3);
    sqlite-utils' writes inside join this transaction as savepoints.
    """
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.conn.rollback()
        raise
    else:
        db.conn.commit()


def migrate(db: sqlite_utils.Database) -> None:
    """Apply every pending migration; run once before any worker starts."""
    from store.migrations import migrations

    migrations.apply(db)


def now() -> float:
    """Seconds since the epoch; the one clock the store uses by default."""
    return time.time()
