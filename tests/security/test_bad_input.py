"""Bad input answers 4xx or is skipped, never a 5xx; one bad webhook event never sinks the
others of its POST."""

from __future__ import annotations

import json

import pytest

from store import conversations
from tests.conftest import PAGE_ID, SECRET, envelope, post_webhook, sign, text_event
from tests.security.helpers import add_staff, login, token


def test_a_non_ascii_signature_is_403(client):
    raw = json.dumps(envelope(text_event("7300000000000001", "hi"))).encode()
    resp = client.post(
        "/webhook", data=raw, headers={"X-Hub-Signature-256": "sha256=é".encode().decode("latin-1"),
                                       "Content-Type": "application/json"},
    )  # fmt: skip
    assert resp.status_code == 403


def test_a_non_ascii_verify_token_is_403(client):
    resp = client.get("/webhook?hub.mode=subscribe&hub.verify_token=%C3%A9&hub.challenge=1")
    assert resp.status_code == 403


def test_next_with_a_newline_is_not_a_500(app, client):
    assert client.get("/staff/lang/en?next=/%0a/x").status_code == 302
    assert client.get("/staff/login?next=/%0a/x").status_code == 200


def test_simulator_lone_surrogate_and_huge_after(app, client):
    add_staff(app)
    login(client)
    resp = client.post(
        "/simulator/send", data='{"text": "\\ud800"}', content_type="application/json"
    )
    assert 400 <= resp.status_code < 500
    resp = client.get("/simulator/poll?after=9223372036854775808")
    assert resp.status_code == 200


def _raw_post(client, raw: bytes):
    return client.post(
        "/webhook", data=raw,
        headers={"Content-Type": "application/json", "X-Hub-Signature-256": sign(raw, SECRET)},
    )  # fmt: skip


def test_json_nested_1000_deep_is_a_4xx(client):
    raw = b'{"object": "page", "entry": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    assert 400 <= _raw_post(client, raw).status_code < 500
    raw = b'{"object": "page", "entry": [{"id": "1", "messaging": [' + b"[" * 1000
    raw += b"]" * 1000 + b"]}]}"
    assert _raw_post(client, raw).status_code in (200, 400)


def _good(psid: str, text: str = "hello") -> str:
    return json.dumps(text_event(psid, text))


@pytest.mark.parametrize(
    "bad",
    [
        '{"sender": {"id": "7300000000000009"}, "recipient": {"id": "1"}, "timestamp": 1e999,'
        ' "message": {"mid": "m_inf", "text": "x"}}',
        '{"sender": {"id": "7300000000000009"}, "recipient": {"id": "1"}, "timestamp": 1,'
        ' "message": {"mid": "m_sur", "text": "\\ud800"}}',
        '{"sender": {"id": "7300000000000009"}, "recipient": {"id": "1"}, "timestamp": 1,'
        ' "read": {}}',
        '{"sender": {"id": null}, "recipient": {"id": "1"}, "timestamp": 1,'
        ' "message": {"mid": "m_null", "text": "x"}}',
        '{"sender": {"id": "7300000000000009"}, "recipient": {"id": "1"},'
        ' "timestamp": 123456789012345678901234567890, "message": {"mid": "m_big", "text": "x"}}',
        '{"sender": {"id": "7300000000000009"}, "recipient": {"id": "1"}, "timestamp": 1,'
        ' "message": {"mid": "m_deep", "text": "x", "attachments": [{"type": "file",'
        ' "payload": {"url": "https://x", "coordinates": ' + "[" * 500 + "]" * 500 + "}}]}}",
        '{"sender": {"id": "7300000000000009"}, "recipient": {"id": "1"}, "timestamp": 1,'
        ' "message": {"mid": "m_text", "text": {"not": "text"}}}',
    ],
    ids=["inf", "surrogate", "read-without-watermark", "null-sender", "huge", "deep", "dict"],
)
def test_a_bad_event_is_skipped_alone(app, client, bad):
    raw = (
        '{"object": "page", "entry": [{"id": "'
        + PAGE_ID
        + '", "time": 1, "messaging": ['
        + _good("7300000000000002")
        + ", "
        + bad
        + ", "
        + _good("7300000000000003")
        + "]}]}"
    ).encode()
    assert _raw_post(client, raw).status_code == 200
    rt = app.extensions["barta"]
    rt.drain()
    db = rt.db()
    assert conversations.by_psid(db, "7300000000000002") is not None
    assert conversations.by_psid(db, "7300000000000003") is not None
    assert conversations.by_psid(db, "None") is None
    assert conversations.by_psid(db, "7300000000000009") is None
    names = [r[0] for r in db.execute("SELECT psid FROM conversations").fetchall()]
    assert "None" not in names and "" not in names


def test_a_long_search_and_lone_surrogates_with_a_token(app, client, customer):
    bearer = token(app)
    assert 400 <= client.get("/api/leads", query_string={"q": "x" * 50_000},
                             headers=bearer).status_code < 500  # fmt: skip
    customer("7300000000000004").says("hello")
    cid = conversations.by_psid(app.extensions["barta"].db(), "7300000000000004")["id"]
    for path, field in (("notes", "text"), ("labels", "label"), ("stage", "stage"),
                        ("reply", "text")):  # fmt: skip
        resp = client.post(
            f"/api/conversations/{cid}/{path}",
            data='{"' + field + '": "a\\ud800b"}',
            headers={**bearer, "Content-Type": "application/json"},
        )
        assert 400 <= resp.status_code < 500, (path, resp.status_code)


def test_post_webhook_helper_still_works(client):
    assert post_webhook(client, envelope(text_event("7300000000000005", "hi"))).status_code == 200
