"""Several Pages in the workspace and the JSON API: the Page filter, the Page of each row,
staff limited to some Pages (everything else is a 404 to them), and each lead worded by
its own Page's flows — over a real database (SQLite, or PostgreSQL with
BARTA_TEST_DB=postgresql)."""

from __future__ import annotations

import csv
import io
import json

import pytest

from bot.book.compiler import load_book
from store import conversations, pages, queue
from store import staff as accounts
from store.db import write_tx
from tests.conftest import TEST_FLOWS

PAGE_A = "105511223344556"
PAGE_B = "105599887766554"
PASSWORD = "correct horse battery"
QUESTION_MAIN = "What are you looking for?"
QUESTION_B = "Which shirt would you like?"


def lead(app, psid: str, page_id: str, *, name: str, handoff: bool = True, label: str = "") -> int:
    rt = app.extensions["barta"]
    db = rt.db()
    now = rt.clock()
    with write_tx(db):
        conv = conversations.create(db, psid, now, page_id=page_id)
        db.conn.execute(
            "UPDATE conversations SET name = ?, answers = ? WHERE id = ?",
            (name, json.dumps({"need": "saree"}), conv["id"]),
        )
        if handoff:
            queue.enqueue(db, conv["id"], "human", now)
        if label:
            conversations.add_label(db, conv["id"], label, now)
    return conv["id"]


def account(app, name: str, role: str = "agent", limit: list[str] | None = None) -> dict:
    rt = app.extensions["barta"]
    made = accounts.create(rt.db(), name, role, PASSWORD, rt.clock())
    if limit is not None:
        accounts.set_pages(rt.db(), made["id"], limit)
    token = accounts.new_token(rt.db(), made["id"], rt.clock())
    return {**made, "headers": {"Authorization": f"Bearer {token}"}}


def browser(app, name: str):
    client = app.test_client()
    client.get("/staff/lang/en")
    assert client.post("/staff/login", data={"name": name, "password": PASSWORD}).status_code == 302
    return client


@pytest.fixture
def shops(make_app, tmp_path):
    """Two added Pages (A: Shopno Fashion, B: Amar Dokan with its own flows) beside the
    Page of MESSENGER_PAGE_TOKEN, a lead on each, and an owner."""
    app = make_app()
    flows_b = tmp_path / "shop_b.yaml"
    flows_b.write_text(
        TEST_FLOWS.read_text("utf-8")
        .replace(QUESTION_MAIN, QUESTION_B)
        .replace("Saree, score", "Shirt, score"),
        encoding="utf-8",
    )
    book_b, problems = load_book(str(flows_b))
    assert book_b is not None, problems
    rt = app.extensions["barta"]
    pages.add(rt.db(), PAGE_A, rt.clock(), token="EAAa", name="Shopno Fashion")
    pages.add(rt.db(), PAGE_B, rt.clock(), token="EAAb", name="Amar Dokan", flows=str(flows_b))
    assert rt.refresh_pages()  # the server's own registry (bot.pages), as a poll finds them
    assert app.config["PAGES"].book(PAGE_B).flows.keys() == book_b.flows.keys()
    ids = {
        "a": lead(app, "7000000000000001", PAGE_A, name="Rahima", label="eid"),
        "b": lead(app, "7000000000000002", PAGE_B, name="Karim", label="cod"),
        "main": lead(app, "7000000000000003", "", name="Salma"),
    }
    owner = account(app, "rina", "owner")
    return app, ids, owner


def names(items, key: str = "name") -> set[str]:
    return {i[key] for i in items}


# --- a deployment without Pages looks as before -------------------------------------------


def test_without_pages_nothing_about_pages_shows(app):
    lead(app, "7000000000000009", "", name="Salma")
    owner = account(app, "rina", "owner")
    client = browser(app, "rina")
    for path in ("/staff/queue", "/staff/queue?show=all", "/staff/leads", "/staff/overview"):
        html = client.get(path).get_data(as_text=True)
        assert 'name="page"' not in html and "badge page" not in html, path
    items = app.test_client().get("/api/queue", headers=owner["headers"]).get_json()
    assert [i["page_id"] for i in items] == [""]
    conv = app.test_client().get(
        f"/api/conversations/{items[0]['conversation_id']}", headers=owner["headers"]
    )
    assert conv.get_json()["page_id"] == ""


# --- the Page filter ------------------------------------------------------------------------


