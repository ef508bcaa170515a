"""The login limit: per account and per address, atomic, forwarded addresses only from
the configured proxy."""

from __future__ import annotations

import threading

from store import staff as accounts
from tests.security.helpers import add_staff, login


def test_forty_parallel_wrong_logins_get_at_most_five_password_checks(app, monkeypatch):
    add_staff(app)
    checks = []
    real = accounts.check_password

    def counting(db, name, password):
        checks.append(1)
        return real(db, name, password)

    monkeypatch.setattr(accounts, "check_password", counting)
    start = threading.Barrier(40)
    codes = []

    def attempt():
        client = app.test_client()
        start.wait()
        codes.append(login(client, password="wrong password!").status_code)

    threads = [threading.Thread(target=attempt) for _ in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(checks) <= 5
    assert codes.count(401) == len(checks) and codes.count(429) == 40 - len(checks)


def test_rotating_addresses_does_not_reset_the_account_limit(app):
    add_staff(app)
    for i in range(5):
        client = app.test_client()
        resp = login(client, password="wrong password!",
                     environ_base={"REMOTE_ADDR": f"203.0.113.{i}"})  # fmt: skip
        assert resp.status_code == 401
    client = app.test_client()
    # even the right password waits: the account is locked for the window
    resp = client.post("/staff/login", data={"name": "rina", "password": "x" * 9},
                       environ_base={"REMOTE_ADDR": "198.51.100.7"})  # fmt: skip
    assert resp.status_code == 429


def test_one_address_cannot_try_many_names(app):
    client = app.test_client()
    codes = [login(client, f"name{i}", "wrong password!").status_code for i in range(25)]
    assert codes[-1] == 429 and codes.count(401) <= 20


def test_trusted_proxy_is_a_setting():
    from bot import config
    from bot.cli import serve_options

    names = {s.name: s.default for s in config.SETTINGS}
    assert names["TRUSTED_PROXY"] == "127.0.0.1"
    assert serve_options({"TRUSTED_PROXY": "10.0.0.5"})["trusted_proxy"] == "10.0.0.5"
    assert "trusted_proxy" not in serve_options({"TRUSTED_PROXY": ""})
