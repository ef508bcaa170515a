# ruff: noqa: F811  (the fixtures of test_browser, imported, are parameters here)
"""The simulator on a 360×740 phone in real Chromium: ice breakers and the menu in the test
customer's language, tappable (44 px) and answered; the side panel in the workspace's words;
nothing wider than the screen; axe-core clean."""

from __future__ import annotations

import re
import threading

import pytest
from playwright.sync_api import expect

from store import staff as accounts
from tests.staff.test_browser import PASSWORD, browser, log_in, shots  # noqa: F401
from tests.staff.test_simulator_clock import _flows
from tests.staff.test_workspace_browser import RAW, axe_problems

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}


@pytest.fixture
def shop(make_app):
    """The app with ice breakers and a menu, its engine running, served on 127.0.0.1."""
    from werkzeug.serving import make_server

    app = make_app(_flows(), start=True)
    rt = app.extensions["barta"]
    accounts.create(rt.db(), "rina", "owner", PASSWORD, rt.clock())
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    app.base_url = f"http://127.0.0.1:{server.server_port}"
    yield app
    server.shutdown()
    server.server_close()


def small_targets(page, selector: str) -> list[str]:
    """The visible elements of ``selector`` smaller than 44×44 px."""
    small = []
    items = page.locator(selector)
    for i in range(items.count()):
        item = items.nth(i)
        if not item.is_visible():
            continue
        box = item.bounding_box()
        assert box is not None
        if box["height"] < 44 or box["width"] < 44:
            small.append(f"{item.inner_text()!r}: {box['width']:.0f}×{box['height']:.0f}")
    return small


def fits(page) -> None:
    wide = page.evaluate("document.documentElement.scrollWidth")
    assert wide <= PHONE["width"], f"{wide} px wide on a {PHONE['width']} px screen"


def test_on_a_phone_the_offers_follow_the_customer_and_the_panel_reads_as_words(
    shop, browser, shots
):
    base = shop.base_url
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="bn-BD")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    log_in(page, base)
    page.goto(f"{base}/simulator")

    # The customer reads Bangla: Bangla ice breakers and menu, each a 44 px tap target.
    offers = page.locator(".sim-offers:visible")
    expect(offers).to_have_count(1)
    expect(offers).to_have_attribute("lang", "bn")
    expect(offers.locator("button", has_text="দাম কত?")).to_be_visible()
    expect(offers.locator("button", has_text="দাম জানুন")).to_be_visible()
    expect(offers.locator("a", has_text="ওয়েবসাইট")).to_be_visible()
    assert small_targets(page, ".sim-offers .chip") == []
    fits(page)
    assert axe_problems(page) == []

    # A new customer taps an ice breaker: its postback starts its flow. The chat comes back
    # into view with the customer's tap and the bot's answer.
    log = page.locator("#sim-log")
    offers.locator("button", has_text="দাম কত?").tap()
    expect(log.locator(".msg.customer", has_text="দাম কত?")).to_be_visible()
    expect(log.locator(".msg.in", has_text="শাড়ি ১,৫০০ টাকা থেকে।")).to_be_in_viewport()

    # An English customer: Get Started, the ice breakers and the menu in English.
    page.select_option("#sim-lang", "en")
    expect(page.locator("#sim-get-started")).to_have_text("Get Started")
    expect(offers).to_have_attribute("lang", "en")
    expect(offers.locator("button", has_text="What do things cost?")).to_be_visible()
    expect(page.get_by_role("button", name="দাম কত?")).to_have_count(0)
    assert small_targets(page, ".sim-offers .chip, .sim-input button") == []

    # Start over; the menu item "Prices" asks the price intent mid-question, in English.
    page.click("#sim-reset")
    expect(log).to_contain_text("What are you looking for?")
    expect(log.locator(".msg.customer").first).to_have_text("English")  # never "en"
    assert small_targets(page, "#sim-quick .chip") == []
    offers.locator("button", has_text="Prices").tap()
    expect(log.locator(".msg.customer", has_text="Prices")).to_be_visible()
    expect(log.locator(".msg.in", has_text="Sarees cost Tk 1,500 to 8,000.")).to_be_in_viewport()

    # Answers: the side panel speaks the workspace's Bangla, whatever the customer's language.
    for text in ("Saree", "6000", "01711223344"):
        page.fill("#sim-text", text)
        page.press("#sim-text", "Enter")
        expect(log.locator(".msg.customer", has_text=text)).to_have_count(1)
    expect(log).to_contain_text("Thank you! A team member will talk to you shortly.")
    answers = page.locator("#lead-answers")
    expect(answers).to_contain_text("কোন পণ্যটি খুঁজছেন?")
    expect(answers).to_contain_text("শাড়ি")
    expect(answers).to_contain_text("৬,০০০")
    expect(answers.locator('a[href="tel:01711223344"]')).to_have_text("01711223344")
    expect(page.locator("#lead-stage")).to_have_text("যোগ্য লিড")
    expect(page.locator("#lead-score")).to_have_text("৫০")
    expect(page.locator("#sim-clock")).to_have_text(re.compile(r"^[^\x00-\x7f]+, [০-৯]+ "))
    panel = page.inner_text(".sim-side")
    for raw in ("need", "saree", "budget", "qualified"):
        assert raw not in panel
    assert not RAW.search(page.inner_text("body"))

    # "3 hours later": the clock and its offset in Bangla too.
    page.click("#sim-later-3")
    expect(page.locator("#sim-offset")).to_have_text("(+৩ ঘণ্টা)")
    fits(page)
    assert axe_problems(page) == []
    page.screenshot(path=str(shots / "simulator-phone.png"), full_page=True)
    assert errors == []
    context.close()
