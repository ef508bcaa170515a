"""Business hours and quiet hours: a handoff outside hours says when staff will answer."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.conversation import hours
from store import queue
from tests.conftest import Clock

DHAKA = ZoneInfo("Asia/Dhaka")
SHOP_HOURS = {"days": ["sat", "sun", "mon", "tue", "wed", "thu"], "open": "10:00", "close": "21:00"}

FLOWS = """
settings:
  business: {bn: টেস্ট শপ, en: Test Shop}
  languages: [bn, en]
  timezone: Asia/Dhaka
  hours: {days: [sat, sun, mon, tue, wed, thu], open: "10:00", close: "21:00"}

intents:
  - id: human
    match: [human, agent, manush, মানুষ, "talk to a person"]
    do: handoff
  - id: complaint
    match: [ছেঁড়া, torn]
    say: {bn: "খুবই দুঃখিত! ছবি পাঠালে আমরা এখনই দেখছি।", en: "We are so sorry! Send us a photo and we will look at once."}
    do: handoff
    priority: high

flows:
  welcome:
    start_on: [get_started, first_message]
    steps:
      - say: {bn: "আসসালামু আলাইকুম!", en: "Hello!"}
"""


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in Dhaka in March 2026: the 26th is a Thursday, the 27th a Friday."""
    return datetime(2026, 3, day, hour, minute, tzinfo=DHAKA)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (at(27, 22), at(28, 10)),  # Friday night: Saturday morning
        (at(27, 9), at(28, 10)),  # the shop is closed all Friday
        (at(26, 21), at(28, 10)),  # Thursday at closing time: Friday is off
        (at(28, 8), at(28, 10)),  # Saturday early: the same morning
        (at(28, 10), None),  # open
        (at(28, 20, 59), None),
    ],
)
def test_next_open(now, expected):
    assert hours.next_open(SHOP_HOURS, now.timestamp(), "Asia/Dhaka") == expected


@pytest.mark.parametrize(
    ("moment", "quiet", "end"),
    [
        (at(28, 23), True, at(29, 8)),
        (at(29, 3), True, at(29, 8)),
        (at(29, 7, 59), True, at(29, 8)),
        (at(29, 8), False, None),
        (at(29, 21, 59), False, None),
        (at(29, 22), True, at(30, 8)),
    ],
)
def test_quiet_hours_cross_midnight(moment, quiet, end):
    assert hours.in_quiet_hours(("22:00", "08:00"), moment) is quiet
    if end is not None:
        assert hours.quiet_end(("22:00", "08:00"), moment) == end


@pytest.mark.parametrize(
    ("when", "now", "lang", "words"),
    [
        (at(28, 10), at(27, 22), "bn", "আগামীকাল সকাল ১০টায়"),
        (at(28, 10), at(27, 22), "en", "tomorrow at 10:00 AM"),
        (at(28, 10), at(28, 8), "bn", "আজ সকাল ১০টায়"),
        (at(28, 10), at(28, 8), "en", "today at 10:00 AM"),
        (at(28, 10), at(26, 22), "bn", "শনিবার, ২৮ মার্চ সকাল ১০টায়"),
        (at(28, 10), at(26, 22), "en", "on Saturday, 28 March at 10:00 AM"),
        (at(28, 15, 30), at(28, 8), "bn", "আজ বিকেল ৩টা ৩০ মিনিটে"),
    ],
)
def test_say_when(when, now, lang, words):
    assert hours.say_when(when, now.timestamp(), lang) == words


@pytest.fixture
def shop(make_app):
    def make(moment: datetime):
        clock = Clock(moment.timestamp())
        app = make_app(FLOWS, CLOCK=clock)
        return app, app.extensions["barta"]

    return make


def test_a_handoff_on_friday_night_says_staff_answer_tomorrow_morning_in_bangla(shop, customer):
    app, runtime = shop(at(27, 22, 30))
    c = customer(target_app=app)
    [reply] = c.says("মানুষ")
    assert re.search(r"আমাদের প্রতিনিধি .*সকাল ১০টায় উত্তর দেবেন", reply), reply
    assert "আগামীকাল সকাল ১০টায়" in reply
    assert "শিগগিরই" not in reply  # no "shortly" while the shop is closed
    assert not re.search(r"[0-9]", reply)  # Bengali digits only
    [item] = queue.waiting(runtime.db(), runtime.clock())
    assert item["answer_by"] == at(28, 10).timestamp()


def test_a_handoff_on_friday_night_says_tomorrow_in_english(shop, customer):
    app, runtime = shop(at(27, 22, 30))
    [reply] = customer(target_app=app).says("I want to talk to a person please")
    assert reply == "Thank you! We are closed right now; our team will reply tomorrow at 10:00 AM."
    [item] = queue.waiting(runtime.db(), runtime.clock())
    assert item["answer_by"] == at(28, 10).timestamp()


def test_a_handoff_on_thursday_night_names_the_weekday(shop, customer):
    app, runtime = shop(at(26, 22))
    [reply] = customer(target_app=app).says("I want to talk to a person please")
    assert "on Saturday, 28 March at 10:00 AM" in reply, reply


def test_a_handoff_in_opening_hours_promises_no_later_time(shop, customer):
    app, runtime = shop(at(28, 11))
    [reply] = customer(target_app=app).says("মানুষ")
    assert "উত্তর দেবেন" not in reply
    [item] = queue.waiting(runtime.db(), runtime.clock())
    assert item["answer_by"] is None


def test_an_intent_that_says_and_hands_off_sends_only_the_owners_words(shop, customer):
    app, runtime = shop(at(28, 11))
    replies = customer(target_app=app).says("কাপড়টা ছেঁড়া, ফেরত দিতে চাই")
    assert replies == ["খুবই দুঃখিত! ছবি পাঠালে আমরা এখনই দেখছি।"]  # no thank-you after it
    [item] = queue.waiting(runtime.db(), runtime.clock())
    assert item["reason"] == "complaint" and item["priority"] == "high"


def test_closed_the_owners_words_are_followed_by_when_staff_answer(shop, customer):
    app, runtime = shop(at(27, 22, 30))
    [reply] = customer(target_app=app).says("The kameez came torn")
    assert reply == (
        "We are so sorry! Send us a photo and we will look at once.\n\n"
        "We are closed right now; our team will reply tomorrow at 10:00 AM."
    )
