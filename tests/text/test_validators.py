"""Tests for bot/validators.py: typed answers to normalised values, with a fixed clock."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.text.validators import VALIDATORS, Context, is_skip, validate

# Monday 23 November 2026, 10:00 in Dhaka.
CTX = Context(now=datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Asia/Dhaka")))


def test_registry_has_every_answer_type():
    assert set(VALIDATORS) == {
        "text",
        "number",
        "phone",
        "email",
        "date",
        "yes_no",
        "district",
        "payment_ref",
    }


def test_validate_refuses_an_unknown_type():
    with pytest.raises(ValueError, match="unknown answer type 'colour'"):
        validate("colour", "red", CTX)


@pytest.mark.parametrize("kind", sorted(VALIDATORS))
@pytest.mark.parametrize("text", ["", "   ", "👍👎", "\x00", "٣" * 5000])
def test_validators_never_raise(kind, text):
    validate(kind, text, CTX)


# --- text --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [("  রহিম  ", "রহিম"), ("Mirpur 10, Dhaka", "Mirpur 10, Dhaka"), ("", None), ("  ", None)],
)
def test_text_is_stripped_and_must_not_be_empty(text, expected):
    assert validate("text", text, CTX) == expected


def test_text_longer_than_1000_characters_is_refused():
    assert validate("text", "ক" * 1001, CTX) is None
    assert validate("text", "ক" * 1000, CTX) == "ক" * 1000


# --- number ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5000", 5000),
        ("৫০০০", 5000),
        ("২৫,০০০ টাকা", 25000),
        ("১,২৫,০০০", 125000),
        ("15,000", 15000),
        ("৳500", 500),
        ("৫০০/-", 500),
        ("tk 1500", 1500),
        ("Tk. 1,500", 1500),
        ("1500 taka", 1500),
        ("BDT 3000", 3000),
        ("5k", 5000),
        ("5K", 5000),
        ("1.5k", 1500),
        ("১৫ হাজার", 15000),
        ("15 hajar", 15000),
        ("15 hazar", 15000),
        ("১৫ হাজার টাকা", 15000),
        ("দুই হাজার", 2000),
        ("২ লাখ", 200000),
        ("2 lakh", 200000),
        ("2 lac", 200000),
        ("২ লাখ ৫০ হাজার", 250000),
        ("15 hajar 500", 15500),
        ("১,৫০০-২,০০০", 1500),
        ("1500 theke 2000", 1500),
        ("১৫-২০ হাজার", 15000),
        ("around 3000", 3000),
        ("৩০০০ এর মধ্যে", 3000),
        ("12.5", 12.5),
        ("০", 0),
    ],
)
def test_number_understands_bangladeshi_amounts(text, expected):
    value = validate("number", text, CTX)
    assert value == expected
    assert type(value) is type(expected)


@pytest.mark.parametrize(
    "text", ["jani na", "অনেক", "hajar", "ek", "kom", "", "01711223344", "০১৭১১২২৩৩৪৪"]
)
def test_number_refuses_non_numbers(text):
    assert validate("number", text, CTX) is None


# --- phone -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "01711223344",
        "+8801711223344",
        "8801711223344",
        "01711-223344",
        "+880 1711-223344",
        "01711 223 344",
        "1711223344",
        "(+88) 01711223344",
        "88 01711223344",
        "+880 01711223344",
        "0088 01711223344",
        " 01711223344 ",
    ],
)
def test_phone_accepts_common_bangladeshi_forms(text):
    assert validate("phone", text, CTX) == "01711223344"


@pytest.mark.parametrize("text", ["০১৭১১২২৩৩৪৪", "+৮৮০ ১৭১১-২২৩৩৪৪", "+৮৮০ 1711-223344"])
def test_phone_accepts_bengali_digits(text):
    assert validate("phone", text, CTX) == "01711223344"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("01311223344", "01311223344"),
        ("01511223344", "01511223344"),
        ("01911223344", "01911223344"),
        ("01812-345678", "01812345678"),
    ],
)
def test_phone_accepts_every_operator_prefix(text, expected):
    assert validate("phone", text, CTX) == expected


@pytest.mark.parametrize(
    "text",
    [
        "02-9123456",  # Dhaka landline
        "+880 2 9123456",
        "0171122334",  # 10 digits
        "017112233445",  # 12 digits
        "01111223344",  # 011: no operator
        "01211223344",
        "+91 9876543210",  # India
        "abc",
        "",
    ],
)
def test_phone_refuses_landlines_foreign_and_wrong_lengths(text):
    assert validate("phone", text, CTX) is None


# --- email -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (" rahim.k@yahoo.com ", "rahim.k@yahoo.com"),
        ("Rahim@Gmail.COM", "Rahim@gmail.com"),
        ("a+shop@mail.example.com.bd", "a+shop@mail.example.com.bd"),
    ],
)
def test_email_is_stripped_with_a_lowercase_domain(text, expected):
    assert validate("email", text, CTX) == expected


@pytest.mark.parametrize(
    "text", ["abc@gmail", "abc", "a@b.c", "a..b@x.com", "x@-x.com", "রহিম@gmail.com", "@x.com"]
)
def test_email_refuses_malformed_addresses(text):
    assert validate("email", text, CTX) is None


# --- date --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("আজ", "2026-11-23"),
        ("আজকে", "2026-11-23"),
        ("ajke", "2026-11-23"),
        ("today", "2026-11-23"),
        ("কাল", "2026-11-24"),
        ("কালকে", "2026-11-24"),
        ("আগামীকাল", "2026-11-24"),
        ("kal", "2026-11-24"),
        ("agamikal", "2026-11-24"),
        ("tomorrow", "2026-11-24"),
        ("পরশু", "2026-11-25"),
        ("porshu", "2026-11-25"),
        ("শনিবার", "2026-11-28"),
        ("শুক্রবার", "2026-11-27"),
        ("শুক্র", "2026-11-27"),
        ("শুক্রবারে", "2026-11-27"),
        ("আগামী শুক্রবার", "2026-11-27"),
        ("shukrobar", "2026-11-27"),
        ("Friday", "2026-11-27"),
        ("next friday", "2026-11-27"),
        ("সোমবার", "2026-11-30"),  # today is Monday: the coming one
        ("monday", "2026-11-30"),
        ("২৫ ডিসেম্বর", "2026-12-25"),
        ("২৫শে ডিসেম্বর", "2026-12-25"),
        ("25 December", "2026-12-25"),
        ("20 nov", "2027-11-20"),  # already past this year
        ("৫/১২/২০২৬", "2026-12-05"),  # day first, as written in Bangladesh
        ("5/12", "2026-12-05"),
        ("2027-01-15", "2027-01-15"),
        ("১০ তারিখ", "2026-12-10"),
        ("10 tarikh", "2026-12-10"),
        ("২৩ তারিখ", "2026-11-23"),
        ("31 tarikh", "2026-12-31"),
        ("৩ দিন পরে", "2026-11-26"),
        ("3 din por", "2026-11-26"),
        ("in 3 days", "2026-11-26"),
    ],
)
def test_date_resolves_against_now_in_dhaka(text, expected):
    assert validate("date", text, CTX) == expected


def test_date_uses_the_shop_timezone_not_utc():
    # 20:00 UTC on the 23rd is already the 24th in Dhaka.
    late = Context(now=datetime(2026, 11, 23, 20, 0, tzinfo=ZoneInfo("UTC")))
    assert validate("date", "আজ", late) == "2026-11-24"
    assert validate("date", "কাল", late) == "2026-11-25"


@pytest.mark.parametrize("text", ["5", "১২", "hello", "jani na", "December", "32 tarikh", ""])
def test_date_refuses_non_dates(text):
    assert validate("date", text, CTX) is None


# --- yes / no ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "হ্যাঁ", "হ্যা", "হা", "জি", "জ্বি", "জী", "ঠিক আছে", "অবশ্যই", "জি, লাগবে", "হ্যাঁ নিবো",
        "yes", "Y", "yeah", "yep", "ok", "OK!", "okay", "sure", "ha", "haa", "hmm", "ji", "jee",
        "thik ache", "Yes please", "no problem", "সমস্যা নেই", "👍",
    ],
)  # fmt: skip
def test_yes_no_understands_yes(text):
    assert validate("yes_no", text, CTX) is True


@pytest.mark.parametrize(
    "text",
    [
        "না", "নাহ", "জি না", "জ্বি না", "না লাগবে না", "লাগবে না", "no", "N", "nope", "nah",
        "na", "not now", "lagbe na", "no thanks", "👎",
    ],
)  # fmt: skip
def test_yes_no_understands_no_and_checks_negation_first(text):
    assert validate("yes_no", text, CTX) is False


@pytest.mark.parametrize(
    "text",
    ["maybe", "পরে জানাবো", "kurti", "", "👍👎", "ami ekhon busy ache onek kaj ache pore bolbo"],
)
def test_yes_no_is_none_when_unclear(text):
    assert validate("yes_no", text, CTX) is None


# --- skip --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["skip", "Skip", "pass", "-", "না থাক", "থাক", "বাদ দিন", "বাদ দাও", "jani na", "N/A"]
)
def test_is_skip_recognises_skip_words(text):
    assert is_skip(text)


@pytest.mark.parametrize("text", ["না", "no", "no thanks", "lagbe na", "হ্যাঁ", "5000", "রহিম", "0"])
def test_is_skip_leaves_real_answers_alone(text):
    assert not is_skip(text)


# --- district, payment_ref, and payment references at a number question ----------------------


def _ctx():
    return Context(now=datetime(2026, 12, 1, 12, tzinfo=ZoneInfo("Asia/Dhaka")))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("মিরপুরে", {"district": "Dhaka", "area": "Mirpur", "zone": "inside_dhaka"}),
        ("ctg", {"district": "Chattogram", "area": None, "zone": "outside_dhaka"}),
        ("savar", {"district": "Dhaka", "area": "Savar", "zone": "dhaka_suburb"}),
        ("ঢাকার বাইরে", None),
        ("hello", None),
    ],
)
def test_district_answers(text, expected):
    assert validate("district", text, _ctx()) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("৪৫৬৭", "4567"),
        ("টাকা পাঠিয়েছি, শেষের ৪ সংখ্যা ৪৫৬৭", "4567"),
        ("TrxID 8N7A6B5C4D", "8N7A6B5C4D"),
        ("01711223344", None),
        ("২০০০ টাকা", None),
        ("ok", None),
    ],
)
def test_payment_ref_answers(text, expected):
    assert validate("payment_ref", text, _ctx()) == expected


@pytest.mark.parametrize(
    "text", ["টাকা পাঠিয়েছি, শেষের ৪ সংখ্যা ৪৫৬৭", "last 4 digit 8899", "TrxID 8N7A6B5C4D"]
)
def test_a_payment_reference_is_not_an_amount(text):
    assert validate("number", text, _ctx()) is None
