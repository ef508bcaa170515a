# ruff: noqa: F811  (the fixtures of test_browser, imported, are parameters here)
"""Several Pages in real Chromium at 360×740: the Page filter and each row's Page name
show without making any page wider than the phone, and axe-core finds nothing serious."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from store import pages
from store import staff as accounts
from tests.staff.test_browser import (  # noqa: F401  (fixtures)
    PASSWORD,
    browser,
    live,
    log_in,
    shots,
)
from tests.staff.test_pages import PAGE_A, PAGE_B, lead
from tests.staff.test_workspace_browser import check

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}
LONG_NAME = "স্বপ্ন ফ্যাশন হাউস — ঈদ কালেকশন ২০২৬ (ঢাকা ও চট্টগ্রাম শাখা)"


def test_the_page_filter_and_page_names_fit_a_phone(live, browser, shots):
    rt = live.extensions["barta"]
    pages.add(rt.db(), PAGE_A, rt.clock(), token="EAAa", name=LONG_NAME)
    pages.add(rt.db(), PAGE_B, rt.clock(), token="EAAb", name="আমার দোকান")
    lead(live, "7800000000000001", PAGE_A, name="নুসরাত জাহান")
    lead(live, "7800000000000002", PAGE_B, name="রহিম উদ্দিন")
    b_only = lead(live, "7800000000000003", PAGE_B, name="সাবরিনা", handoff=False)
    accounts.create(rt.db(), "karim", "agent", PASSWORD, rt.clock())

    base = live.base_url
    context = browser.new_context(viewport=PHONE, locale="bn-BD")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    log_in(page, base)

    expect(page.locator("select[name=page]")).to_be_visible()
    expect(page.locator(".badge.page").first).to_be_visible()
    expect(page.locator(".badge.page", has_text="আমার দোকান")).to_be_visible()
    page.screenshot(path=str(shots / "pages-queue-phone.png"))
    problems = check(page, "/staff/queue")

    # choosing a Page shows only its leads
    page.select_option("select[name=page]", PAGE_B)
    page.locator("form.filters button").click()
    page.wait_for_url(re.compile(rf".*page={PAGE_B}.*"))
    expect(page.locator("#queue .who", has_text="রহিম উদ্দিন")).to_be_visible()
    expect(page.locator("#queue .who", has_text="নুসরাত জাহান")).to_have_count(0)
    problems += check(page, f"/staff/queue?page={PAGE_B}")

    for url in (
        "/staff/queue?show=all",
        "/staff/leads",
        f"/staff/leads?page={PAGE_A}",
        "/staff/overview",
        f"/staff/c/{b_only}",
        "/staff/team",
    ):
        page.goto(base + url)
        problems += check(page, url)
    page.goto(f"{base}/staff/queue?show=all")
    expect(page.locator(".badge.page", has_text="আমার দোকান").first).to_be_visible()
    assert problems == [], "\n".join(problems)
    assert errors == []
    context.close()
