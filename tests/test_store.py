"""The store's own machinery: the writer lock and the WAL checkpoints off the hot path."""

from __future__ import annotations

import os
import threading
import time

from store.db import WriterLock, connect, write_tx


def test_a_writer_going_ahead_passes_the_writers_already_queued():
    lock = WriterLock()
    order: list[str] = []

    def writer(name: str, ahead: bool = False) -> None:
        lock.acquire(ahead)
        order.append(name)
        lock.release()

    lock.acquire()  # someone is writing
    first = threading.Thread(target=writer, args=("webhook-1",))
    first.start()
    time.sleep(0.05)  # webhook-1 holds the turnstile, waiting for the lock
    second = threading.Thread(target=writer, args=("webhook-2",))
    second.start()
    time.sleep(0.05)  # webhook-2 waits at the turnstile
    engine = threading.Thread(target=writer, args=("engine", True))
    engine.start()
    time.sleep(0.05)
    lock.release()
    for t in (first, second, engine):
        t.join(5)
    assert sorted(order) == ["engine", "webhook-1", "webhook-2"]
    assert order.index("engine") < order.index("webhook-2")


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
    t = threading.Thread(target=runtime.checkpoint_loop, kwargs={"every": 0.01})
    t.start()
    deadline = time.time() + 5
    while os.path.getsize(path) == before and time.time() < deadline:
        time.sleep(0.01)
    runtime.stop.set()
    t.join(5)
    assert os.path.getsize(path) > before + 200 * 3000
