"""Typed answers (number, phone, email, date, yes/no, text, district, payment_ref) → a
normalised value or None."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import phonenumbers

# dateparser costs ~50 ms to import and ~90 ms more on its first Bangla parse (it loads
# locale data lazily); both are paid once per process, never per message.
from dateparser.date import DateDataParser

from bot.text.amounts import parse_amount
from bot.text.districts import validate_district
from bot.text.norm import bn_stem, canon_latin, to_ascii_digits, tokens
from bot.text.payment import parse_payment_ref


@dataclass(frozen=True)
class Context:
    """What a validator may need besides the text: the time, the shop's zone, the language."""

    now: datetime  # timezone-aware
    timezone: str = "Asia/Dhaka"
    language: str = "bn"


def _words(text: str) -> list[str]:
    """Tokens with romanized words canonicalized, for table lookups."""
    return [canon_latin(t) if t.isascii() else t for t in tokens(text)]


def _stems(phrase: str) -> str:
    return " ".join(bn_stem(w) for w in phrase.split())


def _listed(table: str) -> list[str]:
    """The phrases of a table written as comma-separated lines."""
    return [p.strip() for p in table.replace("\n", ",").split(",") if p.strip()]


def _phrase_set(*phrases: str) -> frozenset[str]:
    return frozenset(" ".join(_words(p)) for p in phrases)


# --- text --------------------------------------------------------------------------------

MAX_TEXT = 1000


def validate_text(text: str, ctx: Context) -> str | None:
    """Any non-empty text up to 1000 characters, stripped."""
    text = text.strip()
    return text if 0 < len(text) <= MAX_TEXT else None


# --- number ------------------------------------------------------------------------------


# What a payment reference needs (payment.py): a "last" word, or a token of 8+ letters and
# digits with a digit in it; a plain amount ("৫০০০ টাকা") skips the parse.
_MAYBE_PAYMENT = re.compile(
    r"শেষ|লাস্ট|last|lst|ses|shes|[A-Za-z0-9]*[0-9][A-Za-z0-9]*[A-Za-z][A-Za-z0-9]*"
    r"|[A-Za-z][A-Za-z0-9]*[0-9]|[0-9০-৯]{8,}",
    re.IGNORECASE,
)


def validate_number(text: str, ctx: Context) -> int | float | None:
    """An amount: ২৫,০০০ টাকা → 25000, দেড় লাখ → 150000, 5k → 5000, twenty thousand → 20000."""
    # "টাকা পাঠিয়েছি, শেষের ৪ সংখ্যা ৪৫৬৭" is a payment reference, not an amount of 4.
    if _MAYBE_PAYMENT.search(text) and parse_payment_ref(text) is not None:
        return None
    # Zero is allowed here: a number question may ask how many, not only how much.
    return parse_amount(text, allow_zero=True)


# --- phone -------------------------------------------------------------------------------

_BD_MOBILE = re.compile(r"01[3-9]\d{8}")  # Grameenphone, Robi, Airtel, Banglalink, Teletalk


def validate_phone(text: str, ctx: Context) -> str | None:
    """A Bangladeshi mobile number in its 11-digit local form, 01XXXXXXXXX."""
    digits = re.sub(r"[^0-9]", "", to_ascii_digits(text))
    digits = digits.removeprefix("00")  # the international call prefix
    # "(+88) 01711…" and "88 01711…" write the country code as 88 before the trunk 0.
    for code in ("880", "88"):
        if digits.startswith(code):
            digits = digits[len(code) :]
            break
    national = digits.removeprefix("0")
    if len(national) != 10:
        return None
    try:
        number = phonenumbers.parse("+880" + national, "BD")
    except phonenumbers.NumberParseException:
        return None
    if number.country_code != 880 or not phonenumbers.is_valid_number(number):
        return None
    if phonenumbers.number_type(number) != phonenumbers.PhoneNumberType.MOBILE:
        return None
    local = "0" + str(number.national_number)
    return local if _BD_MOBILE.fullmatch(local) else None


# --- email -------------------------------------------------------------------------------

_EMAIL = re.compile(
    r"(?P<local>[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*)"
    r"@(?P<domain>(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63})",
    re.IGNORECASE | re.ASCII,
)


def validate_email(text: str, ctx: Context) -> str | None:
    """An e-mail address, stripped, with its domain lowercased; abc@gmail → None."""
    s = unicodedata.normalize("NFKC", text).strip().removeprefix("mailto:")
    m = _EMAIL.fullmatch(s)
    if not m or len(s) > 254:
        return None
    return f"{m['local']}@{m['domain'].lower()}"


# --- date --------------------------------------------------------------------------------

