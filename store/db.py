"""Opening the database, its pragmas, and write transactions."""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import sqlite_utils

from store.dialect import PgDatabase, is_pg_url


class WriterLock:
    """The write lock of one database file among the threads of one process.

    Threads queue here rather than in SQLite's busy handler, which sleeps in steps of up
    to 100 ms (that showed as a 270 ms p99 in bench/webhook.py). Other processes still
    meet BEGIN IMMEDIATE and busy_timeout.

    A writer that asks to go ``ahead`` (the engine: the one queue every reply goes through)
    is served before every ordinary writer (webhook and sender threads) that is waiting,
    whatever order they came in. Each waiter is woken alone, never the whole crowd.
    """

    def __init__(self) -> None:
        guard = threading.Lock()
        self._ahead_turn = threading.Condition(guard)
        self._plain_turn = threading.Condition(guard)
        self._held = False
        self.waiting_ahead = 0
        self.waiting = 0

    def acquire(self, ahead: bool = False) -> None:
        if ahead:
            with self._ahead_turn:
                self.waiting_ahead += 1
                while self._held:
                    self._ahead_turn.wait()
                self.waiting_ahead -= 1
                self._held = True
            return
        with self._plain_turn:
            self.waiting += 1
            while self._held or self.waiting_ahead:
                self._plain_turn.wait()
            self.waiting -= 1
            self._held = True

    def release(self) -> None:
        with self._plain_turn:
            self._held = False
            if self.waiting_ahead:
                self._ahead_turn.notify()
            elif self.waiting:
                self._plain_turn.notify()


_WRITERS: dict[str, WriterLock] = {}
_WRITERS_GUARD = threading.Lock()


def _writer_lock(path: str) -> WriterLock:
    if path == ":memory:":
        return WriterLock()
    key = os.path.realpath(path)
    with _WRITERS_GUARD:
        return _WRITERS.setdefault(key, WriterLock())


def connect(path: str) -> sqlite_utils.Database:
    """Open the SQLite file at ``path`` with the pragmas every connection needs.

    A ``postgresql://`` URL opens a connection of this process's pool instead (the same
    ``execute``/``conn`` surface, see store.dialect).
    """
    if is_pg_url(path):
        return PgDatabase(path)  # type: ignore[return-value]
    if path != ":memory:":
        folder = os.path.dirname(os.path.abspath(path))
        os.makedirs(folder, exist_ok=True)
        _private(path)
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
    if path != ":memory:":
        for extra in (path + "-wal", path + "-shm"):  # SQLite copies the file's mode; check
            if os.path.exists(extra):
                _private(extra)
    db._barta_writer = _writer_lock(path)  # type: ignore[attr-defined]
    return db


def _private(path: str) -> None:
    """Make ``path`` readable by its owner only: created 0600 when missing (before SQLite
    opens it, so there is no moment it is world-readable), tightened when it is not."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        try:
            st = os.stat(path)
            if st.st_mode & 0o077 and st.st_uid == os.getuid():
                os.chmod(path, 0o600)
        except OSError:
            pass  # not ours to change: SQLite will say if it cannot open it
    except OSError:
        return
    else:
        os.close(fd)


@contextmanager
def write_tx(db: sqlite_utils.Database, *, ahead: bool = False) -> Iterator[sqlite_utils.Database]:
    """Run the block in one ``BEGIN IMMEDIATE`` transaction.

    sqlite-utils' own ``atomic()`` opens a deferred BEGIN, which fails with "database is
    locked" when a read-then-write transaction meets another writer (LIBRARIES.md §3);
    sqlite-utils' writes inside join this transaction as savepoints. ``ahead``: go before
    the other writers of this process that are waiting (see WriterLock).
    """
    if is_postgres(db):
        # PostgreSQL: many writers at once; what must not run twice is claimed inside
        # (claim_customer, SKIP LOCKED), not serialised here.
        db.execute("BEGIN")
        try:
            yield db
        except BaseException:
            db.conn.rollback()
            raise
        else:
            db.conn.commit()
        return
    writer = getattr(db, "_barta_writer", None)
    if writer is None:  # a Database not opened by connect(): private, uncontended
        writer = db._barta_writer = WriterLock()  # type: ignore[attr-defined]
    writer.acquire(ahead)
    try:
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.conn.rollback()
            raise
        else:
            db.conn.commit()
    finally:
        writer.release()


def migrate(db: sqlite_utils.Database) -> None:
    """Apply every pending migration; run once before any worker starts."""
    from store.migrations import migrations

    if not is_postgres(db):
        migrations.apply(db)
        return
    # PostgreSQL: the same migration functions (store.migrations._run translates the DDL),
    # their names kept in _barta_migrations; an advisory lock lets one of several
    # processes that start together do it while the others wait.
    db.execute(
        "CREATE TABLE IF NOT EXISTS _barta_migrations (migration_set TEXT NOT NULL, "
        "name TEXT NOT NULL, applied_at DOUBLE PRECISION NOT NULL, "
        "PRIMARY KEY (migration_set, name))"
    )
    db.execute("SELECT pg_advisory_lock(hashtext('barta:migrate'))").fetchall()
    try:
        done = {
            r[0]
            for r in db.execute(
                "SELECT name FROM _barta_migrations WHERE migration_set = ?", (migrations.name,)
            ).fetchall()
        }
        for m in migrations._migrations:
            if m.name in done:
                continue
            with write_tx(db):
                m.fn(db)
                db.execute(
                    "INSERT INTO _barta_migrations (migration_set, name, applied_at) "
                    "VALUES (?, ?, ?)",
                    (migrations.name, m.name, time.time()),
                )
    finally:
        db.execute("SELECT pg_advisory_unlock(hashtext('barta:migrate'))").fetchall()


def is_postgres(db: object) -> bool:
    """True for a connection opened by ``connect`` on a ``postgresql://`` URL."""
    return getattr(db, "is_postgres", False)


