"""Saved answers in texts: a ``type: date`` answer is saved as ISO and shown as a day."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.conversation.render import format_day
from tests.conftest import Clock

DHAKA = ZoneInfo("Asia/Dhaka")

FLOWS = """
settings:
  business: {bn: টেস্ট শপ, en: Test Shop}
  languages: [bn, en]
  timezone: Asia/Dhaka

flows:
  welcome:
    start_on: [get_started, first_message]
    steps:
      - id: when
        ask: {bn: "কবে ডেলিভারি চান?", en: "When do you want delivery?"}
        type: date
      - id: note
        ask: {bn: "কিছু বলবেন?", en: "Anything else?"}
      - say: {bn: "তারিখ {when}, নোট {note}", en: "Date {when}, note {note}"}
"""


@pytest.fixture
def shop(make_app, customer):
    def make(year: int, month: int, day: int, hour: int = 11):
        clock = Clock(datetime(year, month, day, hour, tzinfo=DHAKA).timestamp())
        return customer(target_app=make_app(FLOWS, CLOCK=clock))

    return make


def test_a_saved_date_is_shown_in_bangla_and_kept_iso(shop):
    c = shop(2026, 11, 29)
    assert c.postback("GET_STARTED") == ["কবে ডেলিভারি চান?"]
    assert c.says("আগামীকাল") == ["কিছু বলবেন?"]
    # a text answer that looks like a date is not a date answer: shown as typed
    assert c.says("2026-12-01") == ["তারিখ ৩০ নভেম্বর, নোট 2026-12-01"]
    assert c.conversation()["answers"] == {"when": "2026-11-30", "note": "2026-12-01"}


def test_a_saved_date_in_another_year_is_shown_with_the_year(shop):
    c = shop(2026, 12, 31)
    c.postback("GET_STARTED")
    c.says("৫ জানুয়ারি")
    assert c.says("না") == ["তারিখ ৫ জানুয়ারি ২০২৭, নোট না"]
    assert c.conversation()["answers"]["when"] == "2027-01-05"


def test_a_saved_date_is_shown_in_english(shop):
    c = shop(2026, 11, 29)
    c.says("Hello, I would like to order")
    assert c.says("tomorrow") == ["Anything else?"]
    assert c.says("no") == ["Date 30 November, note no"]
    assert c.conversation()["answers"]["when"] == "2026-11-30"


@pytest.mark.parametrize(
    ("iso", "lang", "now", "shown"),
    [
        ("2026-11-30", "en", datetime(2026, 11, 29, 5, tzinfo=UTC), "30 November"),
        ("2027-01-05", "en", datetime(2026, 11, 29, 5, tzinfo=UTC), "5 January 2027"),
        ("2027-01-05", "bn", datetime(2026, 11, 29, 5, tzinfo=UTC), "৫ জানুয়ারি ২০২৭"),
        # 31 December 20:00 UTC is already 1 January 2027 in Dhaka: this year, no year shown
        ("2027-01-05", "bn", datetime(2026, 12, 31, 20, tzinfo=UTC), "৫ জানুয়ারি"),
        ("2026-12-31", "en", datetime(2026, 12, 31, 20, tzinfo=UTC), "31 December 2026"),
        ("not a date", "bn", datetime(2026, 11, 29, 5, tzinfo=UTC), "not a date"),
    ],
)
def test_format_day_adds_the_year_by_the_business_timezone(iso, lang, now, shown):
    assert format_day(iso, lang, "Asia/Dhaka", now) == shown
