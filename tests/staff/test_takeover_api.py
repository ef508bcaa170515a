"""Human takeover through the JSON API and the workspace: resolve, release, unclaim, assign,
a claim race then a foreign reply, and the staff reply that opens a handoff (one voice)."""

from __future__ import annotations

import threading

import pytest

from store import queue
from tests.staff.test_api import HUMAN_BN, add_staff, assert_error_shape, bearer
from tests.staff.test_views import login

NEED_BN = "কোন পণ্যটি খুঁজছেন?"
BUDGET_BN = "আপনার বাজেট কত টাকা?"


@pytest.fixture
def owner(app):
    return bearer(add_staff(app, "rina", "owner"))


@pytest.fixture
def agent(app):
    return bearer(add_staff(app, "karim", "agent"))


@pytest.fixture
def other(app):
    return bearer(add_staff(app, "sumi", "agent"))


def held(app, conv_id: int) -> dict | None:
    return queue.open_for(app.extensions["barta"].db(), conv_id)


def handed_off(customer, psid: str) -> tuple:
    c = customer(psid)
    c.says(HUMAN_BN)
    c.replies()
    return c, c.conversation()


def test_resolve_then_a_new_message_gets_the_bot(app, client, owner, customer):
    c, conv = handed_off(customer, "7200000000000001")
    hid = held(app, conv["id"])["id"]
    assert client.post(f"/api/queue/{hid}/claim", headers=owner).status_code == 200
    resp = client.post(f"/api/queue/{hid}/resolve", headers=owner)
    assert resp.status_code == 200 and resp.get_json()["status"] == "resolved"
    assert c.replies() == []  # the bot says nothing now
    assert c.conversation()["bot_paused"] == 0
    assert c.says("জামদানিটাই নেব") != []  # and answers the next message
    texts = [m["text"] for m in client.get(f"/api/conversations/{conv['id']}",
                                             headers=owner).get_json()["messages"]]  # fmt: skip
    assert texts[-2] == "জামদানিটাই নেব" and texts[-1]


def test_release_asks_the_pending_question_again(app, client, owner, customer):
    c = customer("7200000000000002")
    c.postback("GET_STARTED")
    c.replies()
    cid = c.conversation()["id"]
    assert client.post(f"/api/conversations/{cid}/reply", headers=owner,
                       json={"text": "আমি রিনা, বলুন"}).status_code == 200  # fmt: skip
    c.replies()
    assert c.says("একটু দাঁড়ান") == []
    hid = held(app, cid)["id"]
    resp = client.post(f"/api/queue/{hid}/release", headers=owner)
    assert resp.status_code == 200 and resp.get_json()["status"] == "released"
    assert c.replies() == [NEED_BN]
    assert c.taps("need:saree", "শাড়ি") == [BUDGET_BN]
    assert client.get("/api/queue", headers=owner).get_json() == []


def test_release_outside_the_window_asks_nothing(app, client, owner, customer):
    c = customer("7200000000000003")
    c.postback("GET_STARTED")
    cid = c.conversation()["id"]
    client.post(f"/api/conversations/{cid}/reply", headers=owner, json={"text": "হ্যালো"})
    c.replies()
    db = c.runtime.db()
    with db.conn:
        db.execute(
            "UPDATE conversations SET last_customer_at = ? WHERE id = ?",
            (c.runtime.clock() - 25 * 3600, cid),
        )
    hid = held(app, cid)["id"]
    assert client.post(f"/api/queue/{hid}/release", headers=owner).status_code == 200
    assert c.replies() == []
    assert c.conversation()["bot_paused"] == 0


