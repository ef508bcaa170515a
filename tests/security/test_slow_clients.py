"""One client cannot take the server down: 200 slow connections (headers or a body
trickled byte by byte) while /healthz and /webhook keep answering; a body over the limit
is refused before it is read. A real ``python app.py serve`` on 127.0.0.1."""

from __future__ import annotations

import json
import os
import socket
import time

import pytest
import requests

from tests.cli.test_crash import free_port, start_server
from tests.conftest import SECRET, TEST_FLOWS, envelope, sign, text_event

pytestmark = pytest.mark.slow

SLOW_CLIENTS = 200
ANSWER_WITHIN = 2.0  # seconds, for /healthz and a signed webhook POST


def _slow(port: int, i: int) -> socket.socket:
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    if i % 2:  # headers that never end
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
    else:  # a body announced and trickled
        s.sendall(
            b"POST /webhook HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Content-Length: 100000\r\n\r\n{"
        )
    return s


def test_healthz_and_webhook_answer_while_200_slow_clients_hang_on(tmp_path):
    port = free_port()
    env = dict(os.environ, BOT_DB=str(tmp_path / "bot.db"), BOT_FLOWS=str(TEST_FLOWS),
               SECRET_KEY="slow-test", MESSENGER_APP_SECRET=SECRET)  # fmt: skip
    server = start_server(port, env, tmp_path / "server.log")
    slow: list[socket.socket] = []
    try:
        for i in range(SLOW_CLIENTS):
            slow.append(_slow(port, i))
        deadline = time.monotonic() + 6
        worst = 0.0
        while time.monotonic() < deadline:
            for s in slow:  # one more byte each: they stay busy, never finish
                try:
                    s.send(b"a")
                except OSError:
                    pass
            started = time.monotonic()
            assert requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 200
            raw = json.dumps(envelope(text_event("7600000000000001", "hi"))).encode()
            resp = requests.post(
                f"http://127.0.0.1:{port}/webhook", data=raw, timeout=5,
                headers={"X-Hub-Signature-256": sign(raw), "Content-Type": "application/json"},
            )  # fmt: skip
            assert resp.status_code == 200
            worst = max(worst, time.monotonic() - started)
            time.sleep(0.5)
        assert worst < ANSWER_WITHIN, worst

        # a 2 MiB body is refused on its Content-Length, before it is sent
        big = socket.create_connection(("127.0.0.1", port), timeout=5)
        big.sendall(
            b"POST /webhook HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Content-Length: 2097152\r\n\r\n{"
        )
        answer = big.recv(200)
        big.close()
        assert b" 413 " in answer.split(b"\r\n")[0]
    finally:
        for s in slow:
            s.close()
        server.terminate()
        server.wait(10)