def test_the_api_filters_by_page(shops):
    app, ids, owner = shops
    api = app.test_client()
    h = owner["headers"]
    everyone = api.get("/api/queue", headers=h).get_json()
    assert names(everyone) == {"Rahima", "Karim", "Salma"}
    assert {i["name"]: i["page_id"] for i in everyone}["Karim"] == PAGE_B
    only_b = api.get(f"/api/queue?page={PAGE_B}", headers=h).get_json()
    assert names(only_b) == {"Karim"}

    leads = api.get(f"/api/leads?page={PAGE_A}", headers=h).get_json()
    assert names(leads) == {"Rahima"} and leads[0]["page_id"] == PAGE_A
    assert len(api.get("/api/leads", headers=h).get_json()) == 3

    rows = list(csv.reader(io.StringIO(api.get(f"/api/leads.csv?page={PAGE_B}", headers=h)
                                       .get_data(as_text=True).lstrip("\ufeff"))))  # fmt: skip
    assert [r[2] for r in rows[1:]] == ["Karim"]

    assert api.get("/api/stats", headers=h).get_json()["leads"] == 3
    assert api.get(f"/api/stats?page={PAGE_B}", headers=h).get_json()["leads"] == 1
    assert api.get("/api/stats?page=999", headers=h).get_json()["leads"] == 0

    conv = api.get(f"/api/conversations/{ids['b']}", headers=h).get_json()
    assert conv["page_id"] == PAGE_B

    bad = api.get("/api/queue?page=shop-b", headers=h)
    assert bad.status_code == 400 and bad.get_json()["ok"] is False


def test_the_workspace_filters_by_page_and_names_each_row_s_page(shops):
    app, ids, _owner = shops
    client = browser(app, "rina")
    html = client.get("/staff/queue").get_data(as_text=True)
    assert '<select name="page">' in html
    assert "Shopno Fashion" in html and "Amar Dokan" in html and 'class="badge page"' in html
    only_b = client.get(f"/staff/queue?page={PAGE_B}").get_data(as_text=True)
    assert "Karim" in only_b and "Rahima" not in only_b and "Salma" not in only_b
    # the tabs keep the Page
    assert f"show=all&amp;page={PAGE_B}" in only_b or f"page={PAGE_B}&amp;show=all" in only_b

    inbox = client.get(f"/staff/queue?show=all&page={PAGE_A}").get_data(as_text=True)
    assert "Rahima" in inbox and "Karim" not in inbox
    live = client.get(f"/staff/queue.json?show=queue&page={PAGE_A}").get_json()
    assert live["count"] == 1 and "Shopno Fashion" in live["html"]

    leads = client.get(f"/staff/leads?page={PAGE_B}").get_data(as_text=True)
    assert "Karim" in leads and "Rahima" not in leads and "Amar Dokan" in leads
    csv_text = client.get(f"/staff/leads.csv?page={PAGE_A}").get_data(as_text=True)
    assert "Rahima" in csv_text and "Karim" not in csv_text

    overview = client.get(f"/staff/overview?page={PAGE_B}").get_data(as_text=True)
    assert '<select name="page">' in overview
    assert f'<option value="{PAGE_B}" selected>' in overview

    conv = client.get(f"/staff/c/{ids['b']}").get_data(as_text=True)
    assert 'class="badge page"' in conv and "Amar Dokan" in conv


def test_each_lead_is_worded_by_its_own_page_s_flows(shops):
    app, ids, _owner = shops
    client = browser(app, "rina")
    for path in ("/staff/queue", "/staff/leads"):
        html = client.get(path).get_data(as_text=True)
        rows = html.split('data-id="') if path == "/staff/queue" else html.split("<tr>")
        row_b = next(r for r in rows if "Karim" in r)
        row_a = next(r for r in rows if "Rahima" in r)
        assert QUESTION_B in row_b and "Shirt" in row_b, path
        assert QUESTION_MAIN in row_a and QUESTION_B not in row_a, path
    conv = client.get(f"/staff/c/{ids['b']}").get_data(as_text=True)
    assert QUESTION_B in conv and QUESTION_MAIN not in conv


# --- staff limited to some Pages ----------------------------------------------------------


