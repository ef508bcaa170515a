"""Owners' texts as a customer reads them: the language picked and ``{placeholders}`` filled
from settings and answers (dates, yes/no and numbers shown in the customer's language).
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date

from bot.book.types import DISTRICT_PARTS, FlowBook, Text
from bot.conversation.turn import Turn
from bot.i18n import bn_digits, format_number, pick


class _Values(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def render(book: FlowBook, turn: Turn, text: Text | str | None) -> str:
    """The owner's text in the customer's language with ``{placeholders}`` filled."""
    raw = pick(text, turn.language, book.settings.languages[0])
    if "{" not in raw:
        return raw
    if not turn.first_name:  # no name gap: "Hello {first_name}!" -> "Hello!"
        raw = raw.replace(" {first_name}", "{first_name}")
        if not turn.answers.get("name"):
            raw = raw.replace(" {name}", "{name}")
    values = _Values()
    s = book.settings
    for key, value in s.extra.items():
        if isinstance(value, Mapping):
            values[key] = pick(value, turn.language)
        elif isinstance(value, int | float) and not isinstance(value, bool):
            values[key] = _setting_number(value, turn.language)  # ৭০ to a Bangla customer
        else:
            values[key] = value
    values["business"] = pick(s.business, turn.language, s.languages[0])
    values["currency"] = s.currency
    values["timezone"] = s.timezone
    values["first_name"] = turn.first_name
    values["name"] = turn.first_name
    values["score"] = turn.score
    values["qualify_score"] = _setting_number(s.qualify_score, turn.language)
    for key in book.district_answers:
        for part in DISTRICT_PARTS:
            values[f"{key}_{part}"] = ""  # no Dhaka area given: nothing, not "{area_area}"
    for key, value in turn.answers.items():
        values[key] = _answer_text(book, key, value, turn.language, turn.now)
    if book.district_answers:
        raw = _drop_empty(raw, values)
    try:
        out = string.Formatter().vformat(raw, (), values)
    except (ValueError, IndexError, AttributeError):
        return raw  # a stray brace in an owner's text is shown as written
    return (
        " ".join(out.split(" ")) if turn.first_name else out.replace(" !", "!").replace("  ", " ")
    )


def _drop_empty(raw: str, values: Mapping[str, Any]) -> str:
    """No gap where a placeholder is empty (no Dhaka area given): "{area_area}, {area}" →
    "{area}", "to {area_area} now" → "to now"; the comma or space beside it goes too."""
    for name, value in values.items():
        field = "{" + name + "}"
        if value != "" or field not in raw:
            continue
        raw = re.sub(r"\s*" + re.escape(field) + r"\s*,\s*", " ", raw)
        raw = re.sub(r"\s*,\s*" + re.escape(field), "", raw)
        raw = re.sub(r"(^|\s)" + re.escape(field) + r"\s*", r"\1", raw)
        raw = raw.replace(field, "")
    return raw.strip()


def _setting_number(value: float | int, lang: str) -> str:
    """A number from settings as the owner wrote it, in Bangla digits for Bangla."""
    return bn_digits(str(value)) if lang == "bn" else str(value)


def _answer_text(
    book: FlowBook, key: str, value: Any, lang: str, now: datetime | None = None
) -> str:
    if isinstance(value, str) and key in book.date_answers:
        return format_day(value, lang, book.settings.timezone, now)
    if isinstance(value, bool):
        return {True: {"bn": "হ্যাঁ", "en": "yes"}, False: {"bn": "না", "en": "no"}}[value][
            "bn" if lang == "bn" else "en"
        ]
    if isinstance(value, int | float):
        return format_number(value, lang)
    if value is None:
        return ""
    return str(value)


def format_day(iso: str, lang: str, timezone: str, now: datetime | None = None) -> str:
    """A saved date ("2026-11-30") as the customer reads it: "৩০ নভেম্বর" / "30 November",
    with the year only when it is not this year in the business's timezone. The saved
    answer stays ISO (answers, API, CSV and expressions use it); only texts show this.
    A value that is not an ISO date is shown as saved."""
    try:
        day = date.fromisoformat(iso)
    except ValueError:
        return iso
    zone = ZoneInfo(timezone)
    this_year = (now.astimezone(zone) if now else datetime.now(zone)).year
    pattern = "d MMMM" if day.year == this_year else "d MMMM y"
    if lang == "bn":
        return bn_digits(format_date(day, pattern, locale="bn"))
    return format_date(day, pattern, locale="en")
