# ruff: noqa: F811  (the browser fixtures, imported, are parameters here)
"""Customers' profile pictures in the workspace: ``GET /staff/c/<id>/picture`` serves the
kept bytes to logged-in staff who may see the conversation, the queue, the inbox and the
conversation page show it (never Meta's expiring link), the JSON API's ``picture`` names
it, and the CSP. Over SQLite, or PostgreSQL with BARTA_TEST_DB=postgresql."""

from __future__ import annotations

import pytest

from bot.app import CONTENT_SECURITY_POLICY
from store import conversations, pages, pictures
from store.db import write_tx
from tests.conftest import Customer
from tests.fake_graph import PNG
from tests.staff.test_browser import browser, live, log_in  # noqa: F401  (fixtures)
from tests.staff.test_pages import PAGE_A, PAGE_B, account, lead
from tests.staff.test_pages import browser as logged_in
from tests.staff.test_workspace_browser import LAPTOP, axe_problems

META = "https://platform-lookaside.fbsbx.com/platform/profilepic/?psid=1&ext=1&hash=x"
GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,"


def keep(app, cid: int, data: bytes = PNG, content_type: str = "image/png") -> str:
    rt = app.extensions["barta"]
    db = rt.db()
    with write_tx(db):
        return pictures.keep(db, cid, data, content_type, rt.clock())


def meta_link(app, cid: int) -> None:
    """A conversation looked up before pictures were kept: Meta's link in the column."""
    rt = app.extensions["barta"]
    db = rt.db()
    with write_tx(db):
        conversations.set_name(db, cid, "Salma", rt.clock(), source="profile", picture=META)


@pytest.fixture
def shop(make_app):
    """Two Pages, a waiting lead on each and one on MESSENGER_PAGE_TOKEN's Page; a picture
    kept for A's and B's; Meta's old link on the other."""
    app = make_app()
    rt = app.extensions["barta"]
    pages.add(rt.db(), PAGE_A, rt.clock(), token="EAAa", name="Shopno Fashion")
    pages.add(rt.db(), PAGE_B, rt.clock(), token="EAAb", name="Amar Dokan")
    ids = {
        "a": lead(app, "7000000000000001", PAGE_A, name="Rahima"),
        "b": lead(app, "7000000000000002", PAGE_B, name="Karim"),
        "main": lead(app, "7000000000000003", "", name="Salma"),
    }
    keep(app, ids["a"])
    keep(app, ids["b"], GIF, "image/gif")
    meta_link(app, ids["main"])
    account(app, "rina", "owner")
    return app, ids


def test_the_picture_needs_a_login(shop):
    app, ids = shop
    resp = app.test_client().get(f"/staff/c/{ids['a']}/picture")
    assert resp.status_code == 302 and "/staff/login" in resp.headers["Location"]
    assert resp.data != PNG


def test_the_picture_is_served_with_its_type_and_cache_headers(shop):
    app, ids = shop
    client = logged_in(app, "rina")
    resp = client.get(f"/staff/c/{ids['a']}/picture")
    assert resp.status_code == 200 and resp.data == PNG
    assert resp.headers["Content-Type"] == "image/png"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["Cache-Control"] == "private, max-age=86400"
    etag = pictures.etag_of(app.extensions["barta"].db(), ids["a"])
    assert resp.headers["ETag"] == f'"{etag}"'
    gif = client.get(f"/staff/c/{ids['b']}/picture")
    assert gif.data == GIF and gif.headers["Content-Type"] == "image/gif"
    assert gif.headers["ETag"] != resp.headers["ETag"]


def test_an_unchanged_picture_is_a_304_and_a_new_one_a_new_etag(shop):
    app, ids = shop
    client = logged_in(app, "rina")
    url = f"/staff/c/{ids['a']}/picture"
    etag = client.get(url).headers["ETag"]
    same = client.get(url, headers={"If-None-Match": etag})
    assert same.status_code == 304 and same.data == b""
    assert same.headers["ETag"] == etag
    assert same.headers["Cache-Control"] == "private, max-age=86400"
    keep(app, ids["a"], GIF, "image/gif")  # looked up again: another picture
    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.data == GIF
    assert changed.headers["ETag"] != etag


def test_no_picture_kept_is_a_404(shop):
    app, ids = shop
    client = logged_in(app, "rina")
    assert client.get(f"/staff/c/{ids['main']}/picture").status_code == 404  # Meta's link only
    assert client.get("/staff/c/99999/picture").status_code == 404
    assert client.get("/staff/c/nope/picture").status_code == 404


def test_an_account_limited_to_a_page_gets_no_other_page_s_picture(shop):
    app, ids = shop
    account(app, "karim", limit=[PAGE_B])
    client = logged_in(app, "karim")
    assert client.get(f"/staff/c/{ids['b']}/picture").data == GIF
    mine = client.get(f"/staff/c/{ids['a']}/picture")
    assert mine.status_code == 404 and mine.data != PNG
    assert client.get(f"/staff/c/{ids['main']}/picture").status_code == 404


