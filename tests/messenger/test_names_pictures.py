"""Customers' profile pictures kept as bytes: the names worker downloads Meta's expiring
``profile_pic`` link (here the loopback fake Graph API serves it, behind a redirect as
Meta's platform-lookaside links are) and keeps it in the database — only a JPEG, PNG, WebP
or GIF of at most 512 KB, only over https (or from the Graph API's own address). Over
SQLite, or PostgreSQL with BARTA_TEST_DB=postgresql."""

from __future__ import annotations

import logging

import pytest
import requests

from bot.messenger import graph as graph_module
from bot.messenger.graph import Messenger, PictureRefused, picture_type
from store import conversations, pictures
from store.db import write_tx
from tests.conftest import Clock
from tests.fake_graph import PNG
from tests.messenger.test_names import DAY, FLOWS, PSID, conv, write

GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
WEBP = b"RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00\x2f\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88"
HTML = b"<!doctype html><html><body>Sorry, this content isn't available</body></html>"


@pytest.fixture
def shop(make_app, graph):
    clock = Clock()
    app = make_app(FLOWS, CLOCK=clock)
    rt = app.extensions["barta"]
    rt.names.gap = 0
    return app, rt, clock, graph


def looked_up(shop) -> dict:
    app, rt, clock, graph = shop
    graph.profile_is(PSID, "ok_basic_fields")
    write(app, PSID)
    assert rt.names.work(rt.db()) == 1
    return conv(rt)


def warnings(caplog) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "bot.messenger.names" and r.levelno == logging.WARNING
    ]


def test_the_picture_is_downloaded_and_kept_as_bytes(shop):
    app, rt, clock, graph = shop
    c = looked_up(shop)
    kept = pictures.get(rt.db(), c["id"])
    assert kept["data"] == PNG and kept["content_type"] == "image/png"
    assert kept["fetched_at"] == clock() and len(kept["etag"]) == 32
    assert c["picture"] == pictures.path(c["id"]) == f"/staff/c/{c['id']}/picture"
    assert c["name"] == "Rahima Akter"
    # Meta's link redirected to the CDN; the Page token never went with either request
    assert [g["path"] for g in graph.picture_gets] == [f"/lookaside/{PSID}", f"/pictures/{PSID}"]
    assert all("access_token" not in g["query"] for g in graph.picture_gets)


@pytest.mark.parametrize(
    ("data", "content_type"),
    [(JPEG, "image/jpeg"), (GIF, "image/gif"), (WEBP, "image/webp"), (PNG, "image/png")],
)
def test_every_allowed_type_is_kept_as_what_its_bytes_are(shop, data, content_type):
    app, rt, clock, graph = shop
    # a CDN that calls every picture a JPEG: the bytes say what it is
    graph.picture_is(PSID, data, "image/jpeg; charset=binary")
    c = looked_up(shop)
    kept = pictures.get(rt.db(), c["id"])
    assert kept["data"] == data and kept["content_type"] == content_type


@pytest.mark.parametrize(
    ("answer", "why"),
    [
        ({"data": PNG + b"\0" * pictures.LIMIT}, f"bytes, over {pictures.LIMIT}"),  # Content-Length
        ({"data": PNG + b"\0" * pictures.LIMIT, "length": False}, f"over {pictures.LIMIT} bytes"),
        ({"data": HTML, "content_type": "text/html"}, "not a picture type: text/html"),
        ({"data": HTML, "content_type": "image/png"}, "not a picture"),  # bytes say no
        (
            {"data": b"<svg xmlns='http://www.w3.org/2000/svg'/>", "content_type": "image/svg+xml"},
            "not a picture type",
        ),
        ({"data": PNG, "content_type": ""}, "not a picture type: none"),
        ({"data": b"gone", "content_type": "text/plain", "status": 404}, "HTTP 404"),
        ({"data": b"", "content_type": "image/png"}, "not a picture"),
    ],
)
def test_a_picture_too_large_or_not_an_image_is_not_kept(shop, caplog, answer, why):
    app, rt, clock, graph = shop
    graph.picture_is(PSID, **answer)
    caplog.set_level(logging.WARNING, "bot.messenger.names")
    c = looked_up(shop)
    assert pictures.get(rt.db(), c["id"]) is None and c["picture"] is None
    assert c["name"] == "Rahima Akter"  # the name is kept all the same
    [said] = warnings(caplog)  # logged once
    assert why in said and "profile picture not kept" in said
    assert "127.0.0.1" not in said  # never the (signed) link


def test_a_link_elsewhere_than_https_is_never_followed(shop, caplog):
    app, rt, clock, graph = shop
    graph.picture_is(PSID, location="http://198.51.100.7/picture.png")  # a redirect to http
    caplog.set_level(logging.WARNING, "bot.messenger.names")
    c = looked_up(shop)
    assert pictures.get(rt.db(), c["id"]) is None
    assert [g["path"] for g in graph.picture_gets] == [f"/lookaside/{PSID}"]
    [said] = warnings(caplog)
    assert "not an https link" in said


