"""Three servers on one PostgreSQL, one SIGKILLed in the middle: every customer's messages
are answered exactly once, in order.

300 customers write two messages each, to the three servers in turn (as a load balancer
would); the test posts from a few threads, one customer's messages one after the other. A
POST to the killed server goes to the next one (the mid makes a repeat harmless).
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.cli.test_crash import free_port, start_server
from tests.conftest import PAGE_TOKEN, SECRET, TEST_FLOWS, envelope, sign, text_event
from tests.fake_graph import FakeGraph

pytestmark = pytest.mark.slow

CUSTOMERS = 300
SERVERS = 3
MESSAGES = ("দাম কত?", "শাড়ি")


@pytest.fixture(scope="module")
def pg_url():
    pytest.importorskip("psycopg")
    from tests.pgserver import PgServer

    server = PgServer()
    server.start()
    import psycopg

    with psycopg.connect(server.url("postgres"), autocommit=True) as admin:
        admin.execute("CREATE DATABASE multi")
    try:
        yield server.url("multi")
    finally:
        from store.dialect import close_pools

        close_pools()
        server.stop()


def _count(url: str, sql: str) -> int:
    import psycopg

    with psycopg.connect(url) as conn:
        row = conn.execute(sql).fetchone()
        assert row is not None
        return int(row[0])


def test_three_servers_one_killed_answer_every_message_once_in_order(tmp_path, pg_url):
    graph = FakeGraph(token=PAGE_TOKEN).start()
    env = dict(
        os.environ,
        BOT_DB=pg_url,
        BOT_FLOWS=str(TEST_FLOWS),
        MESSENGER_APP_SECRET=SECRET,
        MESSENGER_PAGE_TOKEN=PAGE_TOKEN,
        MESSENGER_VERIFY_TOKEN="v",
        GRAPH_API_URL=graph.url,
        SECRET_KEY="multi-test",
    )
    ports = [free_port() for _ in range(SERVERS)]
    logs = [tmp_path / f"server{i}.log" for i in range(SERVERS)]
    servers = [start_server(p, env, log) for p, log in zip(ports, logs, strict=True)]
    alive = [True] * SERVERS
    victim = 1
    posted = [0] * CUSTOMERS  # one slot per customer: summed while the threads write
    psids = [f"71{i:014d}" for i in range(CUSTOMERS)]

    def post(n: int, raw: bytes) -> None:
        for turn in range(SERVERS * 2):
            i = (n + turn) % SERVERS
            if not alive[i]:
                continue
            try:
                resp = requests.post(
                    f"http://127.0.0.1:{ports[i]}/webhook",
                    data=raw,
                    headers={"X-Hub-Signature-256": sign(raw), "Content-Type": "application/json"},
                    timeout=10,
                )
            except requests.ConnectionError:
                continue  # the killed one: the load balancer tries the next server
            if resp.status_code == 200:
                return
        raise AssertionError("no server took the message")

    def customer(c: int) -> None:
        for k, text in enumerate(MESSAGES):
            ev = text_event(psids[c], text, mid=f"m_multi_{c}_{k}")
            post(c + k, json.dumps(envelope(ev)).encode())
            posted[c] += 1

    stop_echoes = threading.Event()

    def echoes() -> None:
        """Meta's echo of every message the page sent, as the webhook gets them: a send the
        killed server made but could not record is settled by it, not sent again."""
        done = 0
        while not stop_echoes.wait(0.2):
            sent = graph.delivered()[done:]
            for start in range(0, len(sent), 50):
                batch = [
                    {
                        "sender": {"id": "105511223344556"},
                        "recipient": {"id": b["recipient"]["id"]},
                        "timestamp": int(time.time() * 1000),
                        "message": {
                            "mid": f"m_echo_{done + start + j}",
                            "is_echo": True,
                            "metadata": b["message"].get("metadata"),
                            "text": b["message"].get("text"),
                        },
                    }
                    for j, b in enumerate(sent[start : start + 50])
                ]
                post(done + start, json.dumps(envelope(*batch)).encode())
            done += len(sent)

    echo_thread = threading.Thread(target=echoes, daemon=True)
    echo_thread.start()

    def logs_text() -> str:
        return "\n".join(log.read_text(errors="replace")[-3000:] for log in logs)

    try:
        with ThreadPoolExecutor(12) as pool:
            futures = [pool.submit(customer, c) for c in range(CUSTOMERS)]
            # SIGKILL one server in the middle: events stored, replies half-sent
            while sum(posted) < CUSTOMERS * len(MESSAGES) // 2:
                time.sleep(0.01)
            servers[victim].send_signal(signal.SIGKILL)
            alive[victim] = False
            servers[victim].wait(10)
            for f in futures:
                f.result()

        def settled() -> bool:
            pending = _count(
                pg_url,
                "SELECT (SELECT count(*) FROM inbox WHERE status = 'pending') + "
                "(SELECT count(*) FROM outbox WHERE status = 'pending')",
            )
            return pending == 0 and all(len(graph.texts(p)) >= len(MESSAGES) for p in psids)

        deadline = time.monotonic() + 120  # a send the killed one began waits SEND_LEASE
        while not settled():
            assert time.monotonic() < deadline, logs_text()
            time.sleep(0.2)
        time.sleep(2.0)  # anything sent twice would arrive now
        stop_echoes.set()
        echo_thread.join(10)

        assert _count(
            pg_url, "SELECT count(*) FROM inbox WHERE kind = 'message'"
        ) == CUSTOMERS * len(MESSAGES)
        assert _count(pg_url, "SELECT count(*) FROM inbox WHERE status != 'done'") == 0
        # in order: each customer's messages were logged in the order they were written
        import psycopg

        with psycopg.connect(pg_url) as conn:
            rows = conn.execute(
                "SELECT c.psid, m.mid FROM messages m JOIN conversations c "
                "ON c.id = m.conversation_id WHERE m.direction = 'in' ORDER BY m.id"
            ).fetchall()
        seen: dict[str, list[str]] = {}
        for psid, mid in rows:
            seen.setdefault(psid, []).append(mid)
        for c, psid in enumerate(psids):
            assert seen.get(psid) == [f"m_multi_{c}_{k}" for k in range(len(MESSAGES))]
        # exactly once and in order: every customer got the same replies, each one once
        sequences = Counter(tuple(graph.texts(p)) for p in psids)
        (expected, count), *others = sequences.most_common()
        assert len(expected) == len(MESSAGES), expected
        assert count == CUSTOMERS, others[:3]
        metadata = [b["message"].get("metadata") for b in graph.delivered() if "message" in b]
        assert len(metadata) == len(set(metadata)) == CUSTOMERS * len(MESSAGES)
    finally:
        stop_echoes.set()
        for i, proc in enumerate(servers):
            if alive[i]:
                proc.send_signal(signal.SIGTERM)
        for proc in servers:
            try:
                proc.wait(10)
            except Exception:
                proc.kill()
        graph.stop()
