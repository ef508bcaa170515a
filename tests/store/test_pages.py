"""The Pages of a deployment, the Page of each conversation and reply, and staff limited
to some Pages — on SQLite and, with BARTA_TEST_DB=postgresql, on PostgreSQL."""

from __future__ import annotations

import pytest

from store import conversations, outbox, pages, staff
from store.db import connect, migrate, write_tx

PAGE_A = "105511223344556"
PAGE_B = "105599887766554"


@pytest.fixture
def db(bot_db):
    db = connect(bot_db)
    migrate(db)
    yield db
    db.close()


def test_a_page_is_added_listed_changed_and_removed(db):
    page, created = pages.add(db, PAGE_A, 100.0, token="EAAtoken1", name="Shopno Fashion")
    assert created and page["name"] == "Shopno Fashion" and "token" not in page
    pages.add(db, PAGE_B, 101.0, token="EAAtoken2", name="Amar Dokan", flows="shops/b.yaml")
    assert [p["page_id"] for p in pages.all_pages(db)] == [PAGE_B, PAGE_A]  # by name

    # a second add changes what it is given and keeps the rest
    page, created = pages.add(db, PAGE_A, 102.0, flows="shops/a.yaml")
    assert not created and page["name"] == "Shopno Fashion" and page["flows"] == "shops/a.yaml"
    assert pages.get(db, PAGE_A, token=True)["token"] == "EAAtoken1"
    assert pages.stamp(db) == (2, 102.0)

    assert pages.remove(db, PAGE_A) is True
    assert pages.remove(db, PAGE_A) is False
    assert pages.get(db, PAGE_A) is None
    assert pages.stamp(db)[0] == 1


@pytest.mark.parametrize("bad", ["", "abc", "১০৫৫১১২২৩৩৪৪৫৫৬", "12 34", "9" * 40], ids=repr)
def test_a_page_id_is_meta_s_number(db, bad):
    with pytest.raises(ValueError):
        pages.add(db, bad, 1.0, token="EAAtoken")


def test_a_token_with_spaces_or_a_name_with_control_characters_is_refused(db):
    with pytest.raises(ValueError):
        pages.add(db, PAGE_A, 1.0, token="EAA token")
    with pytest.raises(ValueError):
        pages.add(db, PAGE_A, 1.0, token="EAAtoken", name="bad\nname")
    assert pages.all_pages(db) == []


def test_an_instagram_account_belongs_to_one_page(db):
    pages.add(db, PAGE_A, 1.0, token="EAAa", instagram_id="17841455500011122")
    with pytest.raises(ValueError, match="already"):
        pages.add(db, PAGE_B, 2.0, token="EAAb", instagram_id="17841455500011122")


def test_a_conversation_and_its_replies_know_their_page(db):
    with write_tx(db):
        conv = conversations.create(db, "7012345678901234", 1.0, page_id=PAGE_B)
        row_id = outbox.enqueue(db, conv["id"], conv["psid"], {"text": "hi"}, 1.0, page_id=PAGE_B)
        plain = conversations.create(db, "7012345678909999", 1.0)
    assert conversations.by_psid(db, "7012345678901234")["page_id"] == PAGE_B
    assert plain["page_id"] == ""
    assert (
        db.conn.execute("SELECT page_id FROM outbox WHERE id = ?", (row_id,)).fetchone()[0]
        == PAGE_B
    )


def test_staff_may_be_limited_to_some_pages(db):
    agent = staff.create(db, "rina", "agent", "a-long-password", 1.0)
    assert agent["pages"] is None and staff.may_see(agent, PAGE_A) and staff.may_see(agent, "")
    staff.set_pages(db, agent["id"], [PAGE_B, PAGE_A, PAGE_B])
    agent = staff.get(db, agent["id"])
    assert agent["pages"] == [PAGE_A, PAGE_B]
    assert staff.may_see(agent, PAGE_B) and not staff.may_see(agent, "")
    staff.set_pages(db, agent["id"], None)
    assert staff.get(db, agent["id"])["pages"] is None
