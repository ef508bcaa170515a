"""The store's own machinery: the writer lock and the WAL checkpoints off the hot path."""

from __future__ import annotations

import os
import threading
import time

import pytest

from store.db import WriterLock, connect, write_tx
from tests.conftest import PG


def _until(condition, seconds: float = 5.0) -> None:
    """Wait for another thread to reach a state (no fixed sleep: as long as it takes)."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the other thread never got there"
        time.sleep(0.001)


def test_a_writer_going_ahead_passes_the_writers_already_queued():
    lock = WriterLock()
    order: list[str] = []

    def writer(name: str, ahead: bool = False) -> None:
        lock.acquire(ahead)
        order.append(name)
        lock.release()

    lock.acquire()  # someone is writing
    threads = [threading.Thread(target=writer, args=(f"webhook-{i}",)) for i in (1, 2)]
    for n, t in enumerate(threads, 1):
        t.start()
        _until(lambda n=n: lock.waiting == n)
    engine = threading.Thread(target=writer, args=("engine", True))
    engine.start()
    _until(lambda: lock.waiting_ahead == 1)
    lock.release()
    for t in (*threads, engine):
        t.join(5)
    assert order[0] == "engine"
    assert sorted(order[1:]) == ["webhook-1", "webhook-2"]


def test_every_waiting_writer_gets_the_lock_in_the_end():
    lock = WriterLock()
    done: list[int] = []
    lock.acquire()
    threads = [
        threading.Thread(
            target=lambda i=i: (lock.acquire(i % 3 == 0), done.append(i), lock.release())
        )
        for i in range(30)
    ]
    for t in threads:
        t.start()
    _until(lambda: lock.waiting + lock.waiting_ahead == 30)
    lock.release()
    for t in threads:
        t.join(5)
    assert sorted(done) == list(range(30))


def test_write_tx_rolls_back_and_frees_the_lock_on_error(tmp_path):
    db = connect(str(tmp_path / "tx.db"))
    db.execute("CREATE TABLE t (x)")
    try:
        with write_tx(db, ahead=True):
            db.execute("INSERT INTO t VALUES (1)")
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    with write_tx(db):
        db.execute("INSERT INTO t VALUES (2)")
    assert db.execute("SELECT x FROM t").fetchall() == [(2,)]


def test_the_checkpoint_thread_copies_the_wal_into_the_database(make_app):
    if PG:
        pytest.skip("SQLite's WAL; PostgreSQL has none to copy")
    runtime = make_app().extensions["barta"]
    path = runtime.db_path
    db = connect(path)
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    before = os.path.getsize(path)
    for i in range(200):  # ~200 pages, far below wal_autocheckpoint: they stay in the WAL
        with write_tx(db):
            db.execute(
                "INSERT INTO inbox (key, psid, kind, event, received_at) VALUES (?, ?, ?, ?, ?)",
                (f"k{i}", "p", "message", "x" * 3000, 0.0),
            )
    assert os.path.getsize(path) == before
    stop, runtime.stop = runtime.stop, OneTurn()
    try:
        runtime.checkpoint_loop(every=0.5)  # one turn of the loop, in this thread
    finally:
        runtime.stop = stop
    assert os.path.getsize(path) > before + 200 * 3000


class OneTurn(threading.Event):
    """A stop signal whose first wait times out (one turn of a loop) and is set after."""

    def wait(self, timeout: float | None = None) -> bool:
        if not self.is_set():
            self.set()
            return False
        return True
