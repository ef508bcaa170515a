"""The webhook: verification, signatures on raw bytes, limits, every fixture, dedupe."""

from __future__ import annotations

import json

import pytest

from tests.conftest import (
    FIXTURES,
    envelope,
    fixture_bytes,
    post_webhook,
    sign,
    text_event,
)

VERIFY = json.loads((FIXTURES / "webhook" / "verification_requests.json").read_text("utf-8"))
SIGNATURES = json.loads((FIXTURES / "signatures.json").read_text("utf-8"))
EVENT_FIXTURES = sorted(
    p.name for p in (FIXTURES / "webhook").glob("*.json") if p.name != "verification_requests.json"
)


def inbox_rows(app):
    db = app.extensions["barta"].db()
    return db.execute("SELECT key, psid, kind, event FROM inbox ORDER BY id").fetchall()


@pytest.mark.parametrize("case", VERIFY["cases"], ids=[c["name"] for c in VERIFY["cases"]])
def test_verification_echoes_the_challenge_only_for_the_right_token(client, case):
    resp = client.get("/webhook", query_string=case["query"])
    assert resp.status_code == case["expect_status"]
    if "expect_body" in case:
        assert resp.get_data(as_text=True) == case["expect_body"]


def test_verification_is_refused_without_a_configured_token(make_app):
    app = make_app(MESSENGER_VERIFY_TOKEN=None)
    good = VERIFY["cases"][0]["query"]
    assert app.test_client().get("/webhook", query_string=good).status_code == 403


@pytest.mark.parametrize("entry", SIGNATURES["files"], ids=[f["file"] for f in SIGNATURES["files"]])
def test_signed_fixture_bytes_are_accepted_as_they_are(client, entry):
    raw = (FIXTURES / entry["file"]).read_bytes()
    assert len(raw) == entry["bytes"]
    resp = client.post(
        "/webhook",
        data=raw,
        headers={
            "X-Hub-Signature-256": entry["X-Hub-Signature-256"],
            "Content-Type": "application/json",
        },
    )
    assert resp.status_code == 200


@pytest.mark.parametrize("entry", SIGNATURES["files"], ids=[f["file"] for f in SIGNATURES["files"]])
def test_one_flipped_byte_is_refused(client, app, entry):
    raw = bytearray((FIXTURES / entry["file"]).read_bytes())
    raw[len(raw) // 2] ^= 0x01
    resp = client.post(
        "/webhook", data=bytes(raw), headers={"X-Hub-Signature-256": entry["X-Hub-Signature-256"]}
    )
    assert resp.status_code == 403
    assert inbox_rows(app) == []


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "sha256=",
        "sha1=b544fa8b381c88885ee7c59c8f99e02bcccc6573",
        "sha256=" + "0" * 64,
        "md5=x",
    ],
)
def test_missing_or_bad_signature_is_refused(client, app, header):
    raw = fixture_bytes("text_message.json")
    headers = {} if header is None else {"X-Hub-Signature-256": header}
    assert client.post("/webhook", data=raw, headers=headers).status_code == 403
    assert inbox_rows(app) == []


def test_bangla_wire_bytes_verify_and_keep_their_text(client, app):
    raw = fixture_bytes("raw/text_message_bn.wire.json")
    assert b"\\u09a6" in raw  # Meta sends Bangla \u-escaped
    assert post_webhook(client, raw).status_code == 200
    ((_key, psid, kind, event),) = inbox_rows(app)
    assert (psid, kind) == ("7012345678901234", "message")
    assert json.loads(event)["text"] == "দাম কত?"


def test_reserialised_bangla_no_longer_matches_meta_signature(client):
    raw = fixture_bytes("raw/text_message_bn.wire.json")
    reencoded = json.dumps(json.loads(raw), ensure_ascii=False).encode()
    resp = client.post("/webhook", data=reencoded, headers={"X-Hub-Signature-256": sign(raw)})
    assert resp.status_code == 403


def test_posts_are_refused_without_an_app_secret(make_app):
    app = make_app(MESSENGER_APP_SECRET=None)
    resp = post_webhook(app.test_client(), fixture_bytes("text_message.json"))
    assert resp.status_code == 403
    assert inbox_rows(app) == []


@pytest.mark.parametrize("raw", [b"{not json", b"", "\u09a6".encode("utf-16"), b"\xff\xfe\x00"])
def test_malformed_json_is_a_400(client, raw):
    assert post_webhook(client, raw).status_code == 400


def test_over_one_mebibyte_is_a_413(client, app):
    body = envelope(text_event("7012345678901234", "x" * (1024 * 1024)))
    resp = post_webhook(client, body)
    assert resp.status_code == 413
    assert inbox_rows(app) == []


def test_just_under_the_limit_is_accepted(client):
    body = envelope(text_event("7012345678901234", "ক" * 1000))
    assert post_webhook(client, body).status_code == 200


@pytest.mark.parametrize("name", EVENT_FIXTURES)
def test_every_fixture_is_answered_200_and_processed_without_error(app, client, name):
    raw = fixture_bytes(name)
    assert post_webhook(client, raw).status_code == 200
    runtime = app.extensions["barta"]
    runtime.drain()
    db = runtime.db()
    assert db.execute("SELECT count(*) FROM inbox WHERE status != 'done'").fetchone()[0] == 0


def test_unusable_shapes_are_skipped_not_stored(client, app):
    for name in ("dashboard_test_sample.json",):
        assert post_webhook(client, fixture_bytes(name)).status_code == 200
    assert inbox_rows(app) == []


def test_instagram_messages_are_stored_since_issue_15(client, app):
    # issue 15 turned Instagram on: what used to be refused is now an Instagram DM
    assert post_webhook(client, fixture_bytes("instagram_text_message.json")).status_code == 200
    rows = inbox_rows(app)
    assert len(rows) == 1 and '"channel":"instagram"' in str(rows[0])


def test_a_batch_of_two_entries_stores_all_three_events(client, app):
    assert (
        post_webhook(client, fixture_bytes("batched_two_entries_three_events.json")).status_code
        == 200
    )
    kinds = sorted((psid, kind) for _k, psid, kind, _e in inbox_rows(app))
    assert kinds == [
        ("7012345678901234", "message"),
        ("7023456789012345", "read"),
        ("7034567890123456", "postback"),
    ]


def test_a_redelivered_post_is_stored_and_answered_once(client, app):
    raw = fixture_bytes("text_message_bn.json")
    for _ in range(3):
        assert post_webhook(client, raw).status_code == 200
    assert len(inbox_rows(app)) == 1
    runtime = app.extensions["barta"]
    runtime.drain()
    db = runtime.db()
    first = db.execute("SELECT count(*) FROM outbox").fetchone()[0]
    assert first > 0
    assert post_webhook(client, raw).status_code == 200
    runtime.drain()
    assert db.execute("SELECT count(*) FROM outbox").fetchone()[0] == first


def test_events_of_one_post_are_processed_in_timestamp_order(client, app, customer):
    a, b = text_event("7099", "first"), text_event("7099", "second")
    a["timestamp"], b["timestamp"] = 2000, 1000
    assert post_webhook(client, envelope(a, b)).status_code == 200
    texts = [json.loads(e)["text"] for _k, _p, _kind, e in inbox_rows(app)]
    assert texts == ["second", "first"]


def test_healthz_reports_pending_work(client):
    post_webhook(client, fixture_bytes("text_message.json"))
    data = client.get("/healthz").get_json()
    assert data["ok"] is True
    assert data["inbox"]["pending"] == 1
    assert data["outbox"]["pending"] == 0
    assert data["mode"] == "online"
