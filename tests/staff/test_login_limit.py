"""The login limit is the deployment's, not one process's: failures are counted in the
database, on SQLite and on PostgreSQL, and pruned after the window."""

from __future__ import annotations

from bot.staff.auth import LOGIN_WINDOW, LoginLimiter
from store import logins
from store.db import connect
from tests.security.helpers import add_staff, login


def test_two_processes_share_one_account_limit(make_app):
    """Two apps on one database stand for two processes behind a load balancer."""
    first, second = make_app(), make_app()
    add_staff(first)
    for i in range(5):
        app = (first, second)[i % 2]
        assert login(app.test_client(), password="wrong password!").status_code == 401
    for app in (first, second):
        blocked = login(app.test_client())  # even the right password waits now
        assert blocked.status_code == 429
        assert "অনেকবার ভুল লগইন হয়েছে" in blocked.text


def test_two_processes_share_one_address_limit(make_app):
    first, second = make_app(), make_app()
    codes = [
        login((first, second)[i % 2].test_client(), f"name{i}", "wrong password!").status_code
        for i in range(21)
    ]
    assert codes[:20] == [401] * 20 and codes[20] == 429


def test_a_right_password_forgets_the_accounts_failures_everywhere(make_app):
    first, second = make_app(), make_app()
    add_staff(first)
    for _ in range(4):
        assert login(first.test_client(), password="wrong password!").status_code == 401
    assert login(second.test_client()).status_code == 302
    for _ in range(4):  # four more: the count started again
        assert login(first.test_client(), password="wrong password!").status_code == 401
    assert login(second.test_client()).status_code == 302


def _limiter(bot_db: str, clock) -> LoginLimiter:
    db = connect(bot_db)
    return LoginLimiter(db=lambda: db, clock=clock)


def test_the_limit_ends_with_the_window_and_old_failures_are_pruned(app, bot_db, clock):
    first, other = _limiter(bot_db, clock), _limiter(bot_db, clock)
    for _ in range(5):
        wait, stamp = first.begin("rina", "203.0.113.1")
        assert wait == 0 and stamp == clock.now
        clock.advance(1)
    wait, _stamp = other.begin("RINA ", "198.51.100.7")  # the same account, another process
    assert 0 < wait <= LOGIN_WINDOW
    assert other.retry_after("rina", "198.51.100.7") == wait
    clock.advance(wait)
    wait, _stamp = other.begin("rina", "198.51.100.7")
    assert wait == 0
    db = connect(bot_db)
    (left,) = db.execute("SELECT count(*) FROM login_failures WHERE key = 'name:rina'").fetchone()
    assert left <= 5  # the failures out of the window are gone from the table
    (oldest,) = db.execute("SELECT min(at) FROM login_failures").fetchone()
    assert oldest >= clock.now - LOGIN_WINDOW


def test_a_right_password_takes_back_its_own_reserved_attempt_only(app, bot_db, clock):
    limiter = _limiter(bot_db, clock)
    addr = "203.0.113.9"
    for i in range(3):
        assert limiter.begin(f"name{i}", addr)[0] == 0  # three wrong names
    wait, stamp = limiter.begin("rina", addr)
    assert wait == 0
    limiter.succeeded("rina", addr, stamp)
    db = connect(bot_db)
    rows = db.execute(
        "SELECT key FROM login_failures WHERE key LIKE 'addr:%' OR key = 'name:rina'"
    ).fetchall()
    assert len(rows) == 3 and {r[0] for r in rows} == {"addr:" + addr}
    assert logins.retry_after(db, [("addr:" + addr, 3)], LOGIN_WINDOW, clock.now) > 0