def test_a_claim_race_then_a_foreign_reply(app, client, owner, agent, other, customer):
    c, conv = handed_off(customer, "7200000000000004")
    hid = held(app, conv["id"])["id"]
    results: list[tuple[str, int]] = []

    def claim(who: str, headers: dict) -> None:
        resp = app.test_client().post(f"/api/queue/{hid}/claim", headers=headers)
        results.append((who, resp.status_code))

    threads = [threading.Thread(target=claim, args=a) for a in (("karim", agent), ("sumi", other))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(code for _, code in results) == [200, 409]
    winner = next(who for who, code in results if code == 200)
    loser = other if winner == "karim" else agent
    body = assert_error_shape(
        client.post(f"/api/conversations/{conv['id']}/reply", headers=loser, json={"text": "আমি"}),
        409,
    )
    assert body["claimed_by"] == winner
    assert c.replies() == []  # nothing went out
    resp = client.post(f"/api/conversations/{conv['id']}/reply", headers=owner,
                       json={"text": "আমি দেখছি"})  # fmt: skip
    assert resp.status_code == 200
    assert c.replies() == ["আমি দেখছি"]
    assert held(app, conv["id"])["claimed_by"] == "rina"  # the owner took the claim


def test_unclaim(app, client, owner, agent, other, customer):
    c, conv = handed_off(customer, "7200000000000005")
    hid = held(app, conv["id"])["id"]
    assert_error_shape(client.post(f"/api/queue/{hid}/unclaim", headers=agent), 409)  # waiting
    client.post(f"/api/queue/{hid}/claim", headers=agent)
    assert_error_shape(client.post(f"/api/queue/{hid}/unclaim", headers=other), 403)
    resp = client.post(f"/api/queue/{hid}/unclaim", headers=agent)
    assert resp.status_code == 200
    assert resp.get_json()["status"] == "waiting" and resp.get_json()["claimed_by"] is None
    [item] = client.get("/api/queue", headers=owner).get_json()
    assert item["status"] == "waiting" and item["claimed_by"] is None
    client.post(f"/api/queue/{hid}/claim", headers=other)
    assert client.post(f"/api/queue/{hid}/unclaim", headers=owner).status_code == 200
    assert_error_shape(client.post("/api/queue/999/unclaim", headers=owner), 404)


def test_assign(app, client, owner, agent, other, customer):
    c, conv = handed_off(customer, "7200000000000006")
    hid = held(app, conv["id"])["id"]
    resp = client.post(f"/api/queue/{hid}/assign", headers=owner, json={"to": "karim"})
    assert resp.status_code == 200 and resp.get_json()["claimed_by"] == "karim"
    assert held(app, conv["id"])["claimed_by"] == "karim"
    body = assert_error_shape(
        client.post(f"/api/queue/{hid}/assign", headers=owner, json={"to": "nobody"}), 404
    )
    assert "nobody" in body["error"]
    assert_error_shape(
        client.post(f"/api/queue/{hid}/assign", headers=other, json={"to": "sumi"}), 403
    )
    resp = client.post(f"/api/queue/{hid}/assign", headers=agent, json={"to": "sumi"})
    assert resp.status_code == 200 and resp.get_json()["claimed_by"] == "sumi"
    assert_error_shape(client.post(f"/api/queue/{hid}/assign", headers=owner, json={}), 400)
    client.post(f"/api/queue/{hid}/resolve", headers=owner)
    assert_error_shape(
        client.post(f"/api/queue/{hid}/assign", headers=owner, json={"to": "karim"}), 409
    )


def test_a_staff_reply_without_a_handoff_opens_one_and_keeps_one_voice(
    app, client, agent, customer
):
    c = customer("7200000000000007")
    c.postback("GET_STARTED")
    c.replies()
    cid = c.conversation()["id"]
    assert held(app, cid) is None
    resp = client.post(f"/api/conversations/{cid}/reply", headers=agent,
                       json={"text": "শাড়ি না কুর্তি?"})  # fmt: skip
    assert resp.status_code == 200
    h = held(app, cid)
    assert h["status"] == "claimed" and h["claimed_by"] == "karim"
    assert h["first_response_at"] is not None and h["reason"] == "staff_reply"
    assert c.conversation()["bot_paused"] == 1
    c.replies()
    assert c.taps("need:saree", "শাড়ি") == []  # no bot re-ask under the staff reply
    [item] = client.get("/api/queue", headers=agent).get_json()
    assert item["unread"] is True and item["last_message"] == "শাড়ি"
    assert item["channel"] == "messenger" and item["picture"] is None
    body = client.get(f"/api/conversations/{cid}", headers=agent).get_json()
    assert body["orders"] == 0 and body["bot_paused"] is True
    [item] = client.get("/api/queue", headers=agent).get_json()
    assert item["unread"] is False  # reading the conversation marked it read
    stats = client.get("/api/stats", headers=agent).get_json()
    assert stats


def test_an_owners_stage_move_after_the_sale(app, client, owner, customer):
    c = customer("7200000000000008")
    c.says("হ্যালো")
    cid = c.conversation()["id"]
    for stage in ("converted", "post_sales", "new"):
        resp = client.post(f"/api/conversations/{cid}/stage", headers=owner, json={"stage": stage})
        assert resp.status_code == 200, resp.get_json()
    assert "qualified" in resp.get_json()["legal"]
    body = client.get(f"/api/conversations/{cid}", headers=owner).get_json()
    assert body["stage"] == "new" and body["orders"] == 1


# --- the workspace offers the same --------------------------------------------------------


def test_the_workspace_unclaims_assigns_resolves_and_marks_read(app, customer):
    add_staff(app, "rina", "owner")
    add_staff(app, "karim", "agent")
    browser = app.test_client()
    assert login(browser, "rina").status_code == 302
    c, conv = handed_off(customer, "7200000000000009")
    hid = held(app, conv["id"])["id"]
    page = browser.get("/staff/queue").get_data(as_text=True)
    assert "unread" in page and HUMAN_BN in page
    page = browser.get(f"/staff/c/{conv['id']}").get_data(as_text=True)
    assert held(app, conv["id"])["unread"] == 0  # opening it marks it read
    assert 'name="to"' in page and "karim" in page and "unclaim" not in page
    resp = browser.post(f"/staff/queue/{hid}/assign", data={"to": "karim"})
    assert resp.status_code == 302 and held(app, conv["id"])["claimed_by"] == "karim"
    page = browser.get(f"/staff/c/{conv['id']}").get_data(as_text=True)
    assert f"/staff/queue/{hid}/unclaim" in page
    assert browser.post(f"/staff/queue/{hid}/unclaim").status_code == 302
    assert held(app, conv["id"])["status"] == "waiting"
    assert browser.post(f"/staff/queue/{hid}/resolve").status_code == 302
    assert held(app, conv["id"]) is None
    page = browser.get("/staff/queue").get_data(as_text=True)
    assert HUMAN_BN not in page  # resolved leaves the queue list


def test_an_agent_gets_403_assigning_a_lead_they_do_not_hold_in_the_workspace(app, customer):
    add_staff(app, "karim", "agent")
    add_staff(app, "sumi", "agent")
    browser = app.test_client()
    assert login(browser, "karim").status_code == 302
    c, conv = handed_off(customer, "7200000000000010")
    hid = held(app, conv["id"])["id"]
    assert browser.post(f"/staff/queue/{hid}/assign", data={"to": "sumi"}).status_code == 403


def test_the_workspace_shows_a_stage_message_the_window_refused(make_app, customer):
    from tests.conftest import Clock

    clock = Clock()
    app = make_app(CLOCK=clock)
    add_staff(app, "rina", "owner")
    browser = app.test_client()
    assert login(browser, "rina").status_code == 302
    c, conv = handed_off(lambda psid: customer(psid, target_app=app), "7200000000000011")
    clock.advance(25 * 3600)
    assert (
        browser.post(f"/staff/c/{conv['id']}/stage", data={"stage": "converted"}).status_code == 302
    )
    page = browser.get(f"/staff/c/{conv['id']}").get_data(as_text=True)
    not_sent = "পাঠানো হয়নি: মেসেজ পাঠানোর সময়সীমা পেরিয়ে গেছে"  # the workspace is in Bangla
    assert not_sent in page and "অর্ডারের জন্য ধন্যবাদ!" in page
    # converted leaves the queue (issue 13); the inbox still shows the refusal
    assert not_sent in browser.get("/staff/queue?show=all").get_data(as_text=True)
    assert c.replies() == []