def test_the_workspace_shows_the_kept_picture_never_meta_s_link(shop):
    app, ids = shop
    client = logged_in(app, "rina")
    for path in ("/staff/queue", "/staff/queue?show=all", "/staff/queue.json"):
        resp = client.get(path)
        html = resp.get_json()["html"] if path.endswith(".json") else resp.get_data(as_text=True)
        assert f'src="/staff/c/{ids["a"]}/picture"' in html, path
        assert f'src="/staff/c/{ids["b"]}/picture"' in html, path
        assert "platform-lookaside" not in html and f"/staff/c/{ids['main']}/picture" not in html
        assert html.count('class="avatar-pic"') == 2, path
    page = client.get(f"/staff/c/{ids['a']}").get_data(as_text=True)
    assert f'<img class="avatar-pic" src="/staff/c/{ids["a"]}/picture" alt="">' in page
    old = client.get(f"/staff/c/{ids['main']}").get_data(as_text=True)
    assert "platform-lookaside" not in old and 'class="avatar-pic"' not in old


def test_the_api_s_picture_is_the_workspace_s_address(shop):
    app, ids = shop
    owner = account(app, "api-owner", "owner")["headers"]
    client = app.test_client()
    a = f"/staff/c/{ids['a']}/picture"
    assert client.get(f"/api/conversations/{ids['a']}", headers=owner).json["picture"] == a
    assert client.get(f"/api/conversations/{ids['main']}", headers=owner).json["picture"] == META
    queue_items = {i["conversation_id"]: i for i in client.get("/api/queue", headers=owner).json}
    assert queue_items[ids["a"]]["picture"] == a
    assert queue_items[ids["main"]]["picture"] == META
    leads = {r["conversation_id"]: r for r in client.get("/api/leads", headers=owner).json}
    assert leads[ids["a"]]["picture"] == a and leads[ids["main"]]["picture"] == META


def test_a_script_with_an_api_token_reads_the_picture(shop):
    app, ids = shop
    client = app.test_client()
    owner = account(app, "api-reader", "owner")["headers"]
    got = client.get(f"/api/conversations/{ids['a']}/picture", headers=owner)
    assert got.status_code == 200 and got.data == PNG and got.mimetype == "image/png"
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    again = client.get(
        f"/api/conversations/{ids['a']}/picture",
        headers={**owner, "If-None-Match": got.headers["ETag"]},
    )
    assert again.status_code == 304
    assert client.get(f"/api/conversations/{ids['a']}/picture").status_code == 401
    assert client.get(f"/api/conversations/{ids['main']}/picture", headers=owner).status_code == 404
    assert client.get("/api/conversations/99999/picture", headers=owner).status_code == 404
    limited = account(app, "api-karim", limit=[PAGE_B])["headers"]
    assert client.get(f"/api/conversations/{ids['a']}/picture", headers=limited).status_code == 404
    assert client.get(f"/api/conversations/{ids['b']}/picture", headers=limited).data == GIF


def test_the_csp_allows_pictures_from_barta_itself(shop):
    app, ids = shop
    client = logged_in(app, "rina")
    for path in ("/staff/queue", f"/staff/c/{ids['a']}", f"/staff/c/{ids['a']}/picture"):
        assert client.get(path).headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    img_src = next(p for p in CONTENT_SECURITY_POLICY.split("; ") if p.startswith("img-src"))
    # 'self': the kept pictures; https: only for pictures inside messages (attachments and
    # the bot's image replies), which the conversation page and the simulator show
    assert img_src.split() == ["img-src", "'self'", "https:", "data:"]


# --- in a real browser ------------------------------------------------------------------


@pytest.mark.browser
def test_the_kept_picture_shows_in_chromium_under_the_csp(live, browser):
    base = live.base_url
    customer = Customer(live, "7700000000000009")
    customer.says("মানুষের সাথে কথা বলতে চাই")
    cid = customer.conversation()["id"]
    keep(live, cid)
    context = browser.new_context(viewport=LAPTOP)
    page = context.new_page()
    refused: list[str] = []  # Chromium says so in the console when the CSP blocks a picture
    page.on("console", lambda m: refused.append(m.text))
    log_in(page, base)
    for url in ("/staff/queue", "/staff/queue?show=all", f"/staff/c/{cid}"):
        page.goto(base + url)
        img = page.locator(f'img.avatar-pic[src="/staff/c/{cid}/picture"]').first
        img.wait_for()
        assert img.evaluate("i => i.decode().then(() => i.naturalWidth)") == 1, url
        assert axe_problems(page) == [], url
    assert [m for m in refused if "Content Security Policy" in m] == []
    context.close()
