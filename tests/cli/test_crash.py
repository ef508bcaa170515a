"""Nothing is lost: the Graph API down, the server SIGKILLed after its 200s, both
restarted — every reply still arrives, once."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.conftest import PAGE_TOKEN, ROOT, SECRET, TEST_FLOWS, envelope, sign, text_event
from tests.fake_graph import FakeGraph

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, env: dict, log: Path) -> subprocess.Popen:
    with log.open("ab") as out:  # the child keeps its own copy of the descriptor
        proc = subprocess.Popen(
            [sys.executable, "app.py", "serve", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    deadline = time.time() + 20
    while time.time() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=0.5).ok:
                return proc
        except requests.ConnectionError:
            time.sleep(0.1)
    proc.kill()
    raise AssertionError(f"server did not start:\n{log.read_text(errors='replace')}")


def _until(condition, seconds: float = 30.0) -> bool:
    """Wait for the server process to reach a state (checked often; as long as it takes)."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def _count(path: Path, sql: str) -> int:
    import sqlite3

    with sqlite3.connect(path) as db:
        return db.execute(sql).fetchone()[0]


@pytest.mark.parametrize("when", ["at_once", "after_the_engine_replied"])
def test_sigkill_after_200_with_graph_down_loses_nothing(tmp_path, when):
    graph_port, port = free_port(), free_port()
    env = dict(
        os.environ,
        BOT_DB=str(tmp_path / "bot.db"),
        BOT_FLOWS=str(TEST_FLOWS),
        MESSENGER_APP_SECRET=SECRET,
        MESSENGER_PAGE_TOKEN=PAGE_TOKEN,
        MESSENGER_VERIFY_TOKEN="v",
        GRAPH_API_URL=f"http://127.0.0.1:{graph_port}/v25.0",  # nothing listens yet
        SECRET_KEY="crash-test",
    )
    log = tmp_path / "server.log"
    server = start_server(port, env, log)
    psids = [f"70{i:014d}" for i in range(5)]
    try:
        for psid in psids:
            raw = __import__("json").dumps(envelope(text_event(psid, "দাম কত?"))).encode()
            resp = requests.post(
                f"http://127.0.0.1:{port}/webhook",
                data=raw,
                headers={"X-Hub-Signature-256": sign(raw), "Content-Type": "application/json"},
                timeout=5,
            )
            assert resp.status_code == 200
        if when == "after_the_engine_replied":  # replies written, none sent (Meta is down)
            assert _until(
                lambda: (
                    _count(tmp_path / "bot.db", "SELECT count(DISTINCT psid) FROM outbox")
                    == len(psids)
                )
            ), log.read_text(errors="replace")
    finally:
        server.send_signal(signal.SIGKILL)
        server.wait(10)

    # What the killed process left: every event stored; nothing could be sent.
    import sqlite3

    with sqlite3.connect(tmp_path / "bot.db") as db:
        assert db.execute("SELECT count(*) FROM inbox").fetchone()[0] == len(psids)
        sent = db.execute("SELECT count(*) FROM outbox WHERE status = 'sent'").fetchone()[0]
        assert sent == 0
    graph = FakeGraph(port=graph_port, token=PAGE_TOKEN).start()
    server = start_server(port, env, log)
    try:
        # each customer's first message gets one reply: welcome, the price, the question
        assert graph.wait_for(lambda: all(graph.texts(p) for p in psids), timeout=30), (
            graph.requests,
            log.read_text(errors="replace"),
        )
        # Once no reply is left pending, nothing more can be sent: then count what came.
        assert _until(
            lambda: (
                _count(tmp_path / "bot.db", "SELECT count(*) FROM outbox WHERE status != 'sent'")
                == 0
            )
        ), log.read_text(errors="replace")
        server.send_signal(signal.SIGTERM)
        server.wait(10)
        for psid in psids:
            assert graph.texts(psid) == [
                "আসসালামু আলাইকুম! টেস্ট শপ-এ স্বাগতম।\n\nশাড়ির দাম ১,৫০০ থেকে ৮,০০০ টাকা।\n\nকোন পণ্যটি খুঁজছেন?"
            ]
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
        graph.stop()
