# ruff: noqa: F811  (the fixtures of test_browser, imported, are parameters here)
"""Every workspace page in real Chromium at 360×740 and 1366×768: nothing wider than the
screen, no ``None``/``null``/PSID in the text, axe-core clean (no serious or critical
violation), and live arrivals (a customer message in an open conversation, a new handoff
in the queue) without a reload.

axe-core comes from the npm registry (``tests/node``; scripts/test installs it).
"""

from __future__ import annotations

import os
import re

import pytest
from playwright.sync_api import expect

from tests.conftest import ROOT, Customer
from tests.staff.test_browser import (  # noqa: F401  (fixtures)
    CHROMIUM_ARGS,
    PASSWORD,
    browser,
    live,
    log_in,
    name,
    shots,
)

pytestmark = pytest.mark.browser

AXE = ROOT / "tests" / "node" / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 360, "height": 740}
LAPTOP = {"width": 1366, "height": 768}
PSIDS = ("7700000000000001", "7700000000000002", "7700000000000003")
RAW = re.compile(r"\bNone\b|\bnull\b|\bundefined\b")


@pytest.fixture
def crowd(live):
    """Three customers: a qualified lead (handed off), one who asks for a person, one who
    browses the catalog (cards); names for two of them."""
    nusrat = Customer(live, PSIDS[0])
    for text in ("হ্যালো", "শাড়ি", "৬০০০", "01711223344"):
        nusrat.says(text)
    name(live, nusrat.psid, "নুসরাত জাহান")
    rahim = Customer(live, PSIDS[1])
    rahim.says("মানুষের সাথে কথা বলতে চাই")
    browsing = Customer(live, PSIDS[2])
    for text in ("হ্যালো", "শাড়ি", "১০০০", "01711223355"):
        browsing.says(text)
    name(live, browsing.psid, "সাবরিনা")
    return {"nusrat": nusrat, "rahim": rahim, "browsing": browsing}


def axe_problems(page) -> list[str]:
    if not AXE.exists():
        if os.environ.get("CI"):  # scripts/test installs it: in CI its absence is a failure
            pytest.fail("axe-core is not installed: npm install --prefix tests/node")
        pytest.skip("axe-core is not installed: npm install --prefix tests/node")
    # Evaluated through the DevTools protocol: a <script> tag would be inline script, which
    # the workspace's CSP (rightly) refuses.
    page.evaluate(AXE.read_text("utf-8"))
    result = page.evaluate(
        "() => axe.run(document, {resultTypes: ['violations']}).then(r => r.violations"
        ".filter(v => v.impact === 'serious' || v.impact === 'critical')"
        ".map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | ')))"
    )
    return list(result)


def check(page, url: str, *, ids: bool = True) -> list[str]:
    """Problems on one page, as readable lines."""
    problems = []
    wide = page.evaluate("document.documentElement.scrollWidth")
    inner = page.evaluate("window.innerWidth")
    if wide > inner:
        problems.append(f"{url}: {wide} px wide on a {inner} px screen")
    text = page.inner_text("body")
    if RAW.search(text):
        problems.append(f"{url}: shows {RAW.search(text).group(0)!r}")
    if ids:
        for psid in PSIDS:
            if psid in text:
                problems.append(f"{url}: shows the PSID {psid}")
    problems += [f"{url}: axe {v}" for v in axe_problems(page)]
    return problems


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_every_page_fits_reads_as_words_and_passes_axe(live, browser, crowd, viewport, shots):
    base = live.base_url
    conv = crowd["browsing"].conversation()
    context = browser.new_context(viewport=viewport, locale="bn-BD")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{base}/staff/login")
    problems = check(page, "/staff/login")
    log_in(page, base)
    pages = [
        "/staff/queue",
        "/staff/queue?show=all",
        "/staff/queue?show=bot",
        "/staff/queue?show=mine&sort=time_left",
        f"/staff/c/{conv['id']}",
        f"/staff/c/{crowd['nusrat'].conversation()['id']}",
        "/staff/leads",
        "/staff/overview",
        "/staff/team",
        "/staff/c/999999",
        "/simulator",
    ]
    for url in pages:
        page.goto(base + url)
        problems += check(page, url, ids=url != "/simulator")
    assert problems == [], "\n".join(problems)
    assert errors == []
    if viewport is PHONE:
        page.goto(f"{base}/staff/queue?show=all")
        page.screenshot(path=str(shots / "inbox-phone.png"))
    else:
        page.goto(f"{base}/staff/queue?show=all")
        page.screenshot(path=str(shots / "inbox.png"))
    context.close()


