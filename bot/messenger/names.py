"""The customers' names and pictures, looked up in the background.

The engine never calls the network: when a customer's name is due (first contact, or a day
since the last look-up and they wrote again) it wakes this worker through the runtime, as it
wakes the sender, and the reply goes out without waiting. The User Profile API answers only
apps with Business Asset User Profile Access since 2026; where it refuses (100/33, #3,
2018247, 2018218, an empty object) the name comes from the Page's conversation with the
customer (participants), as integrators do (shared/messenger/MORE.md §6). A failure is
recorded on the conversation and tried again no sooner than a day later.

Meta's picture links expire within days: the worker downloads the picture (https only,
at most store.pictures.LIMIT bytes, a JPEG, PNG, WebP or GIF) through the Page's client and
keeps the bytes in the database (store.pictures), again at each look-up. A picture that
is refused or fails is not kept (an older one stays), said once in the log.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import requests

from bot.messenger.graph import SLOW, Clients, GraphError, Messenger, PictureRefused
from store import conversations, pictures
from store.db import connect, write_tx

log = logging.getLogger(__name__)

CLOSED_FOR = 86400.0  # after the profile API refused the app itself: ask participants a day
PARTICIPANTS_GAP = 0.5  # the Conversations API allows 2 calls a second per Page
IDLE = 300.0  # look for due names this often even when nobody wakes the worker


def _refused_for_the_app(e: GraphError) -> bool:
    """The app lacks the feature (not this one customer): skip the profile API a while."""
    return (e.code == 100 and e.subcode == 33) or e.code == 3 or (e.code == 10)


def _name(profile: dict[str, Any]) -> str | None:
    parts = [str(profile.get(k) or "").strip() for k in ("first_name", "last_name")]
    full = " ".join(p for p in parts if p)
    return full or (str(profile.get("name") or "").strip() or None)


def _picture(profile: dict[str, Any]) -> str | None:
    pic = profile.get("profile_pic")
    return pic if isinstance(pic, str) and pic.startswith(("https://", "http://")) else None


class Names:
    """One thread that looks up the names of customers who need one."""

    def __init__(
        self,
        db_path: str,
        factory: Callable[[], Messenger],
        *,
        wake: threading.Event,
        clock: Callable[[], float] = time.time,
        page_id: str | None = None,
        gap: float = PARTICIPANTS_GAP,
        tokens: Callable[[str], str | None] | None = None,
        connect: Callable[[str], Messenger] | None = None,
    ) -> None:
        self.db_path = db_path
        self.factory = factory
        # Several Pages (bot.pages): each customer is looked up with their conversation's
        # Page token (``tokens``; None: that Page is offline), a client per token.
        self.tokens = tokens if connect is not None else None
        self.connect = connect
        self._clients = Clients(connect) if connect is not None else None
        self.wake = wake
        self.clock = clock
        self.page_id = page_id
        self.gap = gap
        self.profile_closed_until = 0.0
        self._client: Messenger | None = None

    def kick(self) -> None:
        self.wake.set()

    def run(self, stop: threading.Event) -> None:
        db = connect(self.db_path)
        while not stop.is_set():
            self.wake.clear()
            try:
                self.work(db, stop)
            except Exception:
                log.exception("looking up names failed; trying again later")
            self.wake.wait(IDLE)
        if self._client is not None:
            self._client.close()
        if self._clients is not None:
            self._clients.close()

    def work(self, db, stop: threading.Event | None = None) -> int:
        """Look up every due name now; how many were looked up."""
        n = 0
        while stop is None or not stop.is_set():
            due = conversations.names_due(db, self.clock())
            if not due:
                break
            for cid, psid in due:
                self.look_up(db, cid, psid)
                n += 1
        return n

    def look_up(self, db, conversation_id: int, psid: str) -> None:
        """One customer's name and picture, kept on the conversation (or why not)."""
        client: Messenger | None
        if self.tokens is None:
            client = self._client = self._client or self.factory()
            name, picture, source, error = self.fetch(psid, client)
        else:
            page_id = conversations.page_of(db, conversation_id)
            client = self._page_client(page_id)
            if client is None:
                name, picture, source = None, None, "profile"
                error = "offline: the Page has no token"
            else:
                name, picture, source, error = self.fetch(psid, client, page_id or self.page_id)
        kept = self.download(client, conversation_id, picture) if client and picture else None
        with write_tx(db):
            now = self.clock()
            # Meta's link itself is no longer kept: it expires; the bytes are (or nothing)
            conversations.set_name(db, conversation_id, name, now, source=source, error=error)
            if kept is not None:
                pictures.keep(db, conversation_id, kept[0], kept[1], now)

    @staticmethod
    def download(client: Messenger, conversation_id: int, url: str) -> tuple[bytes, str] | None:
        """The picture's ``(bytes, content type)``, or None (refused or failed: logged)."""
        try:
            return client.download_picture(url, pictures.LIMIT, pictures.TYPES)
        except PictureRefused as e:
            log.warning("conversation %s: profile picture not kept: %s", conversation_id, e)
        except requests.RequestException as e:
            log.warning(
                "conversation %s: profile picture not downloaded: %s",
                conversation_id,
                type(e).__name__,
            )
        return None

    def _page_client(self, page_id: str) -> Messenger | None:
        assert self.tokens is not None and self._clients is not None
        token = self.tokens(page_id)
        return self._clients.get(token) if token else None

    def fetch(
        self, psid: str, client: Messenger | None = None, page_id: str | None = None
    ) -> tuple[str | None, str | None, str, str | None]:
        """``(name, picture, source, error)``: the profile API where it answers, else the
        conversation's participants; ``error`` when neither gave a name. ``client``: the
        Page's (default: ``factory``'s); ``page_id``: the Page, left out of participants."""
        if client is None:
            client = self._client = self._client or self.factory()
        page_id = page_id or self.page_id
        errors: list[str] = []
        if self.clock() >= self.profile_closed_until:
            try:
                profile = client.profile(psid)
                name = _name(profile)
                if name:
                    return name, _picture(profile), "profile", None
                errors.append("profile: no fields (no access)")
            except GraphError as e:
                errors.append(f"profile: {e}")
                if e.action == SLOW:
                    return None, None, "profile", "; ".join(errors)
                if _refused_for_the_app(e):
                    self.profile_closed_until = self.clock() + CLOSED_FOR
            except requests.RequestException as e:
                return None, None, "profile", f"profile: {type(e).__name__}"
        try:
            name = client.participant_name(psid, page_id)
            if self.gap:
                time.sleep(self.gap)
            if name:
                return name, None, "participants", None
            errors.append("participants: not found")
        except GraphError as e:
            errors.append(f"participants: {e}")
        except requests.RequestException as e:
            errors.append(f"participants: {type(e).__name__}")
        return None, None, "participants", "; ".join(errors)[:500]