# What dateparser (1.5, checked) misses: কাল and পরশু, weekday names (it returns None with
# REQUIRE_PARTS=["day"]), romanized words, and "১০ তারিখ".
_DAY_OFFSETS = {
    **dict.fromkeys(["আজ", "আজকে", "আজই", "aj", "ajke", "aaj", "aajke", "today"], 0),
    **dict.fromkeys(
        ["কাল", "কালকে", "আগামীকাল", "kal", "kalke", "agamikal", "tomorrow", "tmrw", "tmr"], 1
    ),
    **dict.fromkeys(["পরশু", "porshu", "porsu", "poshu", "day after tomorrow"], 2),
}
_WEEKDAYS = {  # Monday = 0, as datetime.weekday()
    0: "সোমবার সোম sombar shombar som monday mon",
    1: "মঙ্গলবার মঙ্গল mongolbar mongol tuesday tue tues",
    2: "বুধবার বুধ budhbar budbar budh wednesday wed",
    3: "বৃহস্পতিবার বৃহস্পতি brihospotibar brihospoti bishudbar thursday thu thurs",
    4: "শুক্রবার শুক্র shukrobar sukrobar shukro friday fri",
    5: "শনিবার শনি shonibar sonibar shoni saturday sat",
    6: "রবিবার রবি robibar robbar robi sunday sun",
}
_DATE_WORDS: dict[str, tuple[str, int]] = {}
for _w, _n in _DAY_OFFSETS.items():
    for _p in _phrase_set(_w):
        _DATE_WORDS[_p] = _DATE_WORDS[_stems(_p)] = ("offset", _n)
for _d, _ws in _WEEKDAYS.items():
    for _p in _phrase_set(*_ws.split()):
        _DATE_WORDS[_p] = _DATE_WORDS[_stems(_p)] = ("weekday", _d)
# Words that only point forward: "আগামী শুক্রবার", "next friday", "এই রবিবার".
_DATE_FILLER = _phrase_set(
    *_listed(
        """
        আগামী, সামনের, এই, এ, next, this, coming, on, agami, samner, ei, e, din, দিন, দিনে
        """
    )
)
_DAY_OF_MONTH = re.compile(r"(\d{1,2})\s*(?:তারিখ\w*|tarikh|tarik|th|st|nd|rd)", re.IGNORECASE)
_DAYS_LATER = re.compile(
    r"(\d{1,3})\s*(?:দিন|din|days?)\s*(?:পরে|পর|por|pore|porei|later|after)", re.IGNORECASE
)


def _today(ctx: Context) -> date:
    return ctx.now.astimezone(ZoneInfo(ctx.timezone)).date()


def _next_day_of_month(today: date, day: int) -> date | None:
    """The next date (today included) falling on ``day`` of some month."""
    if not 1 <= day <= 31:
        return None
    year, month = today.year, today.month
    for _ in range(13):
        try:
            candidate = date(year, month, day)
        except ValueError:  # 31 in a 30-day month: try the next month
            candidate = None
        if candidate is not None and candidate >= today:
            return candidate
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return None


def _from_table(text: str, today: date) -> date | None:
    words = [w for w in _words(text) if w not in _DATE_FILLER]
    # "শুক্রবারে", "কালকে": the table holds stems too (both sides overstrip alike).
    for key in (" ".join(words), _stems(" ".join(words))):
        hit = _DATE_WORDS.get(key)
        if hit and hit[0] == "offset":
            return today + timedelta(days=hit[1])
        if hit:
            ahead = (hit[1] - today.weekday()) % 7 or 7  # the coming one, never today
            return today + timedelta(days=ahead)
    return None


def validate_date(text: str, ctx: Context) -> str | None:
    """A date as ISO "YYYY-MM-DD": কাল, পরশু, শুক্রবার, ২৫ ডিসেম্বর, 5/12, in 3 days …"""
    s = unicodedata.normalize("NFC", to_ascii_digits(text)).strip()
    if not s or len(s) > 100:
        return None
    today = _today(ctx)
    found = _from_table(s, today)
    if found is None and (m := _DAYS_LATER.fullmatch(s)):
        found = today + timedelta(days=int(m[1]))
    if found is None and (m := _DAY_OF_MONTH.fullmatch(s)):
        found = _next_day_of_month(today, int(m[1]))
    if found is None and re.fullmatch(r"[\d\s.,]*", s):
        return None  # a bare number: dateparser would read "5" as a day of this month, past
    if found is None:
        found = _dateparser(s, ctx)
    return found.isoformat() if found else None


def _dateparser(s: str, ctx: Context) -> date | None:
    base = ctx.now.astimezone(ZoneInfo(ctx.timezone)).replace(tzinfo=None)
    # A parser per call: RELATIVE_BASE is a setting, and building one costs ~50 µs against
    # ~400 µs for the parse itself.
    parser = DateDataParser(
        languages=["bn", "en"],
        settings={
            "PREFER_DATES_FROM": "future",
            "RELATIVE_BASE": base,
            "DATE_ORDER": "DMY",  # 05/12 is 5 December in Bangladesh
            "REQUIRE_PARTS": ["day"],  # "December" alone is not a date
        },
    )
    try:
        found = parser.get_date_data(s).date_obj
    except Exception:  # dateparser is a black box; an odd input must not crash a turn
        return None
    return found.date() if found else None


