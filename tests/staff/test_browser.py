"""The workspace and the simulator in real Chromium (Debian's), driven by Playwright.

Screenshots go to a temporary folder; set ``BARTA_SCREENSHOTS=docs/screenshots`` to refresh
the ones in the README.
"""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path

import pytest
from playwright.sync_api import expect

from store import staff as accounts
from tests.conftest import ROOT, TEST_FLOWS, Customer

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PASSWORD = "correct horse battery"
HUMAN_BN = "মানুষের সাথে কথা বলতে চাই"
CANNED = """
canned:
  payment: {bn: "বিকাশ বা নগদে পেমেন্ট করা যাবে।", en: "You can pay with bKash or Nagad."}
  delivery: {bn: "ঢাকার ভেতরে ডেলিভারি চার্জ ৬০ টাকা, বাইরে ১২০ টাকা।", en: "Delivery is Tk 60 in Dhaka, Tk 120 outside."}
"""
DESKTOP = {"width": 1280, "height": 860}
PHONE = {"width": 360, "height": 740}


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian's chromium is not installed")
    from playwright.sync_api import sync_playwright

    pw = sync_playwright().start()
    b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield b
    b.close()
    pw.stop()


@pytest.fixture
def shots(tmp_path) -> Path:
    folder = os.environ.get("BARTA_SCREENSHOTS")
    path = (ROOT / folder) if folder else tmp_path / "shots"
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def live(make_app):
    """The real app with its engine and sender running, served on 127.0.0.1."""
    from werkzeug.serving import make_server

    app = make_app(
        TEST_FLOWS.read_text("utf-8") + CANNED, start=True, STAFF_QUEUE_REFRESH_SECONDS=0.5
    )
    rt = app.extensions["barta"]
    accounts.create(rt.db(), "rina", "owner", PASSWORD, rt.clock())
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    app.base_url = f"http://127.0.0.1:{server.server_port}"
    yield app
    server.shutdown()
    server.server_close()


def name(app, psid: str, who: str) -> None:
    db = app.extensions["barta"].db()
    db.execute("UPDATE conversations SET name = ? WHERE psid = ?", (who, psid))
    db.conn.commit()


def waited(app, psid: str, seconds: float) -> None:
    """Make a handoff look older than it is (for the colours and the response time)."""
    db = app.extensions["barta"].db()
    db.execute(
        "UPDATE queue SET created_at = created_at - ? WHERE conversation_id = "
        "(SELECT id FROM conversations WHERE psid = ?)",
        (seconds, psid),
    )
    db.conn.commit()


def log_in(page, base: str) -> None:
    page.goto(f"{base}/staff/login")
    page.fill("input[name=name]", "rina")
    page.fill("input[name=password]", PASSWORD)
    page.click("button.primary")
    page.wait_for_url(re.compile(r".*/staff/queue$"))


