"""A real HTTP server on 127.0.0.1 standing in for the Graph API.

It answers the Send API and the Messenger profile API, records every request, and can be
told to fail the next sends with any fixture from shared/messenger/fixtures/send_api. GETs
answer the User Profile API (``GET /<PSID>?fields=…``) and the Page's conversations
(``GET /me/conversations?user_id=<PSID>&fields=participants``) from ``profiles`` and
``participants``, recorded apart in ``lookups``; by default the profile API refuses (100/33,
as for apps without Business Asset User Profile Access since 2026) and no thread is found.
The server starts on the first look at ``url`` (or ``port``): a test that never sends
never starts it.

Several Pages: ``accept(token)`` makes another Page's token valid (each request records the
token it came with: ``sent_with``), and ``fail_token`` answers one token's next sends with a
fixture (a rate limit of one Page while the others go on).

Profile pictures: a profile answer's ``profile_pic`` is rewritten to this server
(``/lookaside/<PSID>``, which redirects to ``/pictures/<PSID>`` as Meta's platform-lookaside
links redirect to the CDN), so no test reaches Meta; ``/pictures/<PSID>`` serves a small
PNG, or what ``picture_is`` says (too large, not an image, a failure). The picture GETs are
recorded in ``picture_gets``.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "messenger"


def fixture(name: str) -> dict:
    """A Send API response fixture: {"http_status": N, "body": {...}}."""
    return json.loads((FIXTURES / "send_api" / "responses" / f"{name}.json").read_text("utf-8"))


COMMENTER_PSID = "7012345678901234"  # the PSID of private_reply_success_response.json


def more_fixture(name: str) -> dict:
    """A response of fixtures/messenger/more/: {"http_status": N, "body": {...}}."""
    return json.loads((FIXTURES / "more" / f"{name}.json").read_text("utf-8"))


# The smallest PNG: one transparent pixel.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000b49444154789c6360000200000500017a5eab3f0000000049454e44ae426082"
)


def profile_case(name: str) -> dict:
    """A response of more/user_profile_responses.json: {"http_status": N, "body": {...}}."""
    data = json.loads((FIXTURES / "more" / "user_profile_responses.json").read_text("utf-8"))
    case = next(c for c in data["cases"] if c["name"] == name)
    return json.loads(json.dumps(case["response"]))


class FakeGraph:
    def __init__(self, port: int = 0, token: str = "test-page-token", delay: float = 0.0) -> None:
        self.token = token
        self.tokens: set[str] = {token}  # every Page token the fake accepts
        self.per_token: dict[str, deque[dict]] = {}  # token -> next responses to its sends
        self.delay = delay
        self.requests: list[dict] = []
        self.script: deque[dict] = deque()  # responses for the next sends, in order
        self.per_psid: dict[str, deque[dict]] = {}
        self.arrivals: dict[str, list[float]] = {}  # accepted messages per customer, by time
        self.profiles: dict[str, dict] = {}  # psid -> {"http_status", "body"} of GET /<psid>
        self.participants: dict[str, dict] = {}  # psid -> response of GET /me/conversations
        self.lookups: list[dict] = []  # the GETs, apart from the sends in ``requests``
        self.lookup_delay = 0.0  # seconds each GET takes (a slow profile API)
        self.lock = threading.RLock()  # predicates of wait_for read under it
        self.changed = threading.Condition(self.lock)
        self._ids = itertools.count(1)
        # private replies (recipient.comment_id): comment id -> the commenter's PSID Meta
        # answers with; a second private reply to one comment is refused with 10900
        self.commenters: dict[str, str] = {}
        self.private_replied: set[str] = set()
        self.comment_script: dict[str, deque[dict]] = {}  # comment id -> next responses
        # psid -> {"status", "type", "data", "length"} of GET /pictures/<psid> (else PNG)
        self.pictures: dict[str, dict] = {}
        self.picture_gets: list[dict] = []  # path, and the query and headers it came with
        self._port = port
        self.server: ThreadingHTTPServer | None = None
        self._starting = threading.Lock()

    @property
    def started(self) -> bool:
        return self.server is not None

    @property
    def port(self) -> int:
        with self._starting:
            if self.server is None:
                self._start(self._port)
            assert self.server is not None
            return self.server.server_address[1]

    def start(self) -> FakeGraph:
        """Start listening now (a test that sends from another process needs this)."""
        assert self.port
        return self

    def _start(self, port: int) -> None:
        graph = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # else 44 ms per keep-alive request (LIBRARIES §5)

            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                url = urlsplit(self.path)
                if url.path.startswith(("/pictures/", "/lookaside/")):
                    self._picture(url.path, parse_qs(url.query))
                    return
                status, body = graph._lookup(url.path, parse_qs(url.query))
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                url = urlsplit(self.path)
                status, body = graph._answer(url.path, parse_qs(url.query), raw)
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _picture(self, path: str, query: dict) -> None:
                psid = path.rsplit("/", 1)[-1]
                with graph.lock:
                    graph.picture_gets.append(
                        {"path": path, "query": query, "headers": dict(self.headers)}
                    )
                    answer = graph.pictures.get(psid) or {}
                    graph.changed.notify_all()
                if path.startswith("/lookaside/"):
                    self.send_response(302)
                    self.send_header("Location", answer.get("location") or f"/pictures/{psid}")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                data = answer.get("data", PNG)
                self.send_response(answer.get("status", 200))
                self.send_header("Content-Type", answer.get("type", "image/png"))
                if answer.get("length", True):
                    self.send_header("Content-Length", str(len(data)))
                else:  # no length: the body ends when the connection closes
                    self.send_header("Connection", "close")
                    self.close_connection = True
                self.end_headers()
                self.wfile.write(data)

        server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        server.daemon_threads = True
        # A short poll: shutdown() waits for the loop to look, 0.5 s by default per test.
        self.thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )
        self.thread.start()
        self.server = server

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v25.0"

    def _answer(self, path: str, query: dict, raw: bytes) -> tuple[int, dict]:
        if self.delay:
            time.sleep(self.delay)
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            return 400, {"error": {"code": 100, "message": "bad json"}}
        token = (query.get("access_token") or [""])[0]
        psid = (body.get("recipient") or {}).get("id")
        comment_id = (body.get("recipient") or {}).get("comment_id")
        parts = [p for p in path.split("/") if p]
        with self.lock:
            record = {"path": path, "token": token, "body": body, "psid": psid, "at": time.time()}
            if comment_id is not None:
                record["comment_id"] = comment_id
            target = comment_id or (parts[-2] if len(parts) >= 2 else None)
            if token not in self.tokens:
                response = fixture("error_token_invalid_190")
            elif self.per_token.get(token):
                response = self.per_token[token].popleft()
            elif target in self.comment_script and self.comment_script[target]:
                response = self.comment_script[target].popleft()
            elif comment_id is not None:  # a private reply
                if comment_id in self.private_replied:
                    response = more_fixture("private_reply_error_already_replied_10900")
                else:
                    self.private_replied.add(comment_id)
                    response = {
                        "http_status": 200,
                        "body": {
                            "recipient_id": self.commenters.get(comment_id, COMMENTER_PSID),
                            "message_id": f"m_fake_{next(self._ids)}",
                        },
                    }
            elif parts[-1:] in (["comments"], ["replies"]):  # a public reply
                response = {"http_status": 200, "body": {"id": f"{parts[-2]}_r{next(self._ids)}"}}
            elif parts[-1:] == ["subscribed_apps"]:
                response = {"http_status": 200, "body": {"success": True}}
            elif "is_hidden" in body or "hide" in body:  # hide / unhide a comment
                response = {"http_status": 200, "body": {"success": True}}
            elif psid in self.per_psid and self.per_psid[psid]:
                response = self.per_psid[psid].popleft()
            elif self.script and path.endswith("/messages"):
                response = self.script.popleft()
            elif path.endswith("/messenger_profile"):
                response = {"http_status": 200, "body": {"result": "success"}}
            elif "sender_action" in body:
                response = {"http_status": 200, "body": {"recipient_id": psid}}
            else:
                response = {
                    "http_status": 200,
                    "body": {"recipient_id": psid, "message_id": f"m_fake_{next(self._ids)}"},
                }
            record["status"] = response["http_status"]
            self.requests.append(record)
            if record["status"] == 200 and "message" in body:
                self.arrivals.setdefault(psid, []).append(record["at"])
            self.changed.notify_all()
        return response["http_status"], response["body"]

    def _lookup(self, path: str, query: dict) -> tuple[int, dict]:
        if self.delay or self.lookup_delay:
            time.sleep(self.delay or self.lookup_delay)
        token = (query.get("access_token") or [""])[0]
        q = {k: v[0] for k, v in query.items() if k != "access_token"}
        parts = [p for p in path.split("/") if p]
        with self.lock:
            record = {"path": path, "token": token, "query": q, "at": time.time()}
            if token not in self.tokens:
                response = fixture("error_token_invalid_190")
            elif parts[-1:] == ["conversations"] and "user_id" in q:
                psid = q["user_id"]
                response = self.participants.get(psid) or {"http_status": 200, "body": {"data": []}}
            elif len(parts) == 2 and parts[1].isdigit() and "fields" in q:
                response = self.profiles.get(parts[1]) or profile_case("feature_missing_100_33")
                if isinstance(response["body"].get("profile_pic"), str):  # here, not Meta
                    pic = f"http://127.0.0.1:{self.port}/lookaside/{parts[1]}"
                    response = {**response, "body": {**response["body"], "profile_pic": pic}}
            else:
                response = {"http_status": 400, "body": {"error": {"code": 100, "message": "?"}}}
            record["status"] = response["http_status"]
            self.lookups.append(record)
            self.changed.notify_all()
        return response["http_status"], response["body"]

    def profile_is(self, psid: str, case: str) -> None:
        """GET /<psid> answers with case ``case`` of user_profile_responses.json."""
        with self.lock:
            self.profiles[psid] = profile_case(case)

    def picture_is(
        self,
        psid: str,
        data: bytes = PNG,
        content_type: str = "image/png",
        *,
        status: int = 200,
        length: bool = True,
        location: str | None = None,
    ) -> None:
        """GET /pictures/<psid> answers ``status`` with ``data`` as ``content_type``
        (``length`` False: no Content-Length); ``location``: /lookaside/<psid> redirects
        there instead of to /pictures/<psid>."""
        with self.lock:
            self.pictures[psid] = {
                "data": data, "type": content_type, "status": status, "length": length,
                "location": location,
            }  # fmt: skip

    def participant_is(self, psid: str, name: str | None, status: int = 200) -> None:
        """GET /me/conversations?user_id=<psid> finds a thread with ``name`` and the Page
        (the shape of the fixture's fallback case), or answers ``status`` with an error."""
        with self.lock:
            if status != 200:
                body = {"error": {"code": 10, "message": "(#10) Permission denied"}}
                self.participants[psid] = {"http_status": status, "body": body}
                return
            case = profile_case("fallback_conversations_participants")
            people = case["body"]["data"][0]["participants"]["data"]
            people = [{**people[0], "id": psid, "name": name}, people[1]] if name else [people[1]]
            body = {"data": [{"participants": {"data": people}, "id": "t_1"}]}
            self.participants[psid] = {"http_status": 200, "body": body}

    def accept(self, *tokens: str) -> None:
        """Another Page's token is valid too."""
        with self.lock:
            self.tokens.update(tokens)

    def fail_token(self, token: str, name: str, times: int = 1) -> None:
        """Answer the next ``times`` calls made with ``token`` with fixture ``name``."""
        with self.lock:
            self.per_token.setdefault(token, deque()).extend(fixture(name) for _ in range(times))

    def sent_with(self, psid: str | None = None) -> list[tuple[str, str]]:
        """``(token, text)`` of each message Meta accepted (to ``psid``, or to anyone)."""
        with self.lock:
            return [
                (r["token"], r["body"]["message"].get("text") or "")
                for r in self.requests
                if r["status"] == 200 and "message" in r["body"] and "comment_id" not in r
                and r["path"].endswith("/messages") and (psid is None or r["psid"] == psid)
            ]  # fmt: skip

    def fail_next(self, name: str, times: int = 1, psid: str | None = None) -> None:
        """Answer the next ``times`` sends (to ``psid``, or to anyone) with fixture ``name``."""
        with self.lock:
            target = self.per_psid.setdefault(psid, deque()) if psid else self.script
            target.extend(fixture(name) for _ in range(times))

    def delivered(self, psid: str | None = None) -> list[dict]:
        """Message bodies Meta accepted (HTTP 200), in the order they arrived (not the
        private replies nor the public comment replies)."""
        with self.lock:
            return [
                r["body"] for r in self.requests
                if r["status"] == 200 and "message" in r["body"] and "comment_id" not in r
                and r["path"].endswith("/messages") and (psid is None or r["psid"] == psid)
            ]  # fmt: skip

    def private_replies(self, comment_id: str | None = None) -> list[dict]:
        """Every private reply asked for (``recipient.comment_id``), accepted or not."""
        with self.lock:
            return [
                r for r in self.requests
                if "comment_id" in r and (comment_id is None or r["comment_id"] == comment_id)
            ]  # fmt: skip

    def comment_calls(self, last: str) -> list[dict]:
        """Requests to a comment's endpoint: ``comments`` / ``replies`` (public replies) or
        ``hide`` (POST /<comment id> with is_hidden / hide)."""
        with self.lock:
            out = []
            for r in self.requests:
                parts = [p for p in r["path"].split("/") if p]
                if last == "hide" and ("is_hidden" in r["body"] or "hide" in r["body"]):
                    out.append(r)
                elif parts[-1:] == [last]:
                    out.append(r)
            return out

    def refuse_comment(self, comment_id: str, response: dict, times: int = 1) -> None:
        """Answer the next calls about ``comment_id`` with ``response``."""
        with self.lock:
            self.comment_script.setdefault(comment_id, deque()).extend([response] * times)

    def texts(self, psid: str | None = None) -> list[str]:
        out = []
        for b in self.delivered(psid):
            msg = b["message"]
            out.append(msg.get("text") or json.dumps(msg.get("attachment"), ensure_ascii=False))
        return out

    def wait_for(self, predicate, timeout: float = 10.0) -> bool:
        """Wait until ``predicate()`` holds, checked after each request; False on timeout.

        The predicate should read this fake's own record (``texts``, ``requests`` …).
        """
        with self.changed:
            return self.changed.wait_for(predicate, timeout)

    def stop(self) -> None:
        with self._starting:
            if self.server is not None:
                self.server.shutdown()
                self.server.server_close()
