"""The workspace pages: login, CSRF, rate limit, escaping, and what each page shows."""

from __future__ import annotations

import re

import pytest

from store import queue
from store import staff as accounts
from tests.conftest import TEST_FLOWS

HUMAN_BN = "মানুষের সাথে কথা বলতে চাই"
PASSWORD = "correct horse battery"
CANNED = """
canned:
  payment: {bn: "বিকাশ বা নগদে পেমেন্ট করা যাবে।", en: "You can pay with bKash or Nagad."}
"""


def add_staff(app, name: str, role: str = "agent") -> dict:
    rt = app.extensions["barta"]
    return accounts.create(rt.db(), name, role, PASSWORD, rt.clock())


def login(client, name: str, password: str = PASSWORD, **extra):
    return client.post("/staff/login", data={"name": name, "password": password, **extra})


@pytest.fixture
def app(make_app):
    """The test flows plus the owner's canned replies."""
    return make_app(TEST_FLOWS.read_text("utf-8") + CANNED)


@pytest.fixture
def owner(app, client):
    add_staff(app, "rina", "owner")
    assert login(client, "rina").status_code == 302
    return client


@pytest.fixture
def agent(app):
    add_staff(app, "karim", "agent")
    client = app.test_client()
    assert login(client, "karim").status_code == 302
    return client


def handed_off(customer, psid: str, text: str = HUMAN_BN) -> dict:
    c = customer(psid)
    c.says(text)
    return c.conversation()


def set_last_customer_at(app, conv_id: int, seconds_ago: float) -> None:
    rt = app.extensions["barta"]
    db = rt.db()
    db.execute(
        "UPDATE conversations SET last_customer_at = ? WHERE id = ?",
        (rt.clock() - seconds_ago, conv_id),
    )
    db.conn.commit()


# --- signing in ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/staff/",
        "/staff/queue",
        "/staff/queue.json",
        "/staff/c/1",
        "/staff/leads",
        "/staff/leads.csv",
        "/staff/overview",
        "/staff/team",
    ],
)
def test_every_page_needs_a_login(client, path):
    resp = client.get(path)
    assert resp.status_code == 302
    assert resp.headers["Location"].startswith("/staff/login")


def test_login_then_the_queue_and_logout(app, client):
    add_staff(app, "rina", "owner")
    page = client.get("/staff/login")
    assert page.status_code == 200 and 'name="csrf_token"' in page.text
    resp = login(client, "rina", next="/staff/leads")
    assert resp.status_code == 302 and resp.headers["Location"] == "/staff/leads"
    assert client.get("/staff/queue").status_code == 200
    client.post("/staff/logout")
    assert client.get("/staff/queue").status_code == 302


def test_a_login_never_redirects_off_site(app, client):
    add_staff(app, "rina", "owner")
    resp = login(client, "rina", next="//evil.example/x")
    assert resp.headers["Location"] == "/staff/queue"


def test_a_wrong_password_is_refused_and_login_attempts_are_limited(app, client):
    add_staff(app, "rina", "owner")
    for _ in range(5):
        resp = login(client, "rina", "wrong password")
        assert resp.status_code == 401
        assert "নাম বা পাসওয়ার্ড ভুল।" in resp.text
    blocked = login(client, "rina")  # even the right password waits now
    assert blocked.status_code == 429
    assert "অনেকবার ভুল লগইন হয়েছে" in blocked.text
    other = app.test_client()
    add_staff(app, "karim")
    assert login(other, "karim").status_code == 302  # another name is not blocked


