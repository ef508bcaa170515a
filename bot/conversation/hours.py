"""Business hours and quiet hours in the business's timezone, and saying when in words."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time

from bot.i18n import bn_digits

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _hm(value: str) -> time:
    h, m = str(value).split(":")
    return time(int(h), int(m))


def is_open(hours: Mapping[str, Any] | None, at: datetime) -> bool:
    """Whether staff are at work at ``at`` (an aware datetime in the business's zone)."""
    if not hours:
        return True
    days = tuple(hours.get("days") or DAYS)
    if DAYS[at.weekday()] not in days:
        return False
    open_, close = _hm(hours.get("open", "00:00")), _hm(hours.get("close", "23:59"))
    now = at.time()
    if open_ <= close:
        return open_ <= now < close
    return now >= open_ or now < close  # open past midnight


def next_open(hours: Mapping[str, Any] | None, now: float, tz: str) -> datetime | None:
    """When staff are next at work; None when they are at work now."""
    zone = ZoneInfo(tz)
    at = datetime.fromtimestamp(now, zone)
    if not hours or is_open(hours, at):
        return None
    days = tuple(hours.get("days") or DAYS)
    open_ = _hm(hours.get("open", "00:00"))
    for offset in range(0, 8):
        day = (at + timedelta(days=offset)).date()
        if DAYS[day.weekday()] not in days:
            continue
        start = datetime.combine(day, open_, zone)
        if start > at:
            return start
    return None


def in_quiet_hours(quiet: tuple[str, str], at: datetime) -> bool:
    """Whether ``at`` falls in the quiet hours (e.g. 22:00 to 08:00), when nobody is written to."""
    start, end = _hm(quiet[0]), _hm(quiet[1])
    t = at.time()
    if start <= end:
        return start <= t < end
    return t >= start or t < end


def quiet_end(quiet: tuple[str, str], at: datetime) -> datetime:
    """The first moment after ``at`` outside the quiet hours."""
    end = _hm(quiet[1])
    candidate = datetime.combine(at.date(), end, at.tzinfo)
    if candidate <= at:
        candidate += timedelta(days=1)
    return candidate


def bn_day_period(t: time) -> str:
    # Bangla names the part of the day before the hour ("সকাল ১০টায়"); CLDR's bn data only
    # has AM/PM, so this short table is ours.
    h = t.hour
    if 4 <= h < 6:
        return "ভোর"
    if 6 <= h < 12:
        return "সকাল"
    if 12 <= h < 15:
        return "দুপুর"
    if 15 <= h < 18:
        return "বিকেল"
    if 18 <= h < 20:
        return "সন্ধ্যা"
    return "রাত"


def say_when(at: datetime, now: float, lang: str) -> str:
    """``at`` in words for a customer: "আগামীকাল সকাল ১০টায়", "tomorrow at 10:00 AM"."""
    today = datetime.fromtimestamp(now, at.tzinfo).date()
    days = (at.date() - today).days
    if lang == "bn":
        hour12 = at.hour % 12 or 12
        clock = f"{hour12}টা" + (f" {at.minute} মিনিটে" if at.minute else "য়")
        clock = bn_digits(f"{bn_day_period(at.time())} {clock}")
        if days == 0:
            day = "আজ"
        elif days == 1:
            day = "আগামীকাল"
        else:
            day = format_date(at.date(), "EEEE, d MMMM", locale="bn")
            day = bn_digits(day)
        return f"{day} {clock}"
    clock = format_time(at, "h:mm a", locale="en")
    if days == 0:
        return f"today at {clock}"
    if days == 1:
        return f"tomorrow at {clock}"
    return f"on {format_date(at.date(), 'EEEE, d MMMM', locale='en')} at {clock}"