def test_an_agent_limited_to_a_page_sees_only_its_conversations_in_the_api(shops):
    app, ids, _owner = shops
    agent = account(app, "karim", limit=[PAGE_B])
    api = app.test_client()
    h = agent["headers"]
    assert names(api.get("/api/queue", headers=h).get_json()) == {"Karim"}
    assert api.get(f"/api/queue?page={PAGE_A}", headers=h).get_json() == []
    assert names(api.get("/api/leads", headers=h).get_json()) == {"Karim"}
    assert api.get("/api/stats", headers=h).get_json()["leads"] == 1
    assert api.get(f"/api/conversations/{ids['b']}", headers=h).status_code == 200

    other = ids["a"]
    handoff = queue.open_for(app.extensions["barta"].db(), other)["id"]
    for method, path, body in [
        ("get", f"/api/conversations/{other}", None),
        ("post", f"/api/conversations/{other}/reply", {"text": "hello"}),
        ("post", f"/api/conversations/{other}/stage", {"stage": "qualified"}),
        ("post", f"/api/conversations/{other}/notes", {"text": "a note"}),
        ("post", f"/api/conversations/{other}/labels", {"label": "x"}),
        ("post", f"/api/conversations/{other}/name", {"name": "x"}),
        ("delete", f"/api/conversations/{other}/labels/eid", None),
        ("post", f"/api/queue/{handoff}/claim", None),
        ("post", f"/api/queue/{handoff}/release", None),
        ("post", f"/api/queue/{handoff}/resolve", None),
        ("post", f"/api/queue/{handoff}/unclaim", None),
        ("post", f"/api/queue/{handoff}/assign", {"to": "karim"}),
    ]:
        resp = getattr(api, method)(path, headers=h, json=body)
        assert resp.status_code == 404, (path, resp.status_code)
        assert resp.get_json()["ok"] is False
    item = queue.get(app.extensions["barta"].db(), handoff)
    assert item["status"] == "waiting" and item["claimed_by"] is None  # nothing happened
    assert conversations.labels(app.extensions["barta"].db(), other) == ["eid"]


def test_an_owner_with_a_limit_is_limited_too(shops):
    app, _ids, _owner = shops
    boss = account(app, "boss", "owner", limit=[PAGE_A])
    rows = app.test_client().get("/api/leads.csv", headers=boss["headers"]).get_data(as_text=True)
    assert "Rahima" in rows and "Karim" not in rows and "Salma" not in rows


def test_an_agent_limited_to_a_page_sees_only_it_in_the_workspace(shops):
    app, ids, _owner = shops
    account(app, "karim", limit=[PAGE_B])
    client = browser(app, "karim")
    queue_html = client.get("/staff/queue").get_data(as_text=True)
    assert "Karim" in queue_html and "Rahima" not in queue_html and "Salma" not in queue_html
    # the filter offers only the agent's own Page
    assert f'value="{PAGE_B}"' in queue_html and f'value="{PAGE_A}"' not in queue_html
    inbox = client.get("/staff/queue?show=all").get_data(as_text=True)
    assert "Karim" in inbox and "Rahima" not in inbox
    labels = client.get("/staff/queue?show=all").get_data(as_text=True)
    assert '<option value="cod"' in labels and '<option value="eid"' not in labels
    assert "Rahima" not in client.get(f"/staff/queue?page={PAGE_A}").get_data(as_text=True)
    leads = client.get("/staff/leads").get_data(as_text=True)
    assert "Karim" in leads and "Rahima" not in leads

    live = client.get("/staff/live.json?h=1").get_json()
    assert live["open"] == 1 and live["waiting"] == 1
    assert [n["name"] for n in live["new"]] == ["Karim"]
    peek = client.get(f"/staff/live.json?c={ids['a']}&m=1").get_json()
    assert "messages_html" not in peek

    assert client.get(f"/staff/c/{ids['b']}").status_code == 200
    other = ids["a"]
    handoff = queue.open_for(app.extensions["barta"].db(), other)["id"]
    assert client.get(f"/staff/c/{other}").status_code == 404
    for path, data in [
        (f"/staff/c/{other}/reply", {"text": "hello"}),
        (f"/staff/c/{other}/stage", {"stage": "qualified"}),
        (f"/staff/c/{other}/notes", {"text": "a note"}),
        (f"/staff/c/{other}/labels", {"label": "x"}),
        (f"/staff/c/{other}/name", {"name": "x"}),
        (f"/staff/queue/{handoff}/claim", {}),
        (f"/staff/queue/{handoff}/resolve", {}),
    ]:
        assert client.post(path, data=data).status_code == 404, path
    assert queue.get(app.extensions["barta"].db(), handoff)["status"] == "waiting"

    overview = client.get("/staff/overview").get_data(as_text=True)
    assert 'class="big">1<' in overview.replace(" ", "")  # one lead: Karim


