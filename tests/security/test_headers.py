"""Security headers on every response; session cookie SameSite=Lax; no framing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.security.helpers import add_staff, login

TEMPLATES = Path(__file__).resolve().parents[2] / "bot" / "staff" / "templates"


def _check(resp) -> None:
    h = resp.headers
    csp = h.get("Content-Security-Policy", "")
    assert "frame-ancestors 'none'" in csp
    script = re.search(r"script-src ([^;]*)", csp)
    assert script and "'unsafe-inline'" not in script.group(1)
    assert h.get("X-Content-Type-Options") == "nosniff"
    assert h.get("X-Frame-Options") == "DENY"
    assert h.get("Referrer-Policy") in ("same-origin", "strict-origin-when-cross-origin")


@pytest.mark.parametrize(
    "path",
    ["/healthz", "/staff/login", "/staff/team", "/simulator", "/webhook", "/api/queue",
     "/no/such/page", "/staff/static/staff.css"],
)  # fmt: skip
def test_every_response_carries_the_headers(app, client, path):
    resp = client.get(path)
    _check(resp)
    resp.close()


def test_the_team_page_cannot_be_framed(app, client):
    add_staff(app)
    login(client)
    resp = client.get("/staff/team")
    assert resp.status_code == 200
    _check(resp)


def test_the_session_cookie_is_samesite_lax(app, client):
    add_staff(app)
    resp = login(client)
    cookie = resp.headers["Set-Cookie"]
    assert "SameSite=Lax" in cookie and "HttpOnly" in cookie
    assert "Secure" not in cookie  # plain http here
    secure = client.post(
        "/staff/login",
        data={"name": "rina", "password": "correct horse battery"},
        base_url="https://localhost",
    )
    assert "Secure" in secure.headers["Set-Cookie"]


def test_no_inline_script_or_style_in_the_templates():
    for page in TEMPLATES.rglob("*.html"):
        text = page.read_text("utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), page.name
        assert not re.search(r"\son[a-z]+\s*=", text), page.name
        assert not re.search(r"\sstyle\s*=", text), page.name
