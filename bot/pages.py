"""The Pages one process answers: each Page's token, flows (a Book) and Engine.

A deployment with no row in the ``pages`` table is the one Page of
``MESSENGER_PAGE_TOKEN`` and ``BOT_FLOWS``, exactly as before. Each added Page
(``python app.py page add``) answers with its own token and its own flows file
(``pages.flows``; NULL: ``BOT_FLOWS``). A relative ``flows`` path is read from the folder
of ``BOT_FLOWS`` (``page add 1055… --flows shops/rongdhonu.yaml`` next to a
``BOT_FLOWS=flows/flows.yaml`` is ``flows/shops/rongdhonu.yaml``), so a deployment moves
as one folder. Pages that name the same file share one Book and one Engine.

The id ``''`` (``DEFAULT``) is the default Page, ``MESSENGER_PAGE_TOKEN`` with
``BOT_FLOWS``: it answers the simulator's customers, conversations kept before Pages, and
every Page id that is not added. A conversation keeps Meta's Page id even then, so the
day its Page is added, that Page's own token and flows answer it. An Instagram account
linked to an added Page (``pages.instagram_id``) is answered as that Page.

``Pages`` is what the runtime, the engine, the sender, the names worker, the scheduler
and the workspace share (``app.config["PAGES"]``). It reloads when the table changes
(``refresh``: another process or the CLI may add a Page while the server runs) and when
a flows file it uses changes (``reload_flows``, from bot.runtime's watcher); a Page whose
flows fail ``check`` or their ``tests:`` keeps the Book it had. Lookups read one
immutable snapshot (``_View``), replaced as a whole: no lock on the hot path.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import sqlite_utils

from bot.book.compiler import load_book, load_book_files
from bot.book.types import FlowBook
from bot.errors import FlowError, NotFound
from store import pages as stored
from store.db import connect

log = logging.getLogger(__name__)

DEFAULT = ""  # the Page of MESSENGER_PAGE_TOKEN and BOT_FLOWS (and of unknown Page ids)


@dataclass(frozen=True)
class Page:
    """One added Page as the process uses it (``flows``: the resolved path of its file)."""

    page_id: str
    name: str | None
    token: str | None
    flows: str
    instagram_id: str | None


def resolve_flows(flows: str | None, bot_flows: str) -> str:
    """The file a Page's ``flows`` names: ``BOT_FLOWS`` when empty; a relative path is
    taken from the folder of ``BOT_FLOWS``. Always an absolute, normalised path."""
    if not flows:
        return os.path.abspath(bot_flows)
    if os.path.isabs(flows):
        return os.path.normpath(flows)
    return os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(bot_flows)), flows))


def profile_for(
    config: Mapping[str, Any], page_id: str, db: sqlite_utils.Database | None = None
) -> tuple[str | None, FlowBook]:
    """``(token, book)`` of one Page, for ``setup-page --page``: the Page's own token and
    flows; ``DEFAULT`` ('') is ``MESSENGER_PAGE_TOKEN`` with ``BOT_FLOWS``.

    Raises NotFound for a Page that is not added, FlowError when its flows have errors
    (the message lists them). Reads ``config["BOT_DB"]`` unless ``db`` is given.
    """
    bot_flows = str(config.get("BOT_FLOWS") or "flows.yaml")
    if page_id == DEFAULT:
        token, path = config.get("MESSENGER_PAGE_TOKEN"), os.path.abspath(bot_flows)
    else:
        own = db is None
        db = db or connect(str(config["BOT_DB"]))
        try:
            row = stored.get(db, page_id.strip(), token=True)
        finally:
            if own:
                db.close()
        if row is None:
            raise NotFound(f"Page {page_id} is not added (python app.py page add {page_id} …)")
        token, path = row["token"], resolve_flows(row["flows"], bot_flows)
    book, problems = load_book(path)
    if book is None:
        errors = [str(p) for p in problems if p.is_error]
        raise FlowError("\n".join([f"{path} has errors:", *errors]), problems)
    return (str(token) if token else None), book


@dataclass(frozen=True)
class _View:
    """Everything a lookup reads, replaced as a whole on each change."""

    pages: Mapping[str, Page] = field(default_factory=dict)
    instagram: Mapping[str, str] = field(default_factory=dict)  # IG account id -> Page id
    books: Mapping[str, FlowBook] = field(default_factory=dict)  # flows path -> Book
    engines: Mapping[str, Any] = field(default_factory=dict)  # flows path -> Engine
    in_force: Mapping[str, str] = field(default_factory=dict)  # Page id -> flows path used


class Pages:
    """The registry: ``book``, ``token``, ``engine_for``, ``page_for_entry``, ``names``."""

    def __init__(
        self,
        config: Mapping[str, Any],
        default_book: FlowBook,
        *,
        make_engine: Callable[[FlowBook], Any] | None = None,
        default_engine: Any = None,
        check: Callable[[str], tuple[Any, list, tuple[str, ...]]] | None = None,
    ) -> None:
        """``make_engine(book)`` builds the Engine of a Book (None: no engines, as for the
        CLI); ``check(path)`` is the loader of reloads (default: bot.conversation.golden's,
        which plays the file's ``tests:``)."""
        self.config = config
        self.bot_flows = str(config.get("BOT_FLOWS") or "flows.yaml")
        self.default_path = os.path.abspath(self.bot_flows)
        self.make_engine = make_engine
        self._check = check
        self._stamp: tuple[int, float] | None = None
        self._changing = threading.RLock()  # one change at a time; lookups take no lock
        self.files: dict[str, tuple[str, ...]] = {}  # flows path -> files its loader read
        # flows path -> {"ok", "loaded_at" | "errors", "checked_at"} for /healthz
        self.states: dict[str, dict[str, Any]] = {}
        engine = default_engine
        if engine is None and make_engine is not None:
            engine = make_engine(default_book)
        self._view = _View(
            books={self.default_path: default_book},
            engines={self.default_path: engine} if engine is not None else {},
        )

    # --- lookups (the hot path: dict reads on one snapshot) ----------------------------

    @property
    def active(self) -> bool:
        """Is any Page added? (False: one Page, everything as before.)"""
        return bool(self._view.pages)

    @property
    def default_book(self) -> FlowBook:
        return self._view.books[self.default_path]

    @property
    def default_engine(self) -> Any:
        return self._view.engines.get(self.default_path)

    def _path(self, view: _View, page_id: str) -> str:
        page_id = view.instagram.get(page_id, page_id)  # kept before its Page was linked
        return view.in_force.get(page_id, self.default_path)

    def book(self, page_id: str) -> FlowBook:
        """The Book that answers ``page_id`` (BOT_FLOWS' for '' and for unknown ids)."""
        view = self._view
        return view.books.get(self._path(view, page_id)) or view.books[self.default_path]

    def engine_for(self, page_id: str) -> Any:
        """The Engine of the Page's Book (the default Engine for '' and unknown ids)."""
        view = self._view
        found = view.engines.get(self._path(view, page_id))
        return found if found is not None else view.engines[self.default_path]

    def token(self, page_id: str) -> str | None:
        """The Page's access token; MESSENGER_PAGE_TOKEN for '' and for ids not added;
        None: the Page is offline (its replies are kept, not sent)."""
        view = self._view
        page = view.pages.get(view.instagram.get(page_id, page_id))
        if page is None:
            value = self.config.get("MESSENGER_PAGE_TOKEN")
            return str(value) if value else None
        return page.token

    def page_for_entry(self, entry_id: str) -> str:
        """The Page a webhook entry is for: the Page an Instagram account id is linked
        to, else the entry's own id (answered as the default Page until it is added)."""
        return self._view.instagram.get(entry_id, entry_id)

    def get(self, page_id: str) -> Page | None:
        return self._view.pages.get(page_id)

    def all(self) -> list[Page]:
        """The added Pages (no token shown anywhere else than to the sender)."""
        return list(self._view.pages.values())

    def names(self) -> dict[str, str]:
        """``{page_id: display name}`` of the added Pages (the name, else the id); the
        default Page ('') is not in it."""
        return {p.page_id: p.name or p.page_id for p in self._view.pages.values()}

    def engines(self) -> list[Any]:
        return list(self._view.engines.values())

    def books(self) -> dict[str, FlowBook]:
        """Every Book in use, by flows path."""
        return dict(self._view.books)

    @property
    def online(self) -> bool:
        """Has any Page (the default included) a token to send with?"""
        return bool(self.config.get("MESSENGER_PAGE_TOKEN")) or any(
            p.token for p in self._view.pages.values()
        )

    # --- changes -------------------------------------------------------------------------

    def use_default(self, book: FlowBook, engine: Any = None) -> None:
        """BOT_FLOWS was reloaded: its Book (and Engine) for every Page that uses it."""
        if engine is None and self.make_engine is not None:
            engine = self.make_engine(book)
        with self._changing:
            self._use_default(book, engine)

    def _use_default(self, book: FlowBook, engine: Any) -> None:
        view = self._view
        engines = dict(view.engines)
        if engine is not None:
            engines[self.default_path] = engine
        self._view = _View(
            view.pages,
            view.instagram,
            {**view.books, self.default_path: book},
            engines,
            view.in_force,
        )

    def refresh(self, db: sqlite_utils.Database, *, tests: bool = True) -> bool:
        """Read the ``pages`` table again if it changed; True when it did.

        A flows file not loaded yet is loaded (and, with ``tests``, its ``tests:``
        played); a Page whose file fails keeps the Book it had, or waits on BOT_FLOWS'
        if it never had one (logged, and in ``states``).
        """
        stamp = stored.stamp(db)
        if stamp == self._stamp:
            return False
        with self._changing:
            return self._refresh(db, stamp, tests)

    def _refresh(self, db: sqlite_utils.Database, stamp: tuple[int, float], tests: bool) -> bool:
        rows = stored.all_pages(db, token=True)
        self._stamp = stamp
        old = self._view
        books = {self.default_path: old.books[self.default_path]}
        engines = {}
        if self.default_path in old.engines:
            engines[self.default_path] = old.engines[self.default_path]
        pages: dict[str, Page] = {}
        instagram: dict[str, str] = {}
        in_force: dict[str, str] = {}
        for row in rows:
            path = resolve_flows(row["flows"], self.bot_flows)
            page = Page(row["page_id"], row["name"], row["token"] or None, path,
                        row["instagram_id"])  # fmt: skip
            pages[page.page_id] = page
            if page.instagram_id:
                instagram[page.instagram_id] = page.page_id
            if path not in books:
                if path in old.books:  # loaded before: reloads come from the watcher
                    books[path] = old.books[path]
                    if path in old.engines:
                        engines[path] = old.engines[path]
                else:
                    book = self._load(path, tests=tests)
                    if book is not None:
                        books[path] = book
                        if self.make_engine is not None:
                            engines[path] = self.make_engine(book)
            if path in books:
                in_force[page.page_id] = path
            else:
                before = old.in_force.get(page.page_id)
                if before is not None and before in old.books:  # keeps the Book it had
                    books.setdefault(before, old.books[before])
                    if before in old.engines:
                        engines.setdefault(before, old.engines[before])
                    in_force[page.page_id] = before
                else:
                    log.error("Page %s waits on %s: its flows %s have errors",
                              page.page_id, self.bot_flows, path)  # fmt: skip
        used = {page.flows for page in pages.values()}
        for path in list(self.files):
            if path not in used and path != self.default_path:
                del self.files[path]
                self.states.pop(path, None)
        self._view = _View(pages, instagram, books, engines, in_force)
        return True

    def _load(self, path: str, *, tests: bool) -> FlowBook | None:
        """Load one flows file; None (logged, kept in ``states``) when it has errors."""
        now = _iso()
        try:
            if tests:
                check = self._check or _golden_check
                book, problems, files = check(path)
            else:
                book, problems, files = load_book_files(path)
        except Exception as e:  # a crash in a test must not stop the other Pages
            log.exception("checking %s crashed", path)
            book, problems, files = None, [], (path,)
            errors = [f"{path}:1: the flows could not be checked ({e})"]
        else:
            errors = [str(p) for p in problems if p.is_error]
        self.files[path] = tuple(files) or (path,)
        if book is None or errors:
            for line in errors:
                log.error("flows not loaded: %s", line)
            loaded = self.states.get(path, {}).get("loaded_at")
            self.states[path] = {"ok": False, "errors": errors, "checked_at": now,
                                 "loaded_at": loaded}  # fmt: skip
            return None
        self.states[path] = {"ok": True, "loaded_at": now}
        return book

    def reload_flows(self, path: str) -> bool:
        """A Page's flows file changed: put it in force for every Page using it if
        ``check`` and its tests pass; else the old Book answers on. (BOT_FLOWS itself is
        the runtime's ``reload``.)"""
        with self._changing:
            return self._reload_flows(path)

    def _reload_flows(self, path: str) -> bool:
        book = self._load(path, tests=True)
        if book is None:
            log.error("%s has errors; the flows loaded before keep running", path)
            return False
        view = self._view
        engines = dict(view.engines)
        if self.make_engine is not None:
            engines[path] = self.make_engine(book)
        in_force = dict(view.in_force)
        for page in view.pages.values():  # a Page that waited on an old Book takes it now
            if page.flows == path:
                in_force[page.page_id] = path
        self._view = _View(view.pages, view.instagram, {**view.books, path: book}, engines,
                           in_force)  # fmt: skip
        log.info("flows reloaded from %s", path)
        return True

    def watched(self) -> dict[str, tuple[str, ...]]:
        """The flows files of the Pages (not BOT_FLOWS') and the files each one read."""
        out = {}
        for page in self._view.pages.values():
            if page.flows != self.default_path:
                out[page.flows] = self.files.get(page.flows, (page.flows,))
        return out

    def health(self) -> dict[str, dict[str, Any]]:
        """Per added Page, for /healthz: name, flows file and state, whether it may send."""
        view = self._view
        out = {}
        for page in view.pages.values():
            used = view.in_force.get(page.page_id)
            if page.flows == self.default_path:
                flows_state: dict[str, Any] = {"ok": True}
            else:
                flows_state = dict(self.states.get(page.flows, {"ok": used == page.flows}))
            if used != page.flows:
                flows_state["in_force"] = used or self.default_path
            out[page.page_id] = {
                "name": page.name,
                "instagram_id": page.instagram_id,
                "mode": "online" if page.token else "offline",
                "flows": {"file": page.flows, **flows_state},
            }
        return out


def _golden_check(path: str) -> tuple[Any, list, tuple[str, ...]]:
    # Imported here: bot.conversation.golden builds Engines, and they are built after us.
    from bot.conversation import golden

    return golden.check(path)


def _iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