# --- the team page --------------------------------------------------------------------------


def test_an_owner_limits_an_agent_on_the_team_page(shops):
    app, _ids, _owner = shops
    agent = account(app, "karim")
    client = browser(app, "rina")
    html = client.get("/staff/team").get_data(as_text=True)
    assert "Pages karim works on" in html and 'name="pages"' in html
    assert "Pages rina works on" not in html  # owners work on every Page
    done = client.post(
        "/staff/team", data={"action": "pages", "who": agent["id"], "pages": [PAGE_A, PAGE_B]}
    )
    assert done.status_code == 302
    db = app.extensions["barta"].db()
    assert accounts.get(db, agent["id"])["pages"] == [PAGE_A, PAGE_B]
    client.post("/staff/team", data={"action": "pages", "who": agent["id"], "pages": [PAGE_B]})
    assert accounts.get(db, agent["id"])["pages"] == [PAGE_B]
    html = client.get("/staff/team").get_data(as_text=True)
    assert f'value="{PAGE_B}" checked' in html
    # an unknown Page is refused; nothing ticked is every Page
    client.post("/staff/team", data={"action": "pages", "who": agent["id"], "pages": ["999"]})
    assert accounts.get(db, agent["id"])["pages"] == [PAGE_B]
    client.post("/staff/team", data={"action": "pages", "who": agent["id"]})
    assert accounts.get(db, agent["id"])["pages"] is None
    # an agent may not set anyone's Pages
    agent_client = browser(app, "karim")
    refused = agent_client.post(
        "/staff/team", data={"action": "pages", "who": agent["id"], "pages": [PAGE_A]}
    )
    assert refused.status_code == 403
    assert accounts.get(db, agent["id"])["pages"] is None


def test_the_team_page_s_page_form_needs_its_csrf_token(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    rt = app.extensions["barta"]
    pages.add(rt.db(), PAGE_A, rt.clock(), token="EAAa", name="Shopno Fashion")
    account(app, "rina", "owner")
    agent = account(app, "karim")
    client = app.test_client()
    login_page = client.get("/staff/login").get_data(as_text=True)
    token = login_page.split('name="csrf_token" value="')[1].split('"')[0]
    client.post("/staff/login", data={"name": "rina", "password": PASSWORD, "csrf_token": token})
    forged = client.post("/staff/team", data={"action": "pages", "who": agent["id"],
                                              "pages": [PAGE_A]})  # fmt: skip
    assert forged.status_code == 400
    assert accounts.get(rt.db(), agent["id"])["pages"] is None
    html = client.get("/staff/team").get_data(as_text=True)
    form = html.split('value="pages"')[0].rsplit("<form", 1)[1]
    assert 'name="csrf_token"' in form


def test_a_lead_is_assigned_only_to_someone_who_works_on_its_page(shops):
    app, ids, owner = shops
    account(app, "karim", limit=[PAGE_B])
    db = app.extensions["barta"].db()
    handoff_a = queue.open_for(db, ids["a"])["id"]
    api = app.test_client()
    refused = api.post(f"/api/queue/{handoff_a}/assign", headers=owner["headers"],
                       json={"to": "karim"})  # fmt: skip
    assert refused.status_code == 400 and "Page" in refused.get_json()["error"]
    assert queue.get(db, handoff_a)["claimed_by"] is None
    handoff_b = queue.open_for(db, ids["b"])["id"]
    done = api.post(
        f"/api/queue/{handoff_b}/assign", headers=owner["headers"], json={"to": "karim"}
    )
    assert done.status_code == 200 and done.get_json()["claimed_by"] == "karim"
    # the conversation page offers only those who work on its Page
    client = browser(app, "rina")
    html = client.get(f"/staff/c/{ids['a']}").get_data(as_text=True)
    assert '<option value="karim"' not in html and '<option value="rina"' in html
    flashed = client.post(f"/staff/queue/{handoff_a}/assign", data={"to": "karim"},
                          follow_redirects=True)  # fmt: skip
    assert "does not work on this lead" in flashed.get_data(as_text=True)
