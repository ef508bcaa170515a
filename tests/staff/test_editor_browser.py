"""The flows editor in real Chromium: edit a text, see the error at its line, fix it, try it
in the simulator, publish, roll back; and the same page on a 360 px phone."""

from __future__ import annotations

import threading

import pytest
from playwright.sync_api import expect

from store import staff as accounts
from tests.conftest import TEST_FLOWS
from tests.staff.test_browser import CHROMIUM_ARGS, DESKTOP, PASSWORD, PHONE, browser, log_in  # noqa: F401
from tests.staff.test_editor import MORE

pytestmark = pytest.mark.browser

WELCOME = "আসসালামু আলাইকুম! {business}-এ স্বাগতম।"


@pytest.fixture
def shop(tmp_path):
    root = tmp_path / "shop"
    (root / "flows").mkdir(parents=True)
    (root / "flows.yaml").write_text(
        TEST_FLOWS.read_text("utf-8") + "\ninclude: [flows/*.yaml]\n", "utf-8"
    )
    (root / "flows" / "more.yaml").write_text(MORE, "utf-8")
    return root


@pytest.fixture
def live(make_app, shop):
    from werkzeug.serving import make_server

    app = make_app(shop / "flows.yaml", start=True, FLOWS_POLL=0)
    rt = app.extensions["barta"]
    accounts.create(rt.db(), "rina", "owner", PASSWORD, rt.clock())
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    app.base_url = f"http://127.0.0.1:{server.server_port}"
    yield app
    server.shutdown()
    server.server_close()


def test_edit_error_fix_try_publish_roll_back(live, browser, shop):  # noqa: F811
    base = live.base_url
    main = shop / "flows.yaml"
    original = main.read_text("utf-8")
    line = original.splitlines().index(next(x for x in original.splitlines() if WELCOME in x)) + 1

    context = browser.new_context(viewport=DESKTOP, locale="bn-BD")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("dialog", lambda d: d.accept())
    log_in(page, base)
    page.goto(f"{base}/staff/flows")
    assert page.locator(".editor-files a").count() == 2
    page.wait_for_selector("#editor-status >> text=কোনো ভুল নেই।")
    assert page.locator("#editor-gutter span").count() == len(original.splitlines()) or (
        page.locator("#editor-gutter span").count() == len(original.split("\n"))
    )

    # A typo in a placeholder: the error shows at its line, in the list and the gutter.
    broken = original.replace(WELCOME, "খোশ আমদেদ! বিকাশ {bkas}")
    page.fill("#editor-text", broken)
    problem = page.locator(".editor-problem.error").first
    problem.wait_for(timeout=10000)
    assert problem.get_attribute("data-line") == str(line)
    assert "bkash" in problem.inner_text()
    assert page.locator("#editor-gutter span.bad").first.inner_text() == str(line)
    problem.locator("button.where").click()  # jumps to the line
    assert main.read_text("utf-8") == original  # nothing written while typing

    # Fixed: the messages go away.
    fixed = original.replace(WELCOME, "খোশ আমদেদ! বিকাশ {bkash}")
    page.fill("#editor-text", fixed)
    page.wait_for_selector("#editor-status >> text=কোনো ভুল নেই।")
    assert page.locator(".editor-problem").count() == 0

    # Try it: the simulator, on the draft, in a new tab.
    with context.expect_page() as popup:
        page.click("#editor-try")
    sim = popup.value
    sim.wait_for_load_state()
    assert "/simulator?draft=" in sim.url
    assert sim.locator("#sim-draft").is_visible()
    sim.click("#sim-get-started")
    sim.wait_for_selector(".sim-log >> text=খোশ আমদেদ! বিকাশ 01711223344", timeout=10000)
    sim.close()
    assert main.read_text("utf-8") == original

    # Publish: written, live, in the history.
    page.click("#editor-publish")
    page.wait_for_selector("#editor-history li", timeout=15000)
    assert main.read_text("utf-8") == fixed
    assert "খোশ আমদেদ" in page.input_value("#editor-text")
    assert page.locator("#editor-history li").count() == 1
    assert "rina" in page.locator("#editor-history li").first.inner_text()
    welcome = live.extensions["barta"].book.flows["welcome"]
    assert "খোশ আমদেদ" in repr(welcome)

    # A publish that breaks a golden test is refused with the test's message.
    page.fill("#editor-text", fixed.replace("Tk 1,500", "Tk 1,200").replace("১,৫০০", "১,২০০"))
    page.click("#editor-publish")
    page.wait_for_selector("#editor-status >> text=প্রকাশ হয়নি: আগে এগুলো ঠিক করুন।")
    assert "1,500" in page.locator("#editor-problems").inner_text()
    assert main.read_text("utf-8") == fixed

    # Roll back to the version before the publish.
    page.locator(".editor-rollback").first.click()
    # a locator waits without eval (the page's CSP forbids a string predicate)
    expect(page.locator("#editor-history li")).to_have_count(2, timeout=15000)
    assert main.read_text("utf-8") == original
    assert "খোশ আমদেদ" not in page.input_value("#editor-text")
    assert errors == []

    # A phone: no sideways page scroll, and a text can be changed.
    phone = browser.new_context(
        viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    phone.add_cookies(context.cookies())
    p = phone.new_page()
    p.goto(f"{base}/staff/flows")
    assert p.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    box = p.locator("#editor-text").bounding_box()
    assert box and box["width"] >= 200 and box["x"] + box["width"] <= PHONE["width"]
    p.fill("#editor-text", original.replace(WELCOME, "স্বাগতম, ফোন থেকে!"))
    p.wait_for_selector("#editor-status >> text=কোনো ভুল নেই।")
    p.click("#editor-publish")
    # a locator waits without eval (the page's CSP forbids a string predicate)
    expect(p.locator("#editor-history li")).to_have_count(3, timeout=15000)
    assert "ফোন থেকে" in main.read_text("utf-8")
    phone.close()
    context.close()


def test_the_simulator_clock_shows_a_follow_up_after_three_hours(make_app, browser, tmp_path):  # noqa: F811
    from werkzeug.serving import make_server

    from tests.staff.test_simulator_clock import NUDGE_BN, _flows

    text = _flows().replace("settings:\n", "settings:\n  quiet_hours: []\n", 1)
    app = make_app(text, online=False, start=True)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        page = browser.new_page(viewport=DESKTOP)
        page.goto(f"{base}/simulator")
        page.click("#sim-get-started")
        page.wait_for_selector(".sim-log >> text=কোন পণ্যটি খুঁজছেন?")
        page.click("#sim-later-3")
        page.wait_for_selector(f".sim-log >> text={NUDGE_BN}", timeout=10000)
        assert page.inner_text("#sim-offset") == "(+৩ ঘণ্টা)"  # the workspace is in Bangla
        page.locator(".sim-postback", has_text="দাম কত?").click()
        page.wait_for_selector(".sim-log >> text=শাড়ি ১,৫০০ টাকা থেকে।")
        page.close()
    finally:
        server.shutdown()
        server.server_close()
