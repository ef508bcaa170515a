"""One handler for the domain errors: JSON in one shape under /api and /simulator; in the
workspace a flash and back for a form, an error page otherwise."""

from __future__ import annotations

import pytest

from bot import errors
from store import staff as accounts

PASSWORD = "correct horse battery"

EVERY_ERROR = [
    (errors.FlowError("flows.yaml has errors"), 500, {}),
    (
        errors.InvalidInput("the note is empty", field="text", problem="empty"),
        400,
        {"field": "text"},
    ),
    (
        errors.StageError("converted", "new", ["post_sales", "lost"]),
        409,
        {"current": "converted", "target": "new", "legal": ["post_sales", "lost"]},
    ),
    (errors.AlreadyClaimed("karim", "claimed"), 409, {"claimed_by": "karim", "state": "claimed"}),
    (errors.HandoffClosed("resolved"), 409, {"state": "resolved"}),
    (errors.NotFound("conversation 9 does not exist"), 404, {}),
    (errors.WindowClosed("more than 7 days"), 409, {"window": "closed"}),
]


@pytest.mark.parametrize(("error", "status", "extra"), EVERY_ERROR)
def test_every_domain_error_has_its_status_and_the_one_body(error, status, extra):
    assert error.status == status
    assert error.body() == {"ok": False, "error": str(error), "status": status, **extra}


@pytest.fixture
def raising(app):
    """Routes under each prefix that raise the error named in the query string."""
    by_name = {type(e).__name__: e for e, _, _ in EVERY_ERROR}

    def boom():
        from flask import request

        raise by_name[request.args["error"]]

    for prefix in ("/api", "/simulator", "/staff"):
        app.add_url_rule(
            f"{prefix}/_boom", f"boom{prefix.replace('/', '_')}", boom, methods=["GET", "POST"]
        )
    rt = app.extensions["barta"]
    accounts.create(rt.db(), "rina", "owner", PASSWORD, rt.clock())
    client = app.test_client()
    client.post("/staff/login", data={"name": "rina", "password": PASSWORD})
    client.get("/staff/lang/en")
    return client


@pytest.mark.parametrize("prefix", ["/api", "/simulator"])
@pytest.mark.parametrize(("error", "status", "extra"), EVERY_ERROR)
def test_under_api_and_simulator_a_domain_error_is_json(raising, prefix, error, status, extra):
    resp = raising.post(f"{prefix}/_boom", query_string={"error": type(error).__name__})
    assert resp.status_code == status and resp.mimetype == "application/json"
    assert resp.get_json() == error.body()


def test_in_the_workspace_a_refused_form_flashes_and_goes_back(raising):
    resp = raising.post(
        "/staff/_boom", query_string={"error": "WindowClosed"}, data={"next": "/staff/leads"}
    )
    assert resp.status_code == 302 and resp.headers["Location"] == "/staff/leads"
    page = raising.get("/staff/leads").text
    assert "Not sent: more than 7 days have passed." in page
    resp = raising.post(
        "/staff/_boom", query_string={"error": "AlreadyClaimed"}, data={"next": "//evil.example"}
    )
    assert resp.headers["Location"] == "/staff/queue"  # never off-site
    assert "karim already claimed this lead." in raising.get("/staff/queue").text


def test_in_the_workspace_a_page_that_fails_is_an_error_page(raising):
    resp = raising.get("/staff/_boom", query_string={"error": "StageError"})
    assert resp.status_code == 409
    assert "Cannot move from Converted to New intake. Allowed: Post-sales, Lost." in resp.text
    missing = raising.post("/staff/_boom", query_string={"error": "NotFound"})
    assert missing.status_code == 404 and "This lead does not exist (any more)." in missing.text


def test_real_routes_answer_unknown_things_by_their_side(raising):
    page = raising.get("/staff/c/999")
    assert page.status_code == 404 and "This lead does not exist (any more)." in page.text
    assert raising.post("/staff/queue/999/claim").status_code == 404
    assert raising.post("/staff/queue/999/release").status_code == 404
    assert raising.post("/staff/c/999/notes", data={"text": "x"}).status_code == 404
    empty = raising.post("/staff/c/999/notes", data={"text": ""}, follow_redirects=True)
    assert empty.status_code == 404  # refused text, then no conversation to go back to
    sim = raising.post("/simulator/send", json={})
    assert (
        sim.status_code == 400 and sim.get_json()["ok"] is False and sim.get_json()["status"] == 400
    )


def test_an_http_error_under_api_keeps_the_json_shape_and_elsewhere_not(client):
    resp = client.get("/api/no-such-route")
    assert resp.status_code == 404 and resp.get_json()["status"] == 404
    assert client.get("/staff/no-such-page").mimetype == "text/html"
