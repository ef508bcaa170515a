"""The WSGI server ``serve`` runs: waitress with ``bot.cli.Channel`` (no busy loop while a
worker writes). Real sockets on 127.0.0.1: small answers on one kept-alive connection,
and a response far larger than the socket buffers, written in pieces with pauses."""

from __future__ import annotations

import threading
import time

import pytest
import requests
from waitress import wasyncore

from bot.cli import Channel, make_server

CHUNK = b"x" * 65536
CHUNKS = 96  # 6 MiB: many times the socket buffers, so the loop drains part of it


def app(environ, start_response):
    if environ["PATH_INFO"] == "/big":
        start_response("200 OK", [("Content-Type", "application/octet-stream")])

        def body():
            for n in range(CHUNKS):
                if n % 16 == 0:
                    time.sleep(0.01)  # the worker is busy between writes
                yield CHUNK

        return body()
    text = environ["PATH_INFO"].encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(text)))])
    return [text]


@pytest.fixture
def server():
    served = make_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=served.run, daemon=True)
    thread.start()
    yield served
    served.task_dispatcher.shutdown()
    wasyncore.close_all(served._map)
    thread.join(5)


def test_every_connection_gets_the_channel(server):
    assert server.channel_class is Channel


def test_small_answers_on_one_kept_alive_connection(server):
    url = f"http://127.0.0.1:{server.effective_port}"
    with requests.Session() as s:
        started = time.monotonic()
        for n in range(200):
            assert s.get(f"{url}/n{n}", timeout=5).text == f"/n{n}"
        assert time.monotonic() - started < 10


def test_a_response_larger_than_the_socket_buffers_arrives_whole(server):
    url = f"http://127.0.0.1:{server.effective_port}/big"
    started = time.monotonic()
    got = requests.get(url, timeout=10).content
    assert len(got) == CHUNKS * len(CHUNK) and set(got) == {ord("x")}
    assert time.monotonic() - started < 10
