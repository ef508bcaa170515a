"""The Graph API client: Send API, Messenger profile, and sorting errors into what to do."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

log = logging.getLogger(__name__)

TIMEOUT = (3.05, 10)  # requests has no default timeout
PROFILE_FIELDS = "first_name,last_name,profile_pic"  # one unapproved field fails them all
PICTURE_TIMEOUT = (3.05, 5)  # a profile picture: connect, then each read
PICTURE_DEADLINE = 10.0  # seconds for the whole download, however slowly it trickles
PICTURE_REDIRECTS = 3  # Meta's platform-lookaside links answer with a redirect to the CDN

# What to do about a failed send (shared/messenger/README.md §5).
RETRY = "retry"  # transient: back off this row and try again
SLOW = "slow"  # rate limit: back off every send of the page
WINDOW = "window"  # outside the 24-hour window: drop, mark the window closed
UNREACHABLE = "unreachable"  # blocked the page or the account is gone: drop all to them
DROP = "drop"  # our request is wrong: drop this one, log for developers
STOP = "stop"  # token or page problem: stop sending, keep the outbox, alert the operator


@dataclass(eq=False)
class GraphError(Exception):
    code: int | None
    subcode: int | None
    message: str
    transient: bool = False
    http_status: int = 0

    def __str__(self) -> str:
        sub = f"/{self.subcode}" if self.subcode else ""
        return f"Graph error {self.code}{sub}: {self.message}"

    @property
    def action(self) -> str:
        return classify(self.code, self.subcode, self.transient, self.http_status)

    def action_for(self, kind: str) -> str:
        """What to do when an outbox row of ``kind`` failed (comment calls differ)."""
        if kind in COMMENT_KINDS:
            return classify_comment(self.code, self.subcode, kind, self.transient, self.http_status)
        return self.action


def classify(
    code: int | None, subcode: int | None, transient: bool = False, status: int = 0
) -> str:
    """The error table of shared/messenger/README.md §5, as one decision."""
    if code in (4, 17, 32, 341, 613, 80006):
        return SLOW
    if code == 190 or code == 368 or (code == 10 and subcode == 1893063):
        return STOP
    if code == 10 and subcode in (2018278, 2018065):
        return WINDOW
    if (code == 551) or (code == 200 and subcode == 1545041) or (code == 10 and subcode == 2018108):
        return UNREACHABLE
    if code == 1 and subcode == 1357046:
        return DROP  # partly sent; a blind retry could send twice
    if code in (1, 2, 1200) or transient:
        return RETRY
    if code is None:
        return RETRY if status >= 500 or status in (0, 429) else DROP
    if code == 10 or 200 <= code <= 299:
        return STOP  # a permission is missing or revoked: an operator must act
    return DROP


# Outbox kinds that are comment calls (store.outbox.COMMENT_KINDS, repeated: no import).
COMMENT_KINDS = ("private_reply", "comment_reply", "hide")
# Private replies Meta refuses for good (shared/messenger/MORE.md §2.4, §4.5): already
# replied (by us, another app or a person), can't reply (blocked, older than 7 days), not
# replyable, an invalid comment; 100 and 200 also mean "too old or gone" there.
COMMENT_REFUSED = (10900, 10902, 10903, 100, 200, 2534025)


def classify_comment(
    code: int | None, subcode: int | None, kind: str, transient: bool = False, status: int = 0
) -> str:
    """A failed private reply, public comment reply or hide. Never WINDOW, UNREACHABLE or a
    Page-wide STOP for a missing comment permission: Messenger replies must go on. A public
    reply is at most once (Meta does not deduplicate them): a doubtful one is not retried."""
    if code in (4, 17, 32, 341, 613, 80001, 80002, 80006):
        return SLOW
    if code == 190:
        return STOP  # the token is dead: nothing goes
    if code in COMMENT_REFUSED or (code is not None and 10 <= code <= 299):
        return DROP
    doubtful = code in (1, 2, 1200) or transient or (code is None and status >= 500)
    if doubtful or (code is None and status in (0, 429)):
        return DROP if kind == "comment_reply" else RETRY
    return DROP


class PictureRefused(ValueError):
    """A profile picture that is not kept: too large, not an image, or from a link that is
    not Meta's kind (``str``: why, without the link, whose query is signed)."""


