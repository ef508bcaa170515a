"""Access can be revoked: removal, role change, password change, logout and token
revocation end sessions everywhere; tokens are hashed, listed, revocable, expiring."""

from __future__ import annotations

from click.testing import CliRunner

from store import staff as accounts
from tests.security.helpers import PASSWORD, add_staff, login


def _cli(app, monkeypatch, *args):
    from bot.cli import cli

    monkeypatch.setenv("BOT_DB", app.config["BOT_DB"])
    monkeypatch.setenv("BOT_FLOWS", str(app.config["BOT_FLOWS"]))
    monkeypatch.setenv("SECRET_KEY", app.config["SECRET_KEY"])
    return CliRunner().invoke(cli, list(args))


def _copy(app, client):
    """A second browser holding a copy of ``client``'s session cookie."""
    thief = app.test_client()
    cookie = client.get_cookie("session")
    thief.set_cookie("session", cookie.value)
    assert thief.get("/staff/team").status_code == 200
    return thief


def test_a_copied_cookie_dies_with_logout(app, client):
    add_staff(app)
    login(client)
    thief = _copy(app, client)
    client.post("/staff/logout")
    assert thief.get("/staff/team").status_code == 302


def test_a_copied_cookie_dies_with_a_password_change(app, client):
    add_staff(app)
    login(client)
    thief = _copy(app, client)
    client.post("/staff/team", data={"action": "password", "current": PASSWORD,
                                     "new": "a brand new password"})  # fmt: skip
    assert client.get("/staff/team").status_code == 200  # this browser stays in
    assert thief.get("/staff/team").status_code == 302


def test_cli_remove_role_password_revoke(app, client, monkeypatch):
    add_staff(app, "rina", "owner")
    add_staff(app, "karim", "agent")
    login(client, "karim")
    thief = _copy(app, client)
    assert _cli(app, monkeypatch, "staff", "role", "karim", "owner").exit_code == 0
    assert thief.get("/staff/team").status_code == 302
    login(client, "karim")
    thief = _copy(app, client)
    result = _cli(app, monkeypatch, "staff", "password", "karim")
    assert result.exit_code == 0
    new = result.output.strip().splitlines()[-1]
    assert thief.get("/staff/team").status_code == 302
    assert login(client, "karim", new).status_code == 302
    thief = _copy(app, client)
    assert _cli(app, monkeypatch, "staff", "revoke", "karim").exit_code == 0
    assert thief.get("/staff/team").status_code == 302
    login(client, "karim", new)
    thief = _copy(app, client)
    assert _cli(app, monkeypatch, "staff", "remove", "karim").exit_code == 0
    assert thief.get("/staff/team").status_code == 302
    rt = app.extensions["barta"]
    assert accounts.by_name(rt.db(), "karim") is None
    # the last owner cannot be removed or demoted
    assert _cli(app, monkeypatch, "staff", "remove", "rina").exit_code == 1
    assert _cli(app, monkeypatch, "staff", "role", "rina", "agent").exit_code == 1


def test_tokens_hashed_listed_revoked_and_expiring(app, client, monkeypatch):
    add_staff(app)
    result = _cli(app, monkeypatch, "staff", "token", "rina", "--expires", "30d")
    assert result.exit_code == 0, result.output
    secret = result.output.strip().splitlines()[-1]
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/queue", headers=headers).status_code == 200
    rt = app.extensions["barta"]
    stored = rt.db().execute("SELECT token_hash, expires_at FROM tokens").fetchall()
    assert secret not in str(stored) and stored[0][1] > rt.clock() + 29 * 86400
    listed = _cli(app, monkeypatch, "staff", "tokens", "rina")
    assert listed.exit_code == 0 and "live" in listed.output and secret not in listed.output
    assert _cli(app, monkeypatch, "staff", "revoke", "rina").exit_code == 0
    assert client.get("/api/queue", headers=headers).status_code == 401
    assert "revoked" in _cli(app, monkeypatch, "staff", "tokens", "rina").output


def test_an_expired_token_is_refused(app, client, clock, make_app):
    app = make_app(CLOCK=clock)
    client = app.test_client()
    rt = app.extensions["barta"]
    account = add_staff(app)
    secret = accounts.new_token(rt.db(), account["id"], clock(), clock() + 60)
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/queue", headers=headers).status_code == 200
    clock.advance(61)
    assert client.get("/api/queue", headers=headers).status_code == 401


def test_owners_manage_the_team_in_the_page(app, client):
    add_staff(app, "rina", "owner")
    karim = add_staff(app, "karim", "agent")
    login(client)
    agent = app.test_client()
    login(agent, "karim")
    # an agent may not manage anyone
    assert (
        agent.post("/staff/team", data={"action": "remove", "who": karim["id"]}).status_code == 403
    )
    page = client.get("/staff/team").get_data(as_text=True)
    assert 'value="remove"' in page
    client.post("/staff/team", data={"action": "role", "who": karim["id"]})
    rt = app.extensions["barta"]
    assert accounts.by_name(rt.db(), "karim")["role"] == "owner"
    assert agent.get("/staff/team").status_code == 302  # the role change ended its session
    resp = client.post("/staff/team", data={"action": "reset", "who": karim["id"]})
    assert resp.status_code == 200
    shown = resp.get_data(as_text=True).split("karim")[1].split(": ")[1].split("<")[0].strip()
    assert login(app.test_client(), "karim", shown).status_code == 302
    client.post("/staff/team", data={"action": "remove", "who": karim["id"]})
    assert accounts.by_name(rt.db(), "karim") is None


def test_a_removed_persons_handoffs_go_back_to_the_team(app, customer):
    from store import conversations, queue
    from store.db import write_tx

    add_staff(app, "rina", "owner")
    karim = add_staff(app, "karim", "agent")
    customer("7700000000000001").says("মানুষের সাথে কথা বলতে চাই")
    rt = app.extensions["barta"]
    db = rt.db()
    conv = conversations.by_psid(db, "7700000000000001")
    item = db.execute(
        "SELECT id FROM queue WHERE conversation_id = ? AND status = 'waiting'", (conv["id"],)
    ).fetchone()
    with write_tx(db):
        assert queue.claim(db, item[0], "karim", rt.clock())
    accounts.remove(db, karim["id"])
    assert queue.get(db, item[0])["status"] == "waiting"