def test_csrf_is_enforced_on_every_form(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    add_staff(app, "rina", "owner")
    client = app.test_client()
    assert login(client, "rina").status_code == 400  # no token
    page = client.get("/staff/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert login(client, "rina", csrf_token=token).status_code == 302
    assert client.post("/staff/c/1/notes", data={"text": "x"}).status_code == 400
    assert client.post("/staff/logout").status_code == 400
    # the API and the webhook use tokens and signatures instead
    assert client.get("/api/queue").status_code == 401


# --- the pages -----------------------------------------------------------------------------


def test_the_queue_shows_the_handed_off_lead_and_claim_takes_it(app, owner, agent, customer):
    conv = handed_off(customer, "7500000000000001")
    page = owner.get("/staff/queue").text
    assert f"/staff/c/{conv['id']}" in page and "নিন" in page  # Claim, in Bangla by default
    assert "7500000000000001" not in page  # a customer is a name, never a PSID
    hid = queue.open_for(app.extensions["barta"].db(), conv["id"])["id"]
    resp = agent.post(f"/staff/queue/{hid}/claim")
    assert resp.status_code == 302 and resp.headers["Location"] == f"/staff/c/{conv['id']}"
    again = owner.post(f"/staff/queue/{hid}/claim", follow_redirects=True)
    assert "karim আগেই এই লিডটি নিয়ে নিয়েছেন।" in again.text
    assert "karim নিয়েছেন" in owner.get("/staff/queue").text
    fragment = owner.get("/staff/queue.json").get_json()
    assert fragment["count"] == 1 and fragment["waiting"] == 0 and "karim" in fragment["html"]


def test_the_queue_is_in_english_after_the_switch(app, owner, customer):
    handed_off(customer, "7500000000000002")
    owner.get("/staff/lang/en")
    page = owner.get("/staff/queue").text
    assert ">Claim<" in page and "Queue" in page and "কিউ" not in page


def test_a_customer_script_is_shown_as_text_everywhere(app, owner, customer):
    conv = handed_off(customer, "7500000000000003", "<script>alert(1)</script> মানুষ চাই")
    pages = [
        owner.get(f"/staff/c/{conv['id']}").text,
        owner.get("/staff/leads", query_string={"q": "alert"}).text,
    ]
    owner.post(f"/staff/c/{conv['id']}/notes", data={"text": "<img src=x onerror=alert(2)>"})
    owner.post(f"/staff/c/{conv['id']}/labels", data={"label": "<b>x</b>"})
    pages.append(owner.get(f"/staff/c/{conv['id']}").text)
    for page in pages:
        assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in pages[0]
    assert "<img src=x" not in pages[2] and "&lt;img src=x onerror=alert(2)&gt;" in pages[2]
    assert "<b>x</b>" not in pages[2]


def test_the_conversation_page_has_the_lead_card_canned_replies_and_legal_stages(
    app, owner, customer
):
    c = customer("7500000000000004")
    c.says("হ্যালো")
    c.says("শাড়ি")
    c.says(HUMAN_BN)
    conv = c.conversation()
    owner.get("/staff/lang/en")
    page = owner.get(f"/staff/c/{conv['id']}").text
    assert "You can pay with bKash or Nagad." not in page  # the customer writes Bangla
    assert 'data-text="বিকাশ বা নগদে পেমেন্ট করা যাবে।"' in page
    # the answer as the question and the chosen label, not need: saree
    assert "What are you looking for?" in page and "<dd>Saree</dd>" in page and "Score" in page
    # the question keeps its own "?" and gets no colon after it
    assert '<dt class="asked">What are you looking for?</dt>' in page
    buttons = re.findall(r'<button name="stage" value="([a-z_]+)"', page)
    assert buttons == ["qualified", "proposal", "negotiation", "converted", "post_sales", "lost"]
    owner.post(f"/staff/c/{conv['id']}/stage", data={"stage": "converted"})
    page = owner.get(f"/staff/c/{conv['id']}").text
    assert re.findall(r'<button name="stage" value="([a-z_]+)"', page) == ["post_sales", "lost"]
    refused = owner.post(
        f"/staff/c/{conv['id']}/stage", data={"stage": "new"}, follow_redirects=True
    )
    assert "Cannot move from Converted to New intake. Allowed: Post-sales, Lost." in refused.text


def test_reply_note_and_label_from_the_page(app, owner, customer):
    conv = handed_off(customer, "7500000000000005")
    owner.post(f"/staff/c/{conv['id']}/reply", data={"text": "জি, বলুন কী লাগবে?"})
    owner.post(f"/staff/c/{conv['id']}/notes", data={"text": "ঈদের আগে ডেলিভারি চান"})
    owner.post(f"/staff/c/{conv['id']}/labels", data={"label": "vip"})
    page = owner.get(f"/staff/c/{conv['id']}").text
    assert "জি, বলুন কী লাগবে?" in page and "ঈদের আগে ডেলিভারি চান" in page and "vip" in page
    assert customer(conv["psid"]).outbox()[-1]["message"]["text"] == "জি, বলুন কী লাগবে?"
    owner.post(f"/staff/c/{conv['id']}/labels", data={"remove": "vip"})
    assert ">vip <" not in owner.get(f"/staff/c/{conv['id']}").text


def test_the_window_banners(app, owner, customer):
    conv = handed_off(customer, "7500000000000006")
    owner.get("/staff/lang/en")
    assert "human agent tag) until" not in owner.get(f"/staff/c/{conv['id']}").text
    set_last_customer_at(app, conv["id"], 30 * 3600)
    page = owner.get(f"/staff/c/{conv['id']}").text
    assert "Messenger's human agent tag) until" in page and "HUMAN_AGENT" not in page
    set_last_customer_at(app, conv["id"], 8 * 24 * 3600)
    page = owner.get(f"/staff/c/{conv['id']}").text
    assert "the customer must write first" in page
    assert re.search(r"<textarea name=\"text\" rows=\"3\"[^>]*disabled", page)
    refused = owner.post(
        f"/staff/c/{conv['id']}/reply", data={"text": "hello"}, follow_redirects=True
    )
    assert "Not sent: more than 7 days have passed." in refused.text


def test_the_leads_page_filters_and_only_owners_export(app, owner, agent, customer):
    other = handed_off(customer, "7500000000000007")
    c = customer("7500000000000008")
    c.says("লাল শাড়ির দাম কত?")
    link, other_link = f'/staff/c/{c.conversation()["id"]}"', f'/staff/c/{other["id"]}"'
    page = owner.get("/staff/leads", query_string={"q": "শাড়ির"}).text
    assert link in page and other_link not in page and "7500000000000008" not in page
    assert "CSV" in page and "CSV" not in agent.get("/staff/leads").text
    csv = owner.get("/staff/leads.csv")
    assert csv.status_code == 200 and csv.data.startswith(b"\xef\xbb\xbf")
    assert agent.get("/staff/leads.csv").status_code == 403
    today = owner.get("/staff/leads", query_string={"from": "2000-01-01", "source": "direct"}).text
    assert link in today
    assert link not in owner.get("/staff/leads", query_string={"source": "ad"}).text


def test_the_overview_draws_charts(app, owner, customer):
    handed_off(customer, "7500000000000009")
    page = owner.get("/staff/overview").text
    assert page.count("<svg") >= 3 and "<rect" in page
    assert "ফানেল" in page


def test_owners_add_staff_and_agents_cannot(app, owner, agent):
    resp = owner.post("/staff/team", data={"action": "add", "name": "salma", "role": "agent"})
    assert resp.status_code == 200 and "salma" in resp.text
    assert accounts.by_name(app.extensions["barta"].db(), "salma")["role"] == "agent"
    assert agent.post("/staff/team", data={"action": "add", "name": "x"}).status_code == 403
    changed = agent.post(
        "/staff/team",
        data={"action": "password", "current": PASSWORD, "new": "a new long password"},
    )
    assert changed.status_code == 302
    assert accounts.check_password(app.extensions["barta"].db(), "karim", "a new long password")


@pytest.mark.parametrize(
    ("lang", "hour", "expected"),
    [
        ("bn", 9, "২৩ নভেম্বর, সকাল ৯:০৬"),
        ("bn", 13, "২৩ নভেম্বর, দুপুর ১:০৬"),
        ("bn", 21, "২৩ নভেম্বর, রাত ৯:০৬"),
        ("en", 21, "23 Nov, 9:06 PM"),
    ],
)
def test_times_read_as_the_workspace_language_says_them(app, lang, hour, expected):
    """Bangla names the part of the day before the hour; CLDR's bn data only has AM/PM."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from bot.staff import views

    ts = datetime(2026, 11, 23, hour, 6, tzinfo=ZoneInfo("Asia/Dhaka")).timestamp()
    with app.test_request_context():
        from flask import session

        session["lang"] = lang
        assert views.fmt_time(ts) == expected


def test_the_session_cookie_is_secure_over_https_only(app):
    http = app.test_client().get("/staff/login")
    https = app.test_client().get("/staff/login", base_url="https://shop.example")
    assert "Secure" not in http.headers["Set-Cookie"]
    assert "Secure" in https.headers["Set-Cookie"]
    assert "HttpOnly" in https.headers["Set-Cookie"]


def test_odd_filters_and_ids_are_answered_not_crashed(app, owner):
    assert owner.get("/staff/leads", query_string={"to": "9999-12-31"}).status_code == 200
    assert owner.get("/staff/leads.csv", query_string={"from": "9999-12-31"}).status_code == 200
    assert owner.get("/staff/c/99999999999999999999").status_code == 404


def test_the_service_worker_is_served_from_the_staff_scope_without_a_login(app):
    resp = app.test_client().get("/staff/sw.js")
    assert resp.status_code == 200 and resp.mimetype == "text/javascript"
    assert "notificationclick" in resp.text and '"fetch"' not in resp.text  # no cache
    assert resp.cache_control.no_cache
    csp = resp.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self';" in csp  # as strict as a page
    resp.close()  # a file response


def test_a_saved_date_and_a_removed_choice_read_as_words(app):
    from bot.staff import wording

    answers = {"when": "2026-12-02", "need": "three_piece", "email": None}
    with app.test_request_context("/staff/"):
        rows = dict(wording.answer_rows(answers))
    # the date as customers read it, a choice no longer in the flows as words, no "None"
    assert "২ ডিসেম্বর" in rows["কবে ডেলিভারি চান?"]
    assert "three piece" in rows.values()
    assert "None" not in str(rows) and "three_piece" not in str(rows)


@pytest.mark.parametrize(
    ("reason", "bn", "en"),
    [
        ("wants to order", "অর্ডার করতে চান", "wants to order"),
        ("sent a picture", "ছবি পাঠিয়েছেন", "sent a picture"),
        ("sent a voice note", "ভয়েস মেসেজ পাঠিয়েছেন", "sent a voice message"),
        (
            "not understood three times: «নীল» / «kal»",
            "বট পরপর তিনবার বুঝতে পারেনি: «নীল» / «kal»",
            "the bot did not understand three times: «নীল» / «kal»",
        ),
    ],
)
def test_the_bot_s_own_reasons_read_in_the_workspace_language(app, reason, bn, en):
    from bot.staff import wording

    with app.test_request_context("/staff/"):
        assert wording.reason_text(reason) == bn
    with app.test_request_context("/staff/"):
        from flask import session

        session["lang"] = "en"
        assert wording.reason_text(reason) == en