def test_staff_claim_reply_stage_note_label_and_export(live, browser, graph, shots):
    base = live.base_url
    # A few customers, through the real signed webhook and the engine.
    nusrat = Customer(live, "7600000000000001")
    nusrat.says("হ্যালো")
    nusrat.says("শাড়ি")
    nusrat.says("৬০০০")
    nusrat.says("01711223344")  # qualified: handed off with a score of 50
    name(live, nusrat.psid, "নুসরাত জাহান")
    rahim = Customer(live, "7600000000000002")
    rahim.says(HUMAN_BN)
    name(live, rahim.psid, "রহিম উদ্দিন")
    angry = Customer(live, "7600000000000003")
    angry.says("<script>alert(1)</script> শাড়ি ফেরত দিতে চাই")
    name(live, angry.psid, "Tania <b>Akter</b>")
    browsing = Customer(live, "7600000000000004")
    browsing.says("dam koto?")
    from tests.conftest import fixture_bytes, post_webhook

    post_webhook(live.test_client(), fixture_bytes("postback_get_started_ad_referral.json"))
    live.extensions["barta"].drain()  # a lead from an ad
    name(live, "7034567890123456", "সাবরিনা ইসলাম")
    waited(live, angry.psid, 26 * 60)  # past the 15-minute target: shown in red
    waited(live, nusrat.psid, 9 * 60)
    waited(live, rahim.psid, 4 * 60)

    context = browser.new_context(viewport=DESKTOP, accept_downloads=True, locale="bn-BD")
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    log_in(page, base)

    # The queue: most urgent first (the complaint), names shown as text.
    items = page.locator("li.item")
    assert items.count() == 3
    assert "late" in (items.nth(0).get_attribute("class") or "")
    assert "Tania <b>Akter</b>" in items.nth(0).inner_text()
    assert "নুসরাত জাহান" in items.nth(1).inner_text()
    page.screenshot(path=str(shots / "queue.png"), full_page=True)

    # The queue refreshes itself: a new handoff appears without a reload.
    Customer(live, "7600000000000005").says("manush chai")
    expect(page.locator("li.item")).to_have_count(4, timeout=5000)
    assert "7600000000000005" not in page.inner_text("body")  # a name, never the PSID

    # Claim Rahim's lead, then reply; the reply reaches the (fake) Graph API.
    card = page.locator("li.item", has_text="রহিম উদ্দিন")
    card.locator("button", has_text="নিন").click()
    page.wait_for_url(re.compile(r".*/staff/c/\d+$"))
    assert page.locator(".claimed-by").inner_text().strip() == "rina নিয়েছেন"
    page.locator(".canned-btn", has_text="বিকাশ বা নগদে").click()
    assert page.input_value("#reply textarea") == "বিকাশ বা নগদে পেমেন্ট করা যাবে।"
    page.fill("#reply textarea", "জি ভাইয়া, বলুন কোন শাড়িটা দেখতে চান?")
    page.click("#reply button.primary")  # sent in the background: the page stays
    page.wait_for_selector("#messages >> text=জি ভাইয়া, বলুন কোন শাড়িটা দেখতে চান?")
    assert page.input_value("#reply textarea") == ""
    assert graph.wait_for(lambda: "জি ভাইয়া, বলুন কোন শাড়িটা দেখতে চান?" in graph.texts(rahim.psid))

    # Move the stage: only legal moves are offered.
    page.locator(".stage-buttons button", has_text="প্রস্তাব").click()
    page.wait_for_selector(".flash.ok")
    assert "প্রস্তাব" in page.locator(".facts").inner_text()
    assert page.locator(".stage-buttons button", has_text="নতুন").count() == 0

    # A note and a label.
    page.fill("textarea[name=text][maxlength='5000']", "লাল কাতান পছন্দ, ঈদের আগে চান")
    page.locator("button", has_text="নোট রাখুন").click()
    page.wait_for_selector("text=লাল কাতান পছন্দ, ঈদের আগে চান")
    page.fill("input[name=label]", "ঈদ অফার")
    page.locator("form.row button", has_text="যোগ করুন").click()
    page.wait_for_selector(".label-chip >> text=ঈদ অফার")
    page.reload()
    page.screenshot(path=str(shots / "conversation.png"), full_page=True)

    phone = browser.new_context(
        viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    phone.add_cookies(context.cookies())
    ppage = phone.new_page()
    ppage.goto(page.url)
    assert ppage.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    ppage.screenshot(path=str(shots / "conversation-phone.png"), full_page=True)
    ppage.goto(f"{base}/staff/queue")
    assert ppage.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.close()

    # The <script> a customer wrote is shown as text and never runs.
    page.goto(f"{base}/staff/queue")
    page.locator("li.item", has_text="Tania").locator("a.who").click()
    assert "<script>alert(1)</script> শাড়ি ফেরত দিতে চাই" in page.locator("#messages").inner_text()
    assert dialogs == []

    # Leads: search in Bangla, then export.
    page.goto(f"{base}/staff/leads")
    page.fill("input[name=q]", "ফেরত")
    page.locator(".filters button.primary").click()
    rows = page.locator("table.leads tbody tr")
    assert rows.count() == 1 and "Tania" in rows.nth(0).inner_text()
    page.goto(f"{base}/staff/leads")
    with page.expect_download() as info:
        page.click("#csv")
    data = Path(info.value.path()).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert "নুসরাত জাহান" in text and "ঈদ অফার" in text

    # The overview draws its charts (with one sale made).
    rt = live.extensions["barta"]
    conv = Customer(live, nusrat.psid).conversation()
    rt.engine.move_stage(rt.db(), conv["id"], "converted", "rina")
    page.goto(f"{base}/staff/overview")
    assert page.locator("svg.chart").count() >= 3
    page.screenshot(path=str(shots / "overview.png"), full_page=True)
    assert errors == []
    context.close()


def test_the_simulator_plays_a_bangla_conversation_to_the_handoff(live, browser, shots):
    base = live.base_url
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    log_in(page, base)
    page.goto(f"{base}/simulator")
    page.click("#sim-get-started")
    page.wait_for_selector("#sim-log >> text=কোন পণ্যটি খুঁজছেন?")
    page.locator("#sim-quick .chip", has_text="শাড়ি").click()
    page.wait_for_selector("#sim-log >> text=আপনার বাজেট কত টাকা?")
    page.fill("#sim-text", "৬০০০ টাকা")
    page.press("#sim-text", "Enter")
    page.wait_for_selector("#sim-log >> text=আপনার মোবাইল নম্বরটি দিন")
    page.fill("#sim-text", "০১৭১১২২৩৩৪৪")
    page.press("#sim-text", "Enter")
    page.wait_for_selector("#sim-log >> text=ধন্যবাদ! আমাদের একজন প্রতিনিধি এখনই কথা বলবেন।")
    expect(page.locator("#lead-stage")).to_have_text("যোগ্য লিড")  # no eval under the CSP
    assert page.inner_text("#lead-score") == "৫০"  # as the conversation page writes it
    assert "01711223344" in page.inner_text("#lead-answers")
    page.screenshot(path=str(shots / "simulator.png"))
    assert errors == []

    # A simulator lead stays out of the workspace queue.
    page.goto(f"{base}/staff/queue")
    assert page.locator("li.item").count() == 0

    # Start over in English on a phone-sized screen.
    phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    phone.add_cookies(context.cookies())
    ppage = phone.new_page()
    ppage.goto(f"{base}/staff/lang/en?next=/simulator")  # the workspace in English...
    get_started = ppage.locator("#sim-get-started")
    expect(get_started).to_have_text("শুরু করুন")  # ...Messenger's button in the customer's
    ppage.select_option("#sim-lang", "en")
    expect(get_started).to_have_text("Get Started")
    ppage.click("#sim-reset")
    ppage.wait_for_selector("#sim-log >> text=What are you looking for?")
    assert ppage.locator("#sim-quick .chip", has_text="Saree").count() == 1
    assert ppage.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.close()
    context.close()