# The first bytes of each picture type the workspace serves (the Content-Type alone is
# what the server claims; these say what the bytes are).
_MAGIC = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


def picture_type(data: bytes) -> str | None:
    """The image type the bytes are (JPEG, PNG, GIF or WebP), or None."""
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


class Clients:
    """One client per Page token, made on first use with ``connect(token)`` (several Pages:
    the sender's threads and the names worker each keep one). A token renewed many times
    over leaves old clients behind: past ``most`` they are closed and made afresh."""

    def __init__(self, connect: Callable[[str], Messenger], most: int = 256) -> None:
        self.connect = connect
        self.most = most
        self._by_token: dict[str, Messenger] = {}

    def get(self, token: str) -> Messenger:
        client = self._by_token.get(token)
        if client is None:
            if len(self._by_token) >= self.most:
                self.close()
            client = self._by_token[token] = self.connect(token)
        return client

    def close(self) -> None:
        for client in self._by_token.values():
            client.close()
        self._by_token.clear()


class Messenger:
    """One page's Graph API client; one instance (one Session) per sending thread."""

    def __init__(self, base_url: str, token: str, app_id: str | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.app_id = app_id
        self.session = requests.Session()
        # Read proxy settings once: with trust_env, requests scans the environment and
        # ~/.netrc on every call, a sixth of the sender's CPU (bench/webhook.py, py-spy).
        self.session.proxies = requests.utils.get_environ_proxies(self.base_url)
        self.session.trust_env = False
        self._templates: dict[str, requests.PreparedRequest] = {}
        # Retry only connection errors (nothing was sent yet). A read timeout or a 5xx may
        # mean the message went out: those are the outbox's to retry, never urllib3's.
        retry = Retry(total=3, connect=3, read=0, status=0, other=0, backoff_factor=0.2)
        adapter = HTTPAdapter(max_retries=retry, pool_connections=4, pool_maxsize=4)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)

    def _prepared(self, path: str) -> requests.PreparedRequest:
        # URL, token and headers prepared once per path; each send only adds its body.
        # Session.request() would merge cookies, auth and settings again on every call.
        cached = self._templates.get(path)
        if cached is None:
            cached = self.session.prepare_request(
                requests.Request(
                    "POST",
                    f"{self.base_url}/{path.lstrip('/')}",
                    params={"access_token": self.token},
                    headers={"Content-Type": "application/json"},
                )
            )
            self._templates[path] = cached
        return cached

    def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """POST JSON to the Graph API; raises GraphError or a requests exception."""
        request = self._prepared(path).copy()
        request.prepare_body(data=None, files=None, json=body)
        resp = self.session.send(request, timeout=TIMEOUT, allow_redirects=False)
        return self._data(resp)

    def post_once(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """POST to a path used once (a comment's own endpoint): nothing cached for it."""
        resp = self.session.post(
            f"{self.base_url}/{path.lstrip('/')}",
            params={"access_token": self.token},
            json=body,
            timeout=TIMEOUT,
            allow_redirects=False,
        )
        return self._data(resp)

    def subscribe(self, fields: str) -> dict[str, Any]:
        """Install the app on the Page for these webhook fields (``feed`` for comments)."""
        resp = self.session.post(
            f"{self.base_url}/me/subscribed_apps",
            params={"access_token": self.token, "subscribed_fields": fields},
            timeout=TIMEOUT,
            allow_redirects=False,
        )
        return self._data(resp)

    def _data(self, resp: requests.Response) -> dict[str, Any]:
        try:
            data = resp.json()
        except ValueError:
            data = {}
        if not isinstance(data, dict):
            data = {}
        if resp.status_code >= 400 or "error" in data:
            found = data.get("error")
            err: dict[str, Any] = found if isinstance(found, dict) else {}
            raise GraphError(
                code=err.get("code"),
                subcode=err.get("error_subcode"),
                message=str(err.get("message") or resp.text[:200] or resp.reason),
                transient=bool(err.get("is_transient")),
                http_status=resp.status_code,
            )
        return data

    def get(self, path: str, params: dict[str, str]) -> dict[str, Any]:
        """GET from the Graph API; raises GraphError or a requests exception."""
        resp = self.session.get(
            f"{self.base_url}/{path.lstrip('/')}",
            params={**params, "access_token": self.token},
            timeout=TIMEOUT,
            allow_redirects=False,
        )
        return self._data(resp)

    def profile(self, psid: str) -> dict[str, Any]:
        """The User Profile API: first_name, last_name, profile_pic (``{}`` when the app may
        not read them). Since 2026 only apps with Business Asset User Profile Access get an
        answer; others get GraphError 100/33, #3, 2018247 … (shared/messenger/MORE.md §6)."""
        return self.get(psid, {"fields": PROFILE_FIELDS})

    def participant_name(self, psid: str, page_id: str | None = None) -> str | None:
        """The customer's name from the Page's conversation with them (participants): what
        integrators read where the User Profile API is closed. No picture comes with it."""
        data = self.get(
            "me/conversations",
            {"platform": "messenger", "user_id": psid, "fields": "participants"},
        )
        for thread in data.get("data") or ():
            people = ((thread or {}).get("participants") or {}).get("data") or ()
            people = [p for p in people if isinstance(p, dict) and p.get("name")]
            found = next((p for p in people if str(p.get("id")) == psid), None)
            if found is None and page_id:
                found = next((p for p in people if str(p.get("id")) != page_id), None)
            if found is not None:
                return str(found["name"])
        return None

    def _picture_link(self, url: str) -> bool:
        """Only https links (Meta's CDN), or the Graph API's own address (a stand-in for
        it on this machine, as the tests run one): never plain http elsewhere."""
        try:
            parts = urlsplit(url)
            own = urlsplit(self.base_url)
        except ValueError:
            return False
        if not parts.hostname:
            return False
        if parts.scheme == "https":
            return True
        return (parts.scheme, parts.netloc) == (own.scheme, own.netloc)

    def download_picture(self, url: str, limit: int, types: Collection[str]) -> tuple[bytes, str]:
        """``(bytes, content type)`` of a customer's profile picture at ``url`` (the
        ``profile_pic`` link Meta gave), through this client's session without the token.
        PictureRefused when it is larger than ``limit`` bytes, its Content-Type is not one
        of ``types``, or its bytes are not such a picture; a requests exception when the
        download failed."""
        for _ in range(PICTURE_REDIRECTS + 1):
            if not self._picture_link(url):
                raise PictureRefused("not an https link")
            resp = self.session.get(
                url, timeout=PICTURE_TIMEOUT, allow_redirects=False, stream=True
            )
            try:
                if resp.is_redirect and resp.headers.get("Location"):
                    url = urljoin(url, resp.headers["Location"])
                    continue
                return self._picture_body(resp, limit, types)
            finally:
                resp.close()
        raise PictureRefused("too many redirects")

    @staticmethod
    def _picture_body(
        resp: requests.Response, limit: int, types: Collection[str]
    ) -> tuple[bytes, str]:
        if resp.status_code != 200:
            raise PictureRefused(f"HTTP {resp.status_code}")
        claimed = (resp.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if claimed not in types:
            raise PictureRefused(f"not a picture type: {claimed[:60] or 'none'}")
        length = resp.headers.get("Content-Length") or ""
        if length.isdigit() and int(length) > limit:
            raise PictureRefused(f"{int(length)} bytes, over {limit}")
        deadline = time.monotonic() + PICTURE_DEADLINE
        data = bytearray()
        for chunk in resp.iter_content(16384):
            data += chunk
            if len(data) > limit:
                raise PictureRefused(f"over {limit} bytes")
            if time.monotonic() > deadline:
                raise PictureRefused("too slow")
        kind = picture_type(bytes(data[:16]))
        if kind is None or kind not in types:
            raise PictureRefused("the bytes are not a picture")
        return bytes(data), kind

    def send(self, psid: str, body: dict[str, Any]) -> str | None:
        """Send one outbox body to a customer; returns Meta's message id."""
        data = self.post("me/messages", {"recipient": {"id": psid}, **body})
        return data.get("message_id")

    def set_profile(self, profile: dict[str, Any]) -> dict[str, Any]:
        return self.post("me/messenger_profile", profile)

    def close(self) -> None:
        self.session.close()
