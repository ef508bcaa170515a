"""The outbox worker: due replies → Send API, in order per customer, parallel across them.

Each row goes out with its Page's token (``outbox.page_id``; ``tokens`` maps a Page id to
its token, bot.pages): a client per Page per thread. A Page without a token is offline
(its rows are kept, as in offline mode) while the others send; a rate limit or a token
problem pauses that Page alone (MORE.md §7: the limits are per Page).
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import requests

from bot.messenger import bodies, graph
from store import comments, conversations, outbox
from store.db import claim_sending, connect, release_sending
from store.dialect import is_pg_url

log = logging.getLogger(__name__)

SIMULATOR_PREFIX = "sim:"  # simulator customers never reach Meta
MAX_ATTEMPTS = 12  # about an hour of backoff at the default base
SEND_LEASE = 5.0  # PostgreSQL: how long a send a dead process began waits for its echo


class Sender:
    """Delivers the outbox; ``run`` loops until ``stop`` is set."""

    def __init__(
        self,
        db_path: str,
        client_factory: Callable[[], graph.Messenger] | None,
        *,
        tokens: Callable[[str], str | None] | None = None,
        connect: Callable[[str], graph.Messenger] | None = None,
        wake: threading.Event | None = None,
        threads: int = 8,
        backoff: float = 2.0,
        max_backoff: float = 300.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.db_path = db_path
        self._shared = is_pg_url(db_path)  # other processes send from the same outbox
        self.client_factory = client_factory  # None: offline mode, replies are kept
        # Several Pages: ``tokens(page_id)`` is the row's Page's token (None: that Page is
        # offline) and ``connect(token)`` its client; without them every row is
        # ``client_factory``'s.
        self.tokens = tokens if connect is not None else None
        self.connect = connect
        self.wake = wake or threading.Event()
        self.threads = threads
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.clock = clock
        # Rate limits and token trouble pause one Page (Page id -> until when)
        self._paused: dict[str, float] = {}
        self._stopped: dict[str, str] = {}  # Page id -> "stopped: …" after token trouble
        self.online = client_factory is not None  # the runtime says when Pages change it
        self._busy: set[str] = set()
        self._again: set[str] = set()  # kicked while a worker had them: look once more
        self._pool: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()
        self._local = threading.local()
        # Set each time a worker lets a customer go, after its rows are written: tests wait
        # on it instead of sleeping.
        self.batch_done = threading.Event()
        self._channels: dict[int, str] = {}  # conversation id -> channel

    def _db(self):
        db = getattr(self._local, "db", None)
        if db is None:
            db = self._local.db = connect(self.db_path)
        return db

    @property
    def paused_until(self) -> float:
        """When the last pause of any Page ends (0: none was paused)."""
        return max(self._paused.values(), default=0.0)

    @property
    def state(self) -> str:
        """running | offline | stopped: … (the default Page's trouble first, then any Page's)."""
        if self._stopped:
            return self._stopped.get("") or next(iter(self._stopped.values()))
        return "running" if self.online else "offline"

    def page_state(self, page_id: str) -> str:
        """One Page's: running, paused until …, or stopped: …"""
        if page_id in self._stopped:
            return self._stopped[page_id]
        if self._paused.get(page_id, 0.0) > self.clock():
            return "paused"
        return "running"

    def _pause(self, page_id: str, until: float) -> None:
        self._paused[page_id] = max(until, self._paused.get(page_id, 0.0))

    def _page(self, row: dict) -> str:
        """Whose pause a row waits on: its Page when Pages are added; with one Page, every
        row is MESSENGER_PAGE_TOKEN's ('', whatever Page id its conversation keeps)."""
        return row["page_id"] if self.tokens is not None else ""

    def _client(self, page_id: str = "") -> graph.Messenger | None:
        """This thread's client for the Page (None: the Page has no token, offline)."""
        if self.tokens is None or self.connect is None:
            if self.client_factory is None:
                return None
            client = getattr(self._local, "client", None)
            if client is None:
                client = self._local.client = self.client_factory()
            return client
        token = self.tokens(page_id)
        if not token:
            return None
        clients = getattr(self._local, "clients", None)
        if clients is None:
            clients = self._local.clients = graph.Clients(self.connect)
        return clients.get(token)

    def run(self, stop: threading.Event) -> None:
        with ThreadPoolExecutor(self.threads, thread_name_prefix="sender") as pool:
            self._pool = pool
            while not stop.is_set():
                self.wake.clear()
                try:
                    wait = self.dispatch(pool)
                except Exception:
                    log.exception("sender loop failed; trying again shortly")
                    wait = 1.0
                self.wake.wait(wait)
            self._pool = None

    def kick(self, psid: str) -> None:
        """The engine has just written replies for ``psid``: deliver them now.

        Straight to a worker, without the dispatcher's look over the whole outbox (one
        thread hop and two queries less per reply on the webhook path); the dispatcher
        still sweeps for retries and for anything written elsewhere.
        """
        pool = self._pool
        if pool is None:
            self.wake.set()
            return
        with self._lock:
            if psid in self._busy:
                self._again.add(psid)
                return
            self._busy.add(psid)
        try:
            pool.submit(self._deliver_guarded, psid)
        except RuntimeError:  # shutting down: the row stays pending for the next start
            with self._lock:
                self._busy.discard(psid)

    def dispatch(self, pool: ThreadPoolExecutor) -> float:
        """Hand every customer with a due reply to a worker; return how long to sleep."""
        now = self.clock()
        paused = {page for page, until in self._paused.items() if until > now}
        if "" in paused and self.tokens is None:  # one Page, paused: nothing may go
            return min(self._paused[""] - now, 5.0)
        db = self._db()
        with self._lock:
            # the paused Pages' customers wait; the other Pages' go
            psids = outbox.due_psids(db, now, busy=self._busy, skip_pages=paused)
            self._busy.update(psids)
        for psid in psids:
            pool.submit(self._deliver_guarded, psid)
        # Sleep until a retry falls due; finishing workers and the engine wake us sooner.
        nxt = outbox.next_due_at(db, after=now)
        return 1.0 if nxt is None else max(0.005, min(nxt - now, 1.0))

    def _deliver_guarded(self, psid: str) -> None:
        while True:
            waiting = True
            try:
                waiting = self.deliver(psid)
            except Exception:
                log.exception("delivering to %s failed", psid)
            with self._lock:
                again = psid in self._again
                self._again.discard(psid)
                if not again:
                    self._busy.discard(psid)
            if not again:
                break
        self.batch_done.set()
        if waiting:
            self.wake.set()  # a reply waits for a retry: let the dispatcher time it

    def deliver(self, psid: str) -> bool:
        """Send one customer's due replies in order; stop at the first that must wait.

        True when a reply is left waiting (a retry later, or sending is paused).
        On PostgreSQL another process may be sending to this customer: then it sends these
        too, and this returns False.
        """
        db = self._db()
        if not claim_sending(db, psid):
            return False
        try:
            return self._deliver(db, psid)
        finally:
            release_sending(db, psid)

    def _deliver(self, db, psid: str) -> bool:
        while True:
            now = self.clock()
            row = outbox.head(db, psid)
            if row is None:
                return False
            page = self._page(row)
            if row["next_at"] > now or now < self._paused.get(page, 0.0):
                return True
            client = None if psid.startswith(SIMULATOR_PREFIX) else self._client(page)
            if client is None:  # offline (this Page has no token), or the simulator's
                outbox.mark_kept(db, row["id"], now)
                continue
            if row["kind"] in outbox.COMMENT_KINDS:
                if not self._comment(db, row, client):
                    return True
                continue
            body = dict(row["body"])
            if row["kind"] == "message" and self._channel(db, row) == "instagram":
                if not self._instagram(db, psid, row, client):
                    return True
                continue
            if row["kind"] == "message":
                body["message"] = dict(
                    body["message"], metadata=f"{outbox.METADATA_PREFIX}{row['id']}"
                )
            if self._shared:
                # Several processes: if this one dies mid-send, the row waits SEND_LEASE for
                # Meta's echo (its metadata settles the row) before another sends it again.
                outbox.lease(db, row["id"], now + SEND_LEASE)
            try:
                mid = client.send(psid, body)
            except graph.GraphError as e:
                if not self._failed(db, row, e):
                    return True
                continue
            except requests.RequestException as e:
                # Nothing listening, or a timeout after the request went out: retry later;
                # a send that did arrive is settled by its echo (metadata names the row).
                self._retry(db, row, f"network: {type(e).__name__}: {e}")
                return True
            outbox.mark_sent(db, row["id"], mid, self.clock())
            if page in self._stopped:  # the token was renewed: the Page sends again
                log.info("sending for Page %s works again", page or "of MESSENGER_PAGE_TOKEN")
                del self._stopped[page]

    def _channel(self, db, row: dict) -> str:
        """The row's conversation's channel (cached: it is set before its first reply is
        written, and never changes after)."""
        cid = row["conversation_id"]
        if not cid:
            return "messenger"
        found = self._channels.get(cid)
        if found is None:
            got = db.conn.execute("SELECT channel FROM conversations WHERE id = ?", (cid,))
            one = got.fetchone()
            found = (one[0] if one else None) or "messenger"
            if len(self._channels) > 100_000:
                self._channels.clear()
            self._channels[cid] = found
        return found

    def _instagram(self, db, psid: str, row: dict, client: graph.Messenger) -> bool:
        """An Instagram DM: the body as Instagram takes it (text cut at 1000 bytes into
        parts, cards and buttons it lacks as text); True when the next row may go now."""
        parts = bodies.for_instagram(row["body"])
        mid = None
        try:
            for i, part in enumerate(parts):
                if "message" in part:
                    meta = f"{outbox.METADATA_PREFIX}{row['id']}" if i == len(parts) - 1 else None
                    if meta:
                        part = {**part, "message": {**part["message"], "metadata": meta}}
                mid = client.send(psid, part) or mid
        except graph.GraphError as e:
            return self._failed(db, row, e)
        except requests.RequestException as e:
            self._retry(db, row, f"network: {type(e).__name__}: {e}")
            return False
        outbox.mark_sent(db, row["id"], mid, self.clock())
        return True

    def _comment(self, db, row: dict, client: graph.Messenger) -> bool:
        """A private reply, a public comment reply or a hide; True when the next may go."""
        body = dict(row["body"])
        if row["kind"] == outbox.PRIVATE_REPLY:
            body = {"recipient": row["recipient"], **body}
            body["message"] = dict(body["message"], metadata=f"{outbox.METADATA_PREFIX}{row['id']}")
        try:
            data = client.post_once(row["endpoint"] or "me/messages", body)
        except graph.GraphError as e:
            action = e.action_for(row["kind"])
            log.warning("comment call of outbox row %s failed (%s): %s", row["id"], action, e)
            if action in (graph.RETRY, graph.SLOW, graph.STOP):
                if action == graph.SLOW:
                    self._pause(
                        self._page(row), self.clock() + min(self.backoff * 4, self.max_backoff)
                    )
                self._retry(db, row, str(e), e.code, e.subcode)
                return False
            outbox.mark_failed(db, row["id"], str(e), e.code, e.subcode)
            comments.failed(db, row["id"], str(e))
            return True
        except requests.RequestException as e:
            if row["kind"] == outbox.COMMENT_REPLY:  # at most once: it may be up already
                outbox.mark_failed(db, row["id"], f"network (not retried): {e}")
                return True
            self._retry(db, row, f"network: {type(e).__name__}: {e}")
            return False
        now = self.clock()
        if row["kind"] == outbox.PRIVATE_REPLY:
            mid = data.get("message_id")
            outbox.mark_sent(db, row["id"], mid, now)
            text = (body.get("message") or {}).get("text")
            comments.private_sent(
                db, row["id"], _str(data.get("recipient_id")), mid, text, now, row["page_id"]
            )
        elif row["kind"] == outbox.COMMENT_REPLY:
            outbox.mark_sent(db, row["id"], _str(data.get("id")), now)
            comments.public_sent(db, row["id"], _str(data.get("id")), body.get("message"), now)
        else:
            outbox.mark_sent(db, row["id"], None, now)
        return True

    def _retry(self, db, row: dict, error: str, code=None, subcode=None) -> None:
        delay = min(self.backoff * 2 ** row["attempts"], self.max_backoff)
        delay *= random.uniform(0.8, 1.2)
        if row["attempts"] + 1 >= MAX_ATTEMPTS:
            log.error(
                "giving up on outbox row %s after %s tries: %s", row["id"], MAX_ATTEMPTS, error
            )
            outbox.mark_failed(db, row["id"], f"gave up: {error}", code, subcode)
            return
        outbox.mark_retry(db, row["id"], self.clock() + delay, error, code, subcode)

    def _failed(self, db, row: dict, e: graph.GraphError) -> bool:
        """Record a Graph error; True when the next reply to this customer may go now."""
        action = e.action
        log.warning("send of outbox row %s failed (%s): %s", row["id"], action, e)
        if action == graph.RETRY:
            self._retry(db, row, str(e), e.code, e.subcode)
            return False
        page = self._page(row)
        if action == graph.SLOW:
            self._pause(page, self.clock() + min(self.backoff * 4, self.max_backoff))
            self._retry(db, row, str(e), e.code, e.subcode)
            return False
        if action == graph.STOP:
            # A dead token fails every send: pause, keep the outbox, tell the operator.
            until = self.clock() + 60.0
            self._pause(page, until)
            if page:
                self._stopped[page] = f"stopped: Page {page}: {e}"
                log.error("sending for Page %s paused: %s. Renew its token (python app.py "
                          "page add %s --token …); the outbox is kept.", page, e, page)  # fmt: skip
            else:
                self._stopped[page] = f"stopped: {e}"
                log.error("sending paused: %s. Renew MESSENGER_PAGE_TOKEN; the outbox is kept.", e)
            outbox.mark_retry(db, row["id"], until, str(e), e.code, e.subcode)
            return False
        outbox.mark_failed(db, row["id"], str(e), e.code, e.subcode)
        if action == graph.WINDOW and row["conversation_id"]:
            conversations.mark_window_closed(db, row["conversation_id"])
        if action == graph.UNREACHABLE:
            outbox.fail_pending(db, row["psid"], f"customer unreachable: {e}", e.code)
            if row["conversation_id"]:
                conversations.mark_unreachable(db, row["conversation_id"])
        return True


def _str(value: object) -> str | None:
    return None if value is None else str(value)
