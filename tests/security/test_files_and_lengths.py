"""Files readable by the owner only; the first password not in the log; sane lengths."""

from __future__ import annotations

import os
import stat

from bot.staff.actions import REPLY_LIMIT
from store import conversations
from store import staff as accounts
from tests.security.helpers import PASSWORD, add_staff, login, token


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_the_database_and_its_wal_are_0600(app):
    path = app.config["BOT_DB"]
    rt = app.extensions["barta"]
    add_staff(app)  # a write: the -wal and -shm exist now
    rt.db()
    for f in (path, path + "-wal", path + "-shm"):
        if os.path.exists(f):
            assert _mode(f) == 0o600, f


def test_a_world_readable_database_is_tightened(tmp_path):
    from store.db import connect

    path = tmp_path / "old.db"
    path.write_bytes(b"")
    os.chmod(path, 0o644)
    connect(str(path)).conn.close()
    assert _mode(path) == 0o600


def test_the_first_owner_password_goes_to_a_0600_file_not_stdout(app, capsys, caplog):
    for hook in app.extensions["barta_first_run"]:
        hook()
    out = capsys.readouterr().out
    path = os.path.join(os.path.dirname(app.config["BOT_DB"]), "first-owner-password.txt")
    assert _mode(path) == 0o600
    with open(path, encoding="utf-8") as f:
        name, password = f.read().split()
    assert password not in out and password not in caplog.text
    assert accounts.check_password(app.extensions["barta"].db(), name, password)


def test_names_and_passwords_have_sane_lengths(app, client):
    rt = app.extensions["barta"]
    db = rt.db()
    for name, password in (("x" * 100_000, PASSWORD), ("ok", "p" * 1_000_000), ("ok", "short")):
        try:
            accounts.create(db, name, "agent", password, rt.clock())
        except ValueError:
            pass
        else:
            raise AssertionError((len(name), len(password)))
    accounts.create(db, "n" * 64, "agent", "p" * 128, rt.clock())
    add_staff(app)
    # a megabyte password at the login is refused without hashing it
    assert login(client, "rina", "p" * 1_000_000).status_code == 401


def test_a_staff_reply_over_the_limit_is_refused_with_the_limit(app, client, customer):
    bearer = token(app)
    customer("7500000000000001").says("hello")
    cid = conversations.by_psid(app.extensions["barta"].db(), "7500000000000001")["id"]
    resp = client.post(
        f"/api/conversations/{cid}/reply", json={"text": "x" * 300_000}, headers=bearer
    )
    assert resp.status_code == 400 and resp.get_json()["limit"] == REPLY_LIMIT
    page = app.test_client()
    login(page)
    page.get("/staff/lang/en")
    resp = page.post(f"/staff/c/{cid}/reply", data={"text": "x" * (REPLY_LIMIT + 1)})
    assert resp.status_code == 400
    assert f"{REPLY_LIMIT:,} characters" in resp.get_data(as_text=True)
