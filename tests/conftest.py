"""Shared fixtures: a real SQLite file, a real loopback Graph API, signed webhook POSTs."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import os
import time
from pathlib import Path

import pytest

from tests.fake_graph import FakeGraph

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "messenger"  # copied from shared/
TEST_FLOWS = Path(__file__).resolve().parent / "flows" / "conversation.yaml"
SECRET = "fixture-app-secret-2b7e151628aed2a6"
VERIFY_TOKEN = "fixture-verify-token-7c1f"
PAGE_ID = "105511223344556"
APP_ID = "1122334455667788"
PAGE_TOKEN = "test-page-token"

_ENV = (
    "MESSENGER_VERIFY_TOKEN", "MESSENGER_APP_SECRET", "MESSENGER_PAGE_TOKEN", "MESSENGER_APP_ID",
    "GRAPH_API_URL", "BOT_DB", "BOT_FLOWS", "SECRET_KEY", "BOT_INSTANCE",
)  # fmt: skip


@pytest.fixture(autouse=True)
def _reset_environ(monkeypatch):
    """No test sees the developer's own Messenger settings."""
    for name in _ENV:
        monkeypatch.delenv(name, raising=False)


class Clock:
    """A clock the tests move by hand; no sleeping."""

    def __init__(self, start: float | None = None) -> None:
        self.now = start if start is not None else time.time()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock():
    return Clock()


# Where an app sends when its test did not ask for the fake Graph API: nothing listens on
# the discard port, so a send fails at once and is retried; nothing leaves the machine.
NO_GRAPH_URL = "http://127.0.0.1:9/v25.0"


@pytest.fixture
def graph():
    """The loopback Graph API; its server starts on the first look at ``graph.url``."""
    fake = FakeGraph(token=PAGE_TOKEN)
    yield fake
    fake.stop()


PG = os.environ.get("BARTA_TEST_DB", "sqlite") == "postgresql"


@pytest.fixture(scope="session")
def pg_databases():
    """With ``BARTA_TEST_DB=postgresql``: one throwaway server for the whole session."""
    if not PG:
        yield None
        return
    from tests.pgserver import Databases, PgServer

    server = PgServer()
    server.start()
    try:
        dbs = Databases(server)
        yield dbs
        dbs.admin.close()
    finally:
        server.stop()


@pytest.fixture
def bot_db(tmp_path, pg_databases):
    """The ``BOT_DB`` of this test: a SQLite file, or a fresh PostgreSQL database."""
    if pg_databases is None:
        yield str(tmp_path / "bot.db")
        return
    url = pg_databases.fresh()
    yield url
    pg_databases.drop(url)


