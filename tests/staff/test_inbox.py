# ruff: noqa: F811  (the fixtures of test_views, imported, are parameters here)
"""The inbox and the queue: filters, words instead of ids, simulator leads left out, error
pages in the workspace language."""

from __future__ import annotations

import html

from store import queue
from tests.staff.test_views import HUMAN_BN, app, handed_off, owner  # noqa: F401  (fixtures)


def test_the_inbox_filters_and_the_queue_leaves_out_the_simulator(app, owner, customer):
    waiting = handed_off(customer, "7800000000000001")
    browsing = customer("7800000000000002")
    browsing.says("হ্যালো")
    sim = customer("sim:abc")
    sim.says(HUMAN_BN)
    link = lambda c: f'/staff/c/{c["id"]}"'  # noqa: E731
    page = owner.get("/staff/queue").text
    assert link(waiting) in page and link(sim.conversation()) not in page
    bot = owner.get("/staff/queue", query_string={"show": "bot"}).text
    assert link(browsing.conversation()) in bot and link(waiting) not in bot
    everyone = owner.get("/staff/queue", query_string={"show": "all"}).text
    assert link(browsing.conversation()) in everyone and link(waiting) in everyone
    assert link(sim.conversation()) not in everyone
    assert everyone.count('class="last-message"') >= 2  # the last message, as a preview
    mine = owner.get("/staff/queue", query_string={"show": "mine"}).text
    assert link(waiting) not in mine
    hid = queue.open_for(app.extensions["barta"].db(), waiting["id"])["id"]
    owner.post(f"/staff/queue/{hid}/claim")
    assert link(waiting) in owner.get("/staff/queue", query_string={"show": "mine"}).text
    by_time = owner.get("/staff/queue", query_string={"sort": "time_left"}).text
    assert link(waiting) in by_time and "উত্তর দিতে" in by_time  # time left to answer
    for text in (page, bot, everyone, by_time):
        assert "None" not in text and "7800000000000001" not in text


def test_live_json_counts_new_handoffs_and_new_messages(app, owner, customer):
    first = owner.get("/staff/live.json").get_json()
    assert first["waiting"] == 0 and first["new"] == []
    conv = handed_off(customer, "7800000000000003")
    state = owner.get("/staff/live.json", query_string={"h": first["handoff"] or -1}).get_json()
    assert state["waiting"] == 1 and state["stamp"] != first["stamp"]
    # a new handoff is announced once, with a name and a link, never the PSID
    after = owner.get("/staff/live.json", query_string={"h": 0}).get_json()
    assert after["new"] == []  # h=0: a page's first poll only learns the cursor
    mark = state["message"]
    customer("7800000000000003").says("লাল কাতানটা আছে?")
    body = owner.get(
        "/staff/live.json", query_string={"h": state["handoff"], "c": conv["id"], "m": mark}
    ).get_json()
    assert "লাল কাতানটা আছে?" in body["messages_html"] and body["customer"]
    assert body["last"] > mark and "7800000000000003" not in body["messages_html"]
    assert owner.get("/staff/live.json", query_string={"h": -1}).get_json()["new"][0]["url"] == (
        f"/staff/c/{conv['id']}"
    )


def test_words_not_ids_on_the_conversation_page(app, owner, customer):
    c = customer("7800000000000004")
    for text in ("হ্যালো", "শাড়ি", "৬০০০", "01711223344"):
        c.says(text)
    conv = c.conversation()
    page = owner.get(f"/staff/c/{conv['id']}").text
    assert "কোন পণ্যটি খুঁজছেন?" in page and "<dd>শাড়ি</dd>" in page
    assert 'href="tel:01711223344"' in page
    assert "flow welcome" not in page and "কথোপকথনে" in page  # the stage history, in words
    assert "data-confirm=" in page  # converted messages the customer: asked first
    assert "None" not in page and "7800000000000004" not in page


def test_error_pages_speak_the_workspace_language(owner):
    page = owner.get("/staff/no-such-page")
    assert page.status_code == 404 and "এই পাতাটি নেই" in page.text
    owner.get("/staff/lang/en")
    assert "This page does not exist" in owner.get("/staff/no-such-page").text


def test_converted_and_lost_leads_leave_the_queue(app, owner, customer):
    conv = handed_off(customer, "7800000000000005")
    link = f'/staff/c/{conv["id"]}"'
    assert link in owner.get("/staff/queue").text
    owner.post(f"/staff/c/{conv['id']}/stage", data={"stage": "converted"})
    assert link not in owner.get("/staff/queue").text
    assert link in owner.get("/staff/queue", query_string={"show": "all"}).text


def _qualified(customer, psid: str) -> dict:
    """A lead the welcome flow hands off itself: reason and stage cause name the flow."""
    c = customer(psid)
    for text in ("হ্যালো", "শাড়ি", "৬০০০", "01711223344"):
        c.says(text)
    return c.conversation()


def test_a_flow_shows_as_its_title_in_both_languages_never_its_id(app, owner, customer):
    conv = _qualified(customer, "7800000000000006")
    text = lambda url: html.unescape(owner.get(url).text)  # noqa: E731
    queue_bn, page_bn = text("/staff/queue"), text(f"/staff/c/{conv['id']}")
    assert "বটের “স্বাগত” কথোপকথন থেকে" in queue_bn  # the handoff's reason
    assert "বট, “স্বাগত” কথোপকথনে" in page_bn  # the stage history's cause
    owner.get("/staff/lang/en")
    queue_en, page_en = text("/staff/queue"), text(f"/staff/c/{conv['id']}")
    assert "from the bot's conversation “Welcome”" in queue_en
    assert "by the bot, in the conversation “Welcome”" in page_en
    for text in (queue_bn, page_bn, queue_en, page_en):
        assert "welcome ফ্লো" not in text and "flow welcome" not in text
        assert "from flow" not in text and "ফ্লো থেকে" not in text


def test_a_flow_without_a_title_is_the_bots_conversation(app):
    from bot.staff.wording import cause_text, reason_text

    with app.test_request_context("/staff/queue"):
        assert reason_text("order") == "বটের কথোপকথন থেকে"  # no title: no id either
        assert cause_text("flow order") == "বট, গ্রাহকের সাথে কথোপকথনে"
        assert cause_text("flow catalog") == "বট, “কালেকশন” কথোপকথনে"
        assert reason_text("qualified") == "যোগ্য লিড"  # a reason that names a stage
        assert reason_text("stuck: budget") == "“আপনার বাজেট কত টাকা?” প্রশ্নের সঠিক উত্তর পাওয়া যায়নি"