_CUSTOMER = "in:"  # the key of a customer's lock: this and the psid


def claim_customer(db: sqlite_utils.Database, psid: str, *, wait: bool = False) -> bool:
    """Inside a write_tx: this transaction alone handles ``psid`` until it ends.

    SQLite's BEGIN IMMEDIATE already makes every writer the only one; PostgreSQL takes a
    transaction-scoped advisory lock (released by COMMIT, ROLLBACK or a dead connection),
    without waiting: False means another process has this customer right now (``wait``:
    wait until it has finished instead).
    """
    if not is_postgres(db):
        return True
    if wait:
        _xact_lock(db, _CUSTOMER + psid)
        return True
    row = db.execute(
        "SELECT pg_try_advisory_xact_lock(hashtext(?))", (_CUSTOMER + psid,)
    ).fetchone()
    return bool(row and row[0])


def lock_customer_of(db: sqlite_utils.Database, psid_sql: str, params: tuple) -> None:
    """Inside a write_tx, before its first read: wait until no other transaction handles
    the customer whose psid the one-row ``psid_sql`` names, and hold them until this one
    ends — the lock claim_customer takes for the engine, found from an id.

    Every transaction that reads a customer's conversation or handoff and writes it back
    takes it (the engine, staff, the scheduler, the sender's marks), so none writes over
    what another wrote meanwhile. Nothing on SQLite: BEGIN IMMEDIATE already is one writer.
    """
    if is_postgres(db):
        db.execute(
            f"SELECT pg_advisory_xact_lock(hashtext('{_CUSTOMER}' || psid)) FROM ({psid_sql}) AS c",
            params,
        ).fetchall()


def serialise(db: sqlite_utils.Database, name: str) -> None:
    """Inside a write_tx: wait for every other transaction that serialises on ``name``,
    in any process (a transaction-scoped advisory lock on PostgreSQL; on SQLite BEGIN
    IMMEDIATE already is one writer)."""
    if is_postgres(db):
        _xact_lock(db, "barta:" + name)


def _xact_lock(db: sqlite_utils.Database, key: str) -> None:
    """PostgreSQL: wait for the advisory lock ``key`` names, held until this transaction ends."""
    db.execute("SELECT pg_advisory_xact_lock(hashtext(?))", (key,)).fetchall()


def claim_sending(db: sqlite_utils.Database, psid: str) -> bool:
    """Outside a transaction: this connection alone sends to ``psid`` until release_sending.

    A session advisory lock on PostgreSQL: a killed process's connection drops and the lock
    with it, so another process's sweep sends the rest within a second. Always True on
    SQLite (one process; the sender's own busy set keeps one thread per customer).
    """
    if not is_postgres(db):
        return True
    row = db.execute("SELECT pg_try_advisory_lock(hashtext(?))", ("out:" + psid,)).fetchone()
    return bool(row and row[0])


def release_sending(db: sqlite_utils.Database, psid: str) -> None:
    if is_postgres(db):
        db.execute("SELECT pg_advisory_unlock(hashtext(?))", ("out:" + psid,)).fetchall()


def notify(db: sqlite_utils.Database, channel: str) -> None:
    """Wake the other processes' workers (PostgreSQL NOTIFY, sent at COMMIT); no-op on SQLite."""
    if is_postgres(db):
        db.execute(f"NOTIFY barta_{channel}")


def now() -> float:
    """Seconds since the epoch; the one clock the store uses by default."""
    return time.time()