def test_endless_redirects_are_not_followed(shop, caplog):
    app, rt, clock, graph = shop
    graph.picture_is(PSID, location=f"/lookaside/{PSID}")
    caplog.set_level(logging.WARNING, "bot.messenger.names")
    c = looked_up(shop)
    assert pictures.get(rt.db(), c["id"]) is None
    assert len(graph.picture_gets) == graph_module.PICTURE_REDIRECTS + 1
    assert "too many redirects" in warnings(caplog)[0]


def test_a_failed_download_keeps_no_picture_and_the_name(shop, caplog, monkeypatch):
    app, rt, clock, graph = shop

    def refused(*args, **kwargs):
        raise requests.ConnectionError("connection refused")

    monkeypatch.setattr(Messenger, "download_picture", refused)
    caplog.set_level(logging.WARNING, "bot.messenger.names")
    c = looked_up(shop)
    assert pictures.get(rt.db(), c["id"]) is None and c["picture"] is None
    assert c["name"] == "Rahima Akter"
    assert rt.db().execute("SELECT name_error FROM conversations").fetchone()[0] is None
    [said] = warnings(caplog)
    assert "not downloaded: ConnectionError" in said


def test_the_picture_is_fetched_again_at_the_next_look_up(shop):
    app, rt, clock, graph = shop
    c = looked_up(shop)
    first = pictures.get(rt.db(), c["id"])
    clock.advance(DAY + 60)
    graph.picture_is(PSID, GIF, "image/gif")
    write(app, PSID, "শাড়ি")
    assert rt.names.work(rt.db()) == 1
    again = pictures.get(rt.db(), c["id"])
    assert again["data"] == GIF and again["content_type"] == "image/gif"
    assert again["etag"] != first["etag"] and again["fetched_at"] == clock()
    # a refused picture later leaves the one kept before
    clock.advance(DAY + 60)
    graph.picture_is(PSID, HTML, "text/html")
    write(app, PSID, "আর কিছু")
    assert rt.names.work(rt.db()) == 1
    assert pictures.get(rt.db(), c["id"])["data"] == GIF
    assert conv(rt)["picture"] == pictures.path(c["id"])
    assert rt.db().execute("SELECT count(*) FROM pictures").fetchone()[0] == 1


def test_participants_bring_no_picture_and_an_older_one_stays(shop):
    app, rt, clock, graph = shop
    c = looked_up(shop)
    clock.advance(DAY + 60)
    graph.profile_is(PSID, "feature_missing_100_33")
    graph.participant_is(PSID, "Rahima Begum")
    write(app, PSID, "শাড়ি")
    assert rt.names.work(rt.db()) == 1
    assert conv(rt)["name"] == "Rahima Begum"
    assert pictures.get(rt.db(), c["id"])["data"] == PNG


def test_only_https_or_the_graph_api_s_own_address():
    client = Messenger("https://graph.facebook.com/v25.0", "token")
    try:
        for url in (
            "http://platform-lookaside.fbsbx.com/platform/profilepic/?psid=1",
            "ftp://example.com/a.png",
            "file:///etc/passwd",
            "https:///no-host",
            "data:image/png;base64,iVBORw0KGgo=",
        ):
            with pytest.raises(PictureRefused, match="not an https link"):
                client.download_picture(url, pictures.LIMIT, pictures.TYPES)
        assert client._picture_link("https://scontent.xx.fbcdn.net/v/t1.png?oh=1")
    finally:
        client.close()
    local = Messenger("http://127.0.0.1:9/v25.0", "token")
    try:
        assert local._picture_link("http://127.0.0.1:9/pictures/1")
        assert not local._picture_link("http://127.0.0.1:10/pictures/1")
    finally:
        local.close()


def test_the_download_is_short_and_capped():
    connect, read = graph_module.PICTURE_TIMEOUT
    assert connect <= 5 and read <= 5 and graph_module.PICTURE_DEADLINE <= 15
    assert pictures.LIMIT == 512 * 1024
    assert set(pictures.TYPES) == {"image/jpeg", "image/png", "image/webp", "image/gif"}


def test_picture_type_reads_the_bytes():
    assert picture_type(PNG) == "image/png"
    assert picture_type(JPEG) == "image/jpeg"
    assert picture_type(GIF) == "image/gif" and picture_type(b"GIF87a...") == "image/gif"
    assert picture_type(WEBP) == "image/webp"
    for other in (b"", HTML, b"RIFF\0\0\0\0WAVEfmt ", b"<svg/>", b"%PDF-1.7"):
        assert picture_type(other) is None


def test_the_store_refuses_what_the_workspace_must_not_serve(shop):
    app, rt, clock, graph = shop
    write(app, PSID)
    cid = conv(rt)["id"]
    db = rt.db()
    with pytest.raises(ValueError):
        with write_tx(db):
            pictures.keep(db, cid, HTML, "text/html", clock())
    with pytest.raises(ValueError):
        with write_tx(db):
            pictures.keep(db, cid, b"\0" * (pictures.LIMIT + 1), "image/png", clock())
    assert pictures.get(db, cid) is None
    # bytes of every value round-trip (BLOB on SQLite, BYTEA on PostgreSQL)
    every = PNG + bytes(range(256)) * 4
    with write_tx(db):
        etag = pictures.keep(db, cid, every, "image/png", clock())
    assert pictures.get(db, cid)["data"] == every and pictures.etag_of(db, cid) == etag
    assert conversations.get(db, cid)["picture"] == pictures.path(cid)
