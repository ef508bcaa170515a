"""The background work of one process: the engine loop, the sender, the scheduler, the
watcher that follows the flows files, and the look at the ``pages`` table.

Threads start in ``Runtime.start()``, called by ``serve`` after the app is built — never
at import, and never before a WSGI server could fork (LIBRARIES.md §4).

The book in force is held here, in one place: ``Runtime.book``. ``use(book)`` swaps it for
the engine, the scheduler and the workspace (``app.config["BOOK"]``) together; the watcher
calls it when a saved flows file passes ``check`` and its ``tests:``, and otherwise leaves
the old flows running and keeps the errors in ``flows_state`` (``/healthz``, the workspace
banner, the log).

Several Pages (bot.pages): ``pages`` holds each Page's token, Book and Engine; ``engine``
is BOT_FLOWS' Engine, which hands each conversation to its Page's. The ``pages`` table is
read again every ``PAGES_POLL`` seconds (2) when it changed, and the Pages' own flows files
are watched with BOT_FLOWS', each reloaded on its own.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

import sqlite_utils

from bot.conversation.engine import Engine
from bot.messenger.graph import Messenger
from bot.messenger.names import Names
from bot.messenger.sender import Sender
from bot.pages import Pages
from store.db import connect
from store.dialect import is_pg_url

log = logging.getLogger(__name__)


class Runtime:
    """What the webhook, the workspace and the workers of one app share."""

    def __init__(self, config: dict, book, *, clock: Callable[[], float] = time.time) -> None:
        self.config = config
        self.db_path = str(config["BOT_DB"])
        self._book = book
        self.flows_path = str(config.get("BOT_FLOWS") or "")
        self._swap_lock = threading.Lock()
        self.on_swap: list[Callable[[Any], None]] = []  # app.config["BOOK"] and the like
        self._stamps = self._stat(self._watched(book.files))
        # the Pages' own flows files: flows path -> stamps of the files it read (and folders)
        self._page_stamps: dict[str, dict[str, tuple[float, int] | None]] = {}
        self.flows_state: dict[str, Any] = {"ok": True, "loaded_at": _iso(time.time())}
        config["FLOWS_STATE"] = self.flows_state  # the workspace banner reads it
        self.clock = clock
        self.wake_engine = threading.Event()
        self.wake_sender = threading.Event()
        self.wake_names = threading.Event()
        self.stop = threading.Event()
        # Names and pictures, looked up off the reply path (online only); the engine says
        # when one is due and this wakes the worker after the engine's commit.
        self.names: Names | None = None
        # Every Page's token, Book and Engine (bot.pages); BOT_FLOWS' Engine is ``engine``.
        self.pages = Pages(config, book, make_engine=self._make_engine)
        self.engine = self.pages.default_engine
        base, app_id = str(config["GRAPH_API_URL"]), config.get("MESSENGER_APP_ID")
        self._connect = lambda token: Messenger(base, token, app_id)
        token = config.get("MESSENGER_PAGE_TOKEN")
        factory = None
        if token:
            factory = lambda: Messenger(base, str(token), app_id)  # noqa: E731
        self.sender = Sender(
            self.db_path,
            factory,
            tokens=self.pages.token,
            connect=self._connect,
            wake=self.wake_sender,
            clock=clock,
            backoff=float(config.get("SENDER_BACKOFF", 2.0)),
            threads=int(config.get("SENDER_THREADS", 8)),
        )
        self.scheduler: Any = None  # set by need_scheduler when a Book has follow-ups
        self._local = threading.local()
        self._threads: list[threading.Thread] = []
        db = connect(self.db_path)
        try:
            # The Pages added so far, their flows loaded as BOT_FLOWS' are at startup
            # (checked; their tests: are played when the files change while running).
            self.pages.refresh(db, tests=False)
        finally:
            db.close()
        self._watch_from_now()
        self._rewire()

    def _make_engine(self, book) -> Engine:
        engine = Engine(book, app_id=self.config.get("MESSENGER_APP_ID"), clock=self.clock)
        if self.names is not None:
            engine.wants_name = self.wake_names.set
        return engine

    def db(self) -> sqlite_utils.Database:
        """This thread's connection to the database."""
        db = getattr(self._local, "db", None)
        if db is None:
            db = self._local.db = connect(self.db_path)
        return db

    @property
    def book(self):
        """BOT_FLOWS' book in force (swapped as a whole by ``use``); a Page's own is
        ``pages.book(page_id)``."""
        return self._book

    def use(self, book) -> None:
        """Put ``book`` in force for the engine, the scheduler and the workspace at once.

        A customer mid-flow goes on: the engine keeps their flow and step by id, and restarts
        a flow whose pending step is gone (bot.conversation.decide).
        """
        self.pages.use_default(book)
        self._rewire()

    def _rewire(self) -> None:
        """After a change of Pages or Books: the engines' routes, the default Book and
        Engine, the scheduler, the names worker and the workspace's Book, at once."""
        pages = self.pages
        with self._swap_lock:
            router = pages if pages.active else None  # one Page: no routing at all
            if self.names is None and pages.online:
                self._start_names()
            for engine in pages.engines():
                engine.pages = router
                if self.names is not None:
                    engine.wants_name = self.wake_names.set
            self._book = pages.default_book
            self.engine = pages.default_engine
            self.sender.online = pages.online
            self.need_scheduler()
            for hook in self.on_swap:
                hook(self._book)

    def need_scheduler(self) -> None:
        """A follow-up scheduler when any Book in use has ``followups:``; once there, it
        follows the Books as they change (its thread runs on)."""
        from bot.conversation.scheduler import Scheduler

        if self.scheduler is None and not any(b.followups for b in self.pages.books().values()):
            return
        fresh = Scheduler(
            self._book,
            self.db_path,
            clock=self.clock,
            wake=self.wake_sender,
            interval=float(self.config.get("SCHEDULER_INTERVAL", 30.0)),
        )
        fresh.pages = self.pages if self.pages.active else None
        if self.scheduler is None:
            self.scheduler = fresh
            if self._threads:
                self._thread("scheduler", lambda: fresh.run(self.stop))
        else:  # its thread runs on: give it the new books' rules in place
            keep = ("db_path", "clock", "wake", "interval", "_local")
            for key, value in vars(fresh).items():
                if key not in keep:
                    setattr(self.scheduler, key, value)

    def _start_names(self) -> None:
        """The names worker, once any Page has a token (never in offline mode)."""
        # ``factory`` serves only a worker without ``tokens``: the default Page's client
        factory = self.sender.client_factory or (lambda: self._connect(self.pages.token("") or ""))
        self.names = Names(
            self.db_path,
            factory,
            wake=self.wake_names,
            clock=self.clock,
            tokens=self.pages.token,
            connect=self._connect,
        )
        if self._threads:
            names = self.names
            self._thread("names", lambda: names.run(self.stop))

    def refresh_pages(self, db: sqlite_utils.Database | None = None) -> bool:
        """Read the ``pages`` table again if another process (or ``page add``) changed it."""
        if not self.pages.refresh(db or self.db()):
            return False
        self._rewire()  # a new Page's flows file: the watcher's next look takes it in
        log.info("Pages: %s", ", ".join(self.pages.names()) or "none added")
        return True

    def _watch_from_now(self) -> None:
        """The Pages' flows files as they are at startup: the watcher reloads on changes."""
        for path, files in self.pages.watched().items():
            if path not in self._page_stamps:
                self._page_stamps[path] = self._stat(self._watched(files))

    def pages_loop(self, every: float = 2.0) -> None:
        """Poll the ``pages`` table (one small query) for Pages added or changed."""
        db = connect(self.db_path)
        while not self.stop.wait(every):
            try:
                self.refresh_pages(db)
            except Exception:
                log.exception("reading the Pages failed; trying again shortly")

    # --- following the flows files ---------------------------------------------------

    def _watched(self, files: Iterable[str]) -> list[str]:
        """The files the loader read and their folders (a new file in a folder that an
        ``include: [flows/*.yaml]`` reads changes the folder)."""
        files = [*files] or ([self.flows_path] if self.flows_path else [])
        folders = {os.path.dirname(os.path.abspath(f)) for f in files}
        return [*files, *sorted(folders)]

    @staticmethod
    def _stat(paths: Iterable[str]) -> dict[str, tuple[float, int] | None]:
        out: dict[str, tuple[float, int] | None] = {}
        for p in paths:
            try:
                st = os.stat(p)
                out[p] = (st.st_mtime, st.st_size)
            except OSError:
                out[p] = None
        return out

    def reload(self) -> bool:
        """Load the flows file again; put it in force if ``check`` and its tests pass."""
        from bot.conversation import golden

        path = self.flows_path
        try:
            book, problems, files = golden.check(path)
        except Exception as e:  # a crash in a test must not stop the old flows
            log.exception("checking %s crashed", path)
            book, problems, files = None, [], tuple(self._stamps)
            errors = [f"{path}:1: the flows could not be checked ({e})"]
        else:
            errors = [str(p) for p in problems if p.is_error]
        self._stamps = self._stat(self._watched(files))
        now = _iso(time.time())
        if errors:
            for line in errors:
                log.error("flows not reloaded: %s", line)
            log.error("%s has errors; the flows loaded before keep running", path)
            loaded = self.flows_state.get("loaded_at")
            self._state({"ok": False, "errors": errors, "checked_at": now, "loaded_at": loaded})
            return False
        self.use(book)
        self._state({"ok": True, "loaded_at": now})
        log.info("flows reloaded from %s", path)
        return True

    def _state(self, state: dict[str, Any]) -> None:
        """Replace the flows' state as a whole (read by /healthz and the workspace banner)."""
        self.flows_state = state
        self.config["FLOWS_STATE"] = state

    def watch_loop(self, every: float = 1.0) -> None:
        """Poll the flows files' mtime and size; reload once a change has settled."""
        changed = False
        settling: set[str] = set()  # the Pages' flows files that changed at the last look
        while not self.stop.wait(every):
            try:
                now = self._stat(self._stamps)
                if now != self._stamps:
                    self._stamps, changed = now, True  # wait one more look for it to settle
                elif changed:
                    changed = False
                    self.reload()
                settling = self._watch_pages(settling)
            except Exception:
                log.exception("watching the flows failed; trying again shortly")

    def _watch_pages(self, settling: set[str]) -> set[str]:
        """One look at the Pages' own flows files: each is reloaded (``check`` and its
        tests) once its change has settled; one that fails leaves its Pages' Book as it was."""
        watched = self.pages.watched()
        for path in set(self._page_stamps) - set(watched):
            del self._page_stamps[path]
        still: set[str] = set()
        reloaded = False
        for path, files in watched.items():
            before = self._page_stamps.get(path)
            if before is None:
                self._page_stamps[path] = self._stat(self._watched(files))
                continue
            now = self._stat(before)
            if now != before:
                self._page_stamps[path] = now
                still.add(path)
            elif path in settling:
                self.pages.reload_flows(path)
                reloaded = True
                files = self.pages.files.get(path, files)
                self._page_stamps[path] = self._stat(self._watched(files))
        if reloaded:
            self._rewire()
        return still

    @property
    def offline(self) -> bool:
        """No Page has a token: replies are kept, not sent."""
        return not self.pages.online

    def health(self) -> dict[str, Any]:
        """Per added Page (for /healthz ``pages``): its flows and whether it sends."""
        out = self.pages.health()
        for page_id, page in out.items():
            online = page["mode"] == "online"
            page["sender"] = self.sender.page_state(page_id) if online else "offline"
        return out

    def start(self) -> None:
        """Start the engine, sender (and scheduler) threads; they finish what a crash left."""
        if self._threads:
            return
        targets = [
            ("engine", self.engine_loop),
            ("sender", lambda: self.sender.run(self.stop)),
        ]
        if is_pg_url(self.db_path):
            targets.append(("listen", self.listen_loop))  # other processes' wake-ups
        else:
            targets.append(("checkpoint", self.checkpoint_loop))
        if (names := self.names) is not None:
            targets.append(("names", lambda: names.run(self.stop)))
        scheduler = self.scheduler
        if scheduler is not None:
            targets.append(("scheduler", lambda: scheduler.run(self.stop)))
        every = float(self.config.get("FLOWS_POLL", 1.0))
        if self.flows_path and every > 0:
            targets.append(("flows-watch", lambda: self.watch_loop(every)))
        pages_every = float(self.config.get("PAGES_POLL", 2.0))
        if pages_every > 0:
            targets.append(("pages", lambda: self.pages_loop(pages_every)))
        for name, target in targets:
            self._thread(name, target)

    def _thread(self, name: str, target: Callable[[], object]) -> None:
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

    def listen_loop(self) -> None:
        """PostgreSQL: LISTEN for the events (and follow-ups) other processes store and wake
        the engine (the sender).

        The engine still polls every second; this makes the hand-over immediate. A lost
        connection is opened again after a pause.
        """
        import psycopg

        while not self.stop.is_set():
            try:
                with psycopg.connect(self.db_path, autocommit=True) as conn:
                    conn.execute("LISTEN barta_inbox")
                    conn.execute("LISTEN barta_outbox")  # follow-ups another process queued
                    self.wake_engine.set()  # anything stored while no one listened
                    while not self.stop.is_set():
                        for note in conn.notifies(timeout=1.0):
                            outbox = note.channel == "barta_outbox"
                            (self.wake_sender if outbox else self.wake_engine).set()
            except Exception:
                log.exception("LISTEN connection failed; opening it again shortly")
                self.stop.wait(1.0)

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


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="seconds")