def test_a_page_in_english_and_the_error_page_in_the_ui_language(live, browser, crowd):
    base = live.base_url
    context = browser.new_context(viewport=LAPTOP)
    page = context.new_page()
    log_in(page, base)
    page.goto(f"{base}/staff/c/999999")
    assert "এই লিডটি নেই" in page.inner_text("main") or "নেই" in page.inner_text("main")
    page.goto(f"{base}/staff/lang/en?next=/staff/queue")
    conv = crowd["nusrat"].conversation()
    page.goto(f"{base}/staff/c/{conv['id']}")
    answers = page.inner_text(".lead .answers")
    assert "What are you looking for?" in answers and "Saree" in answers
    assert page.locator(".lead .answers a[href='tel:01711223344']").count() == 1
    context.close()


def test_a_customer_message_and_a_handoff_arrive_live(live, browser, crowd):
    base = live.base_url
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    log_in(page, base)
    conv = crowd["nusrat"].conversation()
    page.goto(f"{base}/staff/c/{conv['id']}")
    page.fill("#reply-text", "আগে লেখা ")
    page.locator(".canned-btn").first.click()  # goes in at the cursor, keeps the text
    assert page.input_value("#reply-text").startswith("আগে লেখা ")
    page.fill("#reply-text", "")

    crowd["nusrat"].says("লাল কাতানটা কি আছে?")
    page.wait_for_selector("#messages >> text=লাল কাতানটা কি আছে?", timeout=2500)

    # Ctrl+Enter sends; the page stays, the box keeps the focus, the message is in view
    page.fill("#reply-text", "জি আছে, ৪৫০০ টাকা।")
    page.press("#reply-text", "Control+Enter")
    page.wait_for_selector("#messages >> text=জি আছে, ৪৫০০ টাকা।", timeout=4000)
    assert page.evaluate("document.activeElement.id") == "reply-text"
    assert page.input_value("#reply-text") == ""

    page.goto(f"{base}/staff/queue")
    before = page.locator("li.item").count()
    Customer(live, "7700000000000009").says("মানুষের সাথে কথা বলতে চাই")
    # locators wait without eval (the CSP forbids string predicates)
    page.locator("li.item").nth(before).wait_for(timeout=2500)
    expect(page).to_have_title(re.compile(r"^\(\d+\) "), timeout=2500)
    assert page.inner_text("#nav-waiting").strip() != ""
    page.wait_for_selector("#live-toast:not([hidden])", timeout=2500)  # and a sound
    context.close()


def test_a_stage_move_that_messages_the_customer_asks_first(live, browser, crowd):
    base = live.base_url
    context = browser.new_context(viewport=LAPTOP)
    page = context.new_page()
    log_in(page, base)
    conv = crowd["nusrat"].conversation()
    page.goto(f"{base}/staff/c/{conv['id']}")
    asked: list[str] = []
    page.on("dialog", lambda d: (asked.append(d.message), d.dismiss()))
    page.locator(".stage-buttons button[value=converted]").click()
    page.wait_for_timeout(300)
    assert len(asked) == 1
    assert crowd["nusrat"].conversation()["stage"] != "converted"  # dismissed: no move
    context.close()


def test_the_font_ships_with_its_licence():
    fonts = ROOT / "bot" / "staff" / "static" / "fonts"
    assert (fonts / "OFL.txt").read_text().count("SIL Open Font License") >= 1
    assert list(fonts.glob("noto-sans-bengali-bengali-*.woff2"))
    css = (ROOT / "bot" / "staff" / "static" / "staff.css").read_text()
    assert "@font-face" in css and "fonts/noto-sans-bengali-bengali-400-normal.woff2" in css


def test_the_service_worker_registers_and_a_handoff_notifies_through_it(live, browser, crowd):
    """Phones (Android Chrome) only notify from a service worker: the page registers one
    for /staff/ and shows its notifications through it."""
    base = live.base_url
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    context.grant_permissions(["notifications"], origin=base)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    log_in(page, base)
    expect(page.locator("#live")).to_have_attribute("data-worker-state", "ready", timeout=5000)
    assert [w.url for w in context.service_workers] == [f"{base}/staff/sw.js"]
    scope = page.evaluate("() => navigator.serviceWorker.ready.then(r => r.scope)")
    assert scope == f"{base}/staff/"

    Customer(live, "7700000000000008").says("মানুষের সাথে কথা বলতে চাই")
    page.wait_for_selector("#live-toast:not([hidden])", timeout=2500)
    shown: list[dict] = []
    for _ in range(30):  # showNotification settles a moment after the toast
        shown = page.evaluate(
            "() => navigator.serviceWorker.ready.then(r => r.getNotifications())"
            ".then(ns => ns.map(n => ({title: n.title, body: n.body, url: n.data.url})))"
        )
        if shown:
            break
        page.wait_for_timeout(100)
    conv = Customer(live, "7700000000000008").conversation()
    # a name (here the word for a customer without one), never the PSID
    assert shown == [{"title": "কিউতে নতুন", "body": "একজন গ্রাহক", "url": f"/staff/c/{conv['id']}"}]
    assert errors == []
    context.close()