# --- yes / no ----------------------------------------------------------------------------

_YES = _phrase_set(
    *_listed(
        """
        হ্যাঁ, হ্যা, হা, হাঁ, হুম, জি, জ্বি, জী, ঠিক আছে, অবশ্যই, আচ্ছা, লাগবে, চাই, yes, y,
        yeah, yea, yep, yup, ok, okay, okey, k, sure, ha, haa, hae, hmm, hm, ji, jee, jii,
        thik ache, thik, accha, acha, lagbe, of course, confirm, done, নিবো, নেবো, nibo,
        nebo
        """
    )
)
_NO = _phrase_set(
    *_listed(
        """
        না, নাহ, নাহ্, নো, নেই, নাই, no, n, nope, nah, na, naa, not, nai, nei, never,
        cancel
        """
    )
)
# Negations that mean yes: "no problem" answers "shall we deliver tomorrow?".
_YES_DESPITE_NO = _phrase_set(
    *_listed(
        """
        no problem, kono problem nai, problem nai, সমস্যা নেই, সমস্যা নাই, অসুবিধা নেই,
        why not
        """
    )
)
_YES_DESPITE_NO_PADDED = tuple(f" {p} " for p in _YES_DESPITE_NO)
_YES_PHRASES_PADDED = tuple(f" {p} " for p in _YES if " " in p)  # ঠিক আছে, of course
_YES_EMOJI = frozenset("👍✅✔👌")
_NO_EMOJI = frozenset("👎❌✖🚫")


def validate_yes_no(text: str, ctx: Context) -> bool | None:
    """True for হ্যাঁ/জি/ok/ha…, False for না/জি না/no/lagbe na…; unclear → None."""
    words = _words(text)
    if not words:
        has_yes = any(ch in _YES_EMOJI for ch in text)
        has_no = any(ch in _NO_EMOJI for ch in text)
        return None if has_yes == has_no else has_yes
    if len(words) > 8:
        return None  # a long message is not a yes or a no; let a human read it
    padded = f" {' '.join(words)} "
    if any(p in padded for p in _YES_DESPITE_NO_PADDED):
        return True
    # Negation first: "জি না" and "lagbe na" hold a yes-word too.
    if any(w in _NO for w in words):
        return False
    if any(w in _YES for w in words) or any(p in padded for p in _YES_PHRASES_PADDED):
        return True
    return None


# --- skipping an optional question -------------------------------------------------------

SKIP_WORDS = _phrase_set(
    *_listed(
        """
        skip, pass, next, none, nothing, n/a, দরকার নেই, না থাক, থাক, বাদ, বাদ দিন, বাদ দাও,
        বাদ দেন, স্কিপ, কিছু না, কিছু নেই, জানি না, thak, na thak, bad din, bad dao,
        kichu na, kichu nai, jani na, i don't know, dont know, idk
        """
    )
)
# Symbols alone vanish in normalize(), so they are checked on the raw text.
_SKIP_SYMBOLS = frozenset({"-", "--", "—", "–", ".", "x", "X"})


def is_skip(text: str) -> bool:
    """Whether an answer to an optional question means "skip it"."""
    raw = text.strip()
    if raw in _SKIP_SYMBOLS:
        return True
    return " ".join(_words(raw)) in SKIP_WORDS


# --- payment reference ---------------------------------------------------------------


def validate_payment_ref(text: str, ctx: Context) -> str | None:
    """A bKash/Nagad/Rocket transaction id (8N7A6B5C4D) or the last digits of the sending
    number (শেষের ৪ সংখ্যা ৪৫৬৭ → "4567"), as text; the question asked for one, so a bare
    "৪৫৬৭" counts."""
    ref = parse_payment_ref(text, expecting=True)
    return ref.value if ref is not None else None


# --- registry ----------------------------------------------------------------------------

VALIDATORS: dict[str, Callable[[str, Context], Any | None]] = {
    "text": validate_text,
    "number": validate_number,
    "phone": validate_phone,
    "email": validate_email,
    "date": validate_date,
    "yes_no": validate_yes_no,
    "district": validate_district,  # {"district", "area", "zone"}; the runner saves all three
    "payment_ref": validate_payment_ref,
}


def validate(kind: str, text: str, ctx: Context) -> Any | None:
    """Run the ``kind`` validator; None when the text is not a valid answer."""
    if not isinstance(text, str):
        return None
    try:
        check = VALIDATORS[kind]
    except KeyError:
        # The compiler checks types at load, so this is a programming error, not input.
        raise ValueError(f"unknown answer type {kind!r}; known: {sorted(VALIDATORS)}") from None
    return check(text, ctx)