@pytest.fixture
def make_app(tmp_path, request, bot_db):
    """Build an app over a fresh database file; ``flows`` may be YAML text or a path.

    Its replies go to the fake Graph API when the test asks for ``graph``; otherwise to
    ``NO_GRAPH_URL``, and no server is started.
    """
    apps = []
    # Set up before the apps (so torn down after them), but started only by graph.url.
    graph = request.getfixturevalue("graph") if "graph" in request.fixturenames else None

    def graph_url() -> str:
        return NO_GRAPH_URL if graph is None else graph.url

    def make(
        flows: str | Path | None = None, *, online: bool = True, start: bool = False, **config
    ):
        if flows is None:
            flows_path = TEST_FLOWS
        elif isinstance(flows, Path) or (isinstance(flows, str) and "\n" not in flows):
            flows_path = Path(flows)
        else:
            flows_path = tmp_path / f"flows{len(apps)}.yaml"
            flows_path.write_text(flows, encoding="utf-8")
        from bot.app import create_app

        values = {
            "TESTING": True,
            "BOT_DB": bot_db,
            "BOT_INSTANCE": str(tmp_path),  # secrets, drafts, history: with the test's files
            "BOT_FLOWS": str(flows_path),
            "MESSENGER_APP_SECRET": SECRET,
            "MESSENGER_VERIFY_TOKEN": VERIFY_TOKEN,
            "MESSENGER_APP_ID": APP_ID,
            "MESSENGER_PAGE_TOKEN": PAGE_TOKEN if online else None,
            "GRAPH_API_URL": graph_url(),
            "SECRET_KEY": "test-secret",
            "SENDER_BACKOFF": 0.05,
            "WTF_CSRF_ENABLED": False,
        }
        values.update(config)
        app = create_app(values)
        if start:
            app.extensions["barta"].start()
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.extensions["barta"].shutdown()


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def sign(raw: bytes, secret: str = SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()


def post_webhook(client, body: dict | bytes, *, secret: str = SECRET, headers: dict | None = None):
    """POST a body to /webhook, signed over its exact bytes (Meta's \\u-escaped JSON)."""
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    h = {"Content-Type": "application/json", "X-Hub-Signature-256": sign(raw, secret)}
    h.update(headers or {})
    return client.post("/webhook", data=raw, headers=h)


_mids = itertools.count(1)


def envelope(*events: dict) -> dict:
    return {
        "object": "page",
        "entry": [{"id": PAGE_ID, "time": int(time.time() * 1000), "messaging": list(events)}],
    }


def text_event(psid: str, text: str, *, payload: str | None = None, mid: str | None = None) -> dict:
    """One customer text message (a quick-reply tap when ``payload`` is given)."""
    message: dict = {"mid": mid or f"m_test_{next(_mids)}", "text": text}
    if payload is not None:
        message["quick_reply"] = {"payload": payload}
    return {
        "sender": {"id": psid},
        "recipient": {"id": PAGE_ID},
        "timestamp": int(time.time() * 1000) + next(_mids),
        "message": message,
    }


def postback_event(psid: str, payload: str, title: str = "", referral: dict | None = None) -> dict:
    postback: dict = {"mid": f"m_test_{next(_mids)}", "payload": payload, "title": title or payload}
    if referral:
        postback["referral"] = referral
    return {
        "sender": {"id": psid},
        "recipient": {"id": PAGE_ID},
        "timestamp": int(time.time() * 1000) + next(_mids),
        "postback": postback,
    }


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / "webhook" / name).read_bytes()


class Customer:
    """Plays one customer through the real webhook and the engine, synchronously."""

    def __init__(self, app, psid: str) -> None:
        self.app = app
        self.client = app.test_client()
        self.psid = psid
        self.runtime = app.extensions["barta"]
        self._seen = 0

    def _post(self, event: dict) -> list[str]:
        resp = post_webhook(self.client, envelope(event))
        assert resp.status_code == 200, resp.data
        self.runtime.drain()
        return self.replies()

    def says(self, text: str) -> list[str]:
        return self._post(text_event(self.psid, text))

    def taps(self, payload: str, title: str = "") -> list[str]:
        return self._post(text_event(self.psid, title or payload, payload=payload))

    def postback(self, payload: str, **kw) -> list[str]:
        return self._post(postback_event(self.psid, payload, **kw))

    def outbox(self) -> list[dict]:
        db = self.runtime.db()
        rows = db.execute(
            "SELECT body FROM outbox WHERE psid = ? ORDER BY id", (self.psid,)
        ).fetchall()
        return [json.loads(r[0]) for r in rows]

    def replies(self) -> list[str]:
        """Texts of the replies queued since the last call."""
        bodies = self.outbox()
        new, self._seen = bodies[self._seen :], len(bodies)
        out = []
        for b in new:
            msg = b.get("message", {})
            if "text" in msg:
                out.append(msg["text"])
            elif msg.get("attachment", {}).get("type") == "template":
                p = msg["attachment"]["payload"]
                out.append(p.get("text") or f"[{p['template_type']}]")
            else:
                out.append(f"[{msg.get('attachment', {}).get('type')}]")
        return out

    def quick_replies(self) -> list[str]:
        bodies = self.outbox()
        for b in reversed(bodies):
            q = b.get("message", {}).get("quick_replies")
            if q:
                return [x.get("title") or x["content_type"] for x in q]
        return []

    def conversation(self) -> dict:
        from store import conversations

        return conversations.by_psid(self.runtime.db(), self.psid)


@pytest.fixture
def customer(app):
    def make(psid: str = "7012345678901234", target_app=None) -> Customer:
        return Customer(target_app or app, psid)

    return make


os.environ.setdefault("PYTHONHASHSEED", "0")
