"""Open redirect: ``next=`` must stay on this site."""

from __future__ import annotations

import pytest

from bot.staff.auth import safe_next
from tests.security.helpers import add_staff, login

EVIL = [
    "//evil.example",
    "/\\evil.example",
    "/%09/evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/%0a/x",
    "/\r\n//evil.example",
    "https://evil.example",
    "javascript:alert(1)",
    "\\\\evil.example",
    "/%2f/evil.example",
    "/\x00/evil.example",
    "/\u2028/evil.example",
    "evil.example",
]


@pytest.mark.parametrize("target", EVIL)
def test_language_switch_never_leaves_the_site(client, target):
    resp = client.get("/staff/lang/en", query_string={"next": target})
    assert resp.status_code == 302
    assert resp.headers["Location"] == "/staff/queue"


def test_the_encoded_tab_from_the_report(client):
    resp = client.get("/staff/lang/en?next=/%09/evil.example")
    assert resp.headers["Location"] == "/staff/queue"
    resp = client.get("/staff/lang/en?next=/%0a/x")
    assert resp.status_code == 302 and resp.headers["Location"] == "/staff/queue"


@pytest.mark.parametrize("target", EVIL)
def test_a_real_login_lands_on_this_site(app, target):
    add_staff(app)
    client = app.test_client()
    resp = login(client, next=target)
    assert resp.status_code == 302
    assert resp.headers["Location"] == "/staff/queue"


def test_a_path_on_this_site_is_kept(app, client):
    add_staff(app)
    assert login(client, next="/staff/leads?stage=new").headers["Location"] == (
        "/staff/leads?stage=new"
    )
    assert safe_next("/staff/conversations/3") == "/staff/conversations/3"
    for target in EVIL:
        assert safe_next(target) is None, target
