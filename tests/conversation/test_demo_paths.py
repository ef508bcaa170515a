"""Issue 10's paths played on the demo shop (flows.yaml) through the signed webhook and the
API: after a handoff is resolved, released or answered from the Page inbox, every customer
message is answered by the bot or waits in the queue."""

from __future__ import annotations

from pathlib import Path

import pytest

from store import queue
from tests.conftest import Customer
from tests.staff.test_api import add_staff, bearer

DEMO = Path(__file__).resolve().parents[2] / "flows.yaml"


@pytest.fixture
def demo(make_app):
    return make_app(flows=DEMO)


def test_resolve_then_jamdani_gets_the_bot(demo):
    client, owner = demo.test_client(), bearer(add_staff(demo, "rina", "owner"))
    c = Customer(demo, "7400000000000001")
    c.says("রং উঠে গেছে")  # a complaint: a handoff
    c.replies()
    conv = c.conversation()
    hid = queue.open_for(demo.extensions["barta"].db(), conv["id"])["id"]
    assert client.post(f"/api/queue/{hid}/resolve", headers=owner).status_code == 200
    assert c.says("জামদানিটাই নেব")  # answered (today an apology that offers a person)
    assert c.conversation()["bot_paused"] == 0


def test_a_complaint_at_night_promises_no_right_now(demo):
    c = Customer(demo, "7400000000000002")
    said = " ".join(c.says("kapor kharap, refund chai"))
    assert "শুনে সত্যিই দুঃখিত" in said and "এখনই" not in said
    assert queue.open_for(demo.extensions["barta"].db(), c.conversation()["id"])
