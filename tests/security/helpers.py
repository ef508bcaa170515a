"""What the attack tests share: staff accounts, logins, tokens."""

from __future__ import annotations

from store import staff as accounts

PASSWORD = "correct horse battery"


def add_staff(app, name: str = "rina", role: str = "owner") -> dict:
    rt = app.extensions["barta"]
    return accounts.create(rt.db(), name, role, PASSWORD, rt.clock())


def login(client, name: str = "rina", password: str = PASSWORD, **extra):
    return client.post("/staff/login", data={"name": name, "password": password, **extra})


def token(app, name: str = "rina", role: str = "owner") -> dict:
    """A bearer header of a new account."""
    rt = app.extensions["barta"]
    account = accounts.by_name(rt.db(), name) or add_staff(app, name, role)
    return {"Authorization": f"Bearer {accounts.new_token(rt.db(), account['id'], rt.clock())}"}
