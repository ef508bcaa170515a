"""Only http(s) links are clickable: a customer's ``javascript:`` or ``data:`` attachment
URL is shown as text."""

from __future__ import annotations

from bot.staff.present import web_link
from tests.conftest import PAGE_ID, envelope, post_webhook
from tests.security.helpers import add_staff, login

BAD = ["javascript:alert(document.cookie)", "JaVaScRiPt:alert(1)", " javascript:alert(1)",
       "data:text/html,<script>alert(1)</script>", "vbscript:msgbox(1)", "java\tscript:alert(1)"]  # fmt: skip


def test_bad_attachment_urls_are_not_links(app, customer):
    add_staff(app)
    c = customer("7200000000000001")
    attachments = [{"type": "file", "payload": {"url": u}} for u in BAD]
    attachments.append({"type": "image", "payload": {"url": "https://cdn.example/a.jpg"}})
    event = {
        "sender": {"id": c.psid}, "recipient": {"id": PAGE_ID}, "timestamp": 1_700_000_000_000,
        "message": {"mid": "m_links_1", "attachments": attachments},
    }  # fmt: skip
    assert post_webhook(c.client, envelope(event)).status_code == 200
    c.runtime.drain()
    client = app.test_client()
    login(client)
    conv = c.conversation()
    html = client.get(f"/staff/c/{conv['id']}").get_data(as_text=True)
    assert 'href="https://cdn.example/a.jpg"' in html
    for bad in ("javascript:", "JaVaScRiPt:", "data:text/html", "vbscript:"):
        assert f'href="{bad}' not in html
        assert f'href=" {bad}' not in html
    assert 'href="java' not in html


def test_the_filter():
    assert web_link("https://example.com/x") == "https://example.com/x"
    assert web_link("http://example.com") == "http://example.com"
    for bad in BAD:
        assert web_link(bad) is None
    assert web_link(None) is None and web_link("https:///nohost") is None
