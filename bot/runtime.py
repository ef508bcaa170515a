"""The background work of one process: the engine loop, the sender, the scheduler.

Threads start in ``Runtime.start()``, called by ``serve`` after the app is built — never
at import, and never before a WSGI server could fork (LIBRARIES.md §4).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

import sqlite_utils

from bot.conversation.engine import Engine
from bot.messenger.graph import Messenger
from bot.messenger.names import Names
from bot.messenger.sender import Sender
from store.db import connect

log = logging.getLogger(__name__)


class Runtime:
    """What the webhook, the workspace and the workers of one app share."""

    def __init__(self, config: dict, book, *, clock: Callable[[], float] = time.time) -> None:
        self.config = config
        self.db_path = str(config["BOT_DB"])
        self.book = book
        self.clock = clock
        self.wake_engine = threading.Event()
        self.wake_sender = threading.Event()
        self.stop = threading.Event()
        self.engine = Engine(book, app_id=config.get("MESSENGER_APP_ID"), clock=clock)
        token = config.get("MESSENGER_PAGE_TOKEN")
        factory = None
        if token:
            base, app_id = str(config["GRAPH_API_URL"]), config.get("MESSENGER_APP_ID")
            factory = lambda: Messenger(base, str(token), app_id)  # noqa: E731
        self.sender = Sender(
            self.db_path,
            factory,
            wake=self.wake_sender,
            clock=clock,
            backoff=float(config.get("SENDER_BACKOFF", 2.0)),
            threads=int(config.get("SENDER_THREADS", 8)),
        )
        # Names and pictures, looked up off the reply path (online only); the engine says
        # when one is due and this wakes the worker after the engine's commit.
        self.wake_names = threading.Event()
        self.names: Names | None = None
        if factory is not None:
            self.names = Names(self.db_path, factory, wake=self.wake_names, clock=clock)
            self.engine.wants_name = self.wake_names.set
        self.scheduler = None  # set by bot.scheduler when follow-ups are configured
        self._local = threading.local()
        self._threads: list[threading.Thread] = []

    def db(self) -> sqlite_utils.Database:
        """This thread's connection to the database."""
        db = getattr(self._local, "db", None)
        if db is None:
            db = self._local.db = connect(self.db_path)
        return db

    @property
    def offline(self) -> bool:
        return not self.config.get("MESSENGER_PAGE_TOKEN")

    def start(self) -> None:
        """Start the engine, sender (and scheduler) threads; they finish what a crash left."""
        if self._threads:
            return
        targets = [
            ("engine", self.engine_loop),
            ("sender", lambda: self.sender.run(self.stop)),
            ("checkpoint", self.checkpoint_loop),
        ]
        if (names := self.names) is not None:
            targets.append(("names", lambda: names.run(self.stop)))
        if self.scheduler is not None:
            targets.append(("scheduler", lambda: self.scheduler.run(self.stop)))
        for name, target in targets:
            t = threading.Thread(target=target, name=f"barta-{name}", daemon=True)
            t.start()
            self._threads.append(t)

    def shutdown(self, timeout: float = 5.0) -> None:
        self.stop.set()
        self.wake_engine.set()
        self.wake_sender.set()
        self.wake_names.set()
        for t in self._threads:
            t.join(timeout)
        self._threads = []

    def engine_loop(self) -> None:
        db = connect(self.db_path)
        while not self.stop.is_set():
            self.wake_engine.clear()
            try:
                while not self.stop.is_set() and (psid := self.engine.process_next(db)):
                    self.sender.kick(psid)
            except Exception:
                log.exception("engine loop failed; trying again shortly")
                time.sleep(0.5)
            self.wake_engine.wait(1.0)

    def checkpoint_loop(self, every: float = 0.5) -> None:
        """Copy the WAL back into the database from here, off the webhook path.

        Left to SQLite, the commit that crosses ``wal_autocheckpoint`` pages does the
        checkpoint while holding the write lock, and every reply queued behind it waits:
        that was most of bench/webhook.py's p99 above the floor. A PASSIVE checkpoint
        blocks no writer; run twice a second it keeps the WAL far below the threshold
        (which stays set as the safety net).
        """
        db = connect(self.db_path)
        while not self.stop.wait(every):
            try:
                db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            except Exception:
                log.exception("WAL checkpoint failed; trying again shortly")

    def drain(self, db: sqlite_utils.Database | None = None) -> int:
        """Process every pending inbox event now, in this thread (chat, tests)."""
        db = db or self.db()
        n = 0
        while self.engine.process_next(db):
            n += 1
        return n
