"""`python app.py serve` as it runs in production: waitress behind a local HTTPS proxy."""

from __future__ import annotations

import os

import pytest
import requests

from tests.cli.test_crash import free_port, start_server
from tests.conftest import TEST_FLOWS

pytestmark = pytest.mark.slow


def test_behind_the_local_proxy_the_workspace_knows_it_is_https(tmp_path):
    port = free_port()
    env = dict(
        os.environ,
        BOT_DB=str(tmp_path / "bot.db"),
        BOT_FLOWS=str(TEST_FLOWS),
        SECRET_KEY="serve-test",
    )
    server = start_server(port, env, tmp_path / "server.log")
    url = f"http://127.0.0.1:{port}/staff/login"
    try:
        proxied = requests.get(
            url,
            headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"},
            timeout=5,
        )
        direct = requests.get(url, timeout=5)
    finally:
        server.terminate()
        server.wait(10)
    assert proxied.status_code == direct.status_code == 200
    assert "Secure" in proxied.headers["Set-Cookie"]
    assert "Secure" not in direct.headers["Set-Cookie"]
