"""Staff set or correct a customer's name (issue 10, item 2): the API, the workspace form,
and the name and picture in the conversation, the queue, the leads and the CSV."""

from __future__ import annotations

import csv
import io

from store import conversations
from tests.staff.test_api import HUMAN_BN, add_staff, bearer

PSID = "7012345678901234"
PIC = "https://platform-lookaside.fbsbx.com/platform/profilepic/?psid=1"


def test_staff_set_a_name_and_it_shows_everywhere(app, client, customer):
    owner = bearer(add_staff(app, "rina", "owner"))
    c = customer(PSID)
    c.says(HUMAN_BN)  # handed off: in the queue
    cid = c.conversation()["id"]
    db = c.runtime.db()
    with db.conn:  # Messenger's picture, as the names worker keeps it
        conversations.set_name(db, cid, None, c.runtime.clock(), source="profile", picture=PIC)
    resp = client.post(f"/api/conversations/{cid}/name", json={"name": "  Rahima   Akter "},
                       headers=owner)  # fmt: skip
    assert resp.status_code == 200 and resp.json == {"ok": True, "id": cid, "name": "Rahima Akter"}
    lead = client.get(f"/api/conversations/{cid}", headers=owner).json
    assert lead["name"] == "Rahima Akter" and lead["picture"] == PIC
    assert lead["name_source"] == "staff"
    [item] = client.get("/api/queue", headers=owner).json
    assert item["name"] == "Rahima Akter" and item["picture"] == PIC
    [row] = client.get("/api/leads", headers=owner).json
    assert row["name"] == "Rahima Akter" and row["picture"] == PIC
    rows = list(csv.reader(io.StringIO(client.get("/api/leads.csv", headers=owner).data
                                       .decode("utf-8-sig"))))  # fmt: skip
    assert rows[1][rows[0].index("name")] == "Rahima Akter"
    assert rows[1][rows[0].index("picture")] == PIC
    # a look-up never replaces what staff set
    with db.conn:
        assert not conversations.set_name(db, cid, "Someone Else", 0.0, source="profile")
    assert c.conversation()["name"] == "Rahima Akter"


def test_a_name_is_checked(app, client, customer):
    agent = bearer(add_staff(app, "karim", "agent"))
    c = customer(PSID)
    c.says("সালাম")
    cid = c.conversation()["id"]
    too_long = client.post(f"/api/conversations/{cid}/name", json={"name": "x" * 101},
                           headers=agent)  # fmt: skip
    assert too_long.status_code == 400
    wrong = client.post(f"/api/conversations/{cid}/name", json={"name": 5}, headers=agent)
    assert wrong.status_code == 400
    missing = client.post("/api/conversations/999/name", json={"name": "A"}, headers=agent)
    assert missing.status_code == 404
    cleared = client.post(f"/api/conversations/{cid}/name", json={"name": ""}, headers=agent)
    assert cleared.status_code == 200 and cleared.json["name"] is None


def test_the_csv_name_falls_back_to_a_name_answer(app, client, customer):
    owner = bearer(add_staff(app, "rina", "owner"))
    c = customer(PSID)
    c.says("সালাম")
    db = c.runtime.db()
    with db.conn:
        db.conn.execute('UPDATE conversations SET answers = \'{"name": "Karim"}\'')
    rows = list(csv.reader(io.StringIO(client.get("/api/leads.csv", headers=owner).data
                                       .decode("utf-8-sig"))))  # fmt: skip
    assert rows[1][rows[0].index("name")] == "Karim"


def test_the_workspace_form_sets_the_name(app, customer):
    from tests.staff.test_api import add_staff as _add

    _add(app, "rina", "owner")
    web = app.test_client()
    assert web.post("/staff/login", data={"name": "rina", "password": "correct horse battery"}
                    ).status_code in (200, 302)  # fmt: skip
    c = customer(PSID)
    c.says("সালাম")
    cid = c.conversation()["id"]
    page = web.get(f"/staff/c/{cid}").get_data(as_text=True)
    assert f'action="/staff/c/{cid}/name"' in page
    assert web.post(f"/staff/c/{cid}/name", data={"name": "রহিমা"}).status_code == 302
    assert c.conversation()["name"] == "রহিমা"
    assert "রহিমা" in web.get(f"/staff/c/{cid}").get_data(as_text=True)


def test_the_simulator_takes_a_typed_name(make_app):
    app = make_app(online=False)
    sim = app.test_client()
    assert sim.post("/simulator/reset", json={"name": "Rahima Akter"}).status_code == 200
    resp = sim.post("/simulator/send", json={"text": "দাম কত?", "name": "Rahima Akter"})
    psid = resp.json["psid"]
    rt = app.extensions["barta"]
    rt.drain()
    conv = conversations.by_psid(rt.db(), psid)
    assert conv["name"] == "Rahima Akter" and conv["name_source"] == "simulator"
    assert conv["last_customer_at"] is not None


def test_the_simulator_name_fills_first_name_in_the_welcome(make_app):
    from tests.messenger.test_names import FLOWS

    app = make_app(FLOWS, online=False)
    sim = app.test_client()
    psid = sim.post("/simulator/send", json={"text": "সালাম", "name": "Rahima Akter"}).json["psid"]
    rt = app.extensions["barta"]
    rt.drain()
    [line] = [x for x in conversations.timeline(rt.db(), conversations.by_psid(rt.db(), psid)["id"])
              if x["direction"] == "out"]  # fmt: skip
    assert line["text"].startswith("আসসালামু আলাইকুম Rahima!")
