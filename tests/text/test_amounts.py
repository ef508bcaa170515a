"""Tests for bot/text/amounts.py: amounts in Bangla script, English and romanized Bangla."""

import pytest

from bot.text.amounts import _BN_NUMBERS, parse_amount, parse_amount_range

AMOUNTS = [
    # digits, both scripts, separators, decimals
    ("5000", 5000),
    ("৫০০০", 5000),
    ("২৫,০০০", 25000),
    ("25,000", 25000),
    ("1,50,000", 150000),
    ("১,৫০,০০০", 150000),
    ("1,00,00,000", 10000000),
    ("1.5", 1.5),
    ("১.৫", 1.5),
    ("12.5", 12.5),
    # currency words and signs
    ("২৫,০০০ টাকা", 25000),
    ("৳500", 500),
    ("৳ ৫০০০", 5000),
    ("৫০০/-", 500),
    ("5000/=", 5000),
    ("tk 1500", 1500),
    ("Tk. 1,500", 1500),
    ("tk500", 500),
    ("500tk", 500),
    ("1500 taka", 1500),
    ("BDT 3000", 3000),
    ("5000 BDT", 5000),
    ("৫০০টাকা", 500),
    # multipliers
    ("25k", 25000),
    ("25K", 25000),
    ("1.5k", 1500),
    ("২৫ হাজার", 25000),
    ("২৫হাজার", 25000),
    ("15 hajar", 15000),
    ("15 hazar", 15000),
    ("twenty thousand", 20000),
    ("৫ লাখ", 500000),
    ("১.৫ লাখ", 150000),
    ("1.5 lakh", 150000),
    ("1.1 lakh", 110000),
    ("2 lac", 200000),
    ("3 lakhs", 300000),
    ("৫ লক্ষ", 500000),
    ("2 crore", 20000000),
    ("১ কোটি", 10000000),
    ("2 koti", 20000000),
    ("1.5 cr", 15000000),
    ("10 million", 10000000),
    ("৫ শ", 500),
    ("৫শো টাকা", 500),
    ("5 sho", 500),
    ("১০ হাজারের মধ্যে", 10000),
    ("দুই লাখের মতো", 200000),
    # Bangla number words
    ("দুই হাজার", 2000),
    ("বিশ হাজার", 20000),
    ("পঁচিশ হাজার", 25000),
    ("পচিশ হাজার", 25000),
    ("ত্রিশ হাজার", 30000),
    ("তিরিশ হাজার", 30000),
    ("ষোল হাজার", 16000),
    ("ষোলো হাজার", 16000),
    ("পনের হাজার টাকা", 15000),
    ("উনিশ হাজার", 19000),
    ("উনত্রিশ হাজার", 29000),
    ("বিয়াল্লিশ হাজার", 42000),
    ("সাতান্ন হাজার", 57000),
    ("তেষট্টি হাজার", 63000),
    ("সাতাত্তর হাজার", 77000),
    ("অষ্টাশি হাজার", 88000),
    ("নিরানব্বই হাজার", 99000),
    ("এক লাখ পঁচিশ হাজার", 125000),
    ("একশো", 100),
    ("একশ টাকা", 100),
    ("তিনশো", 300),
    ("দুশো টাকা", 200),
    ("ছ'শ টাকা", 600),
    ("পঁচিশশো", 2500),
    ("এক হাজার পাঁচশো", 1500),
    ("পাঁচ হাজার তিনশো পঞ্চাশ", 5350),
    ("দুই", 2),
    ("দেড় পাউন্ড", 1.5),
    ("দশেক হাজার", 10000),
    ("হাজার খানেক", 1000),
    ("হাজারখানেক টাকা", 1000),
    ("হাজার পাঁচেক", 5000),
    # English number words
    ("twenty five thousand", 25000),
    ("twenty-five thousand", 25000),
    ("two hundred", 200),
    ("one hundred twenty", 120),
    ("one hundred and twenty", 120),
    ("fifteen hundred", 1500),
    ("two thousand five hundred", 2500),
    ("a thousand", 1000),
    ("a lakh", 100000),
    ("two hundred thousand", 200000),
    # romanized Bangla
    ("ek lakh", 100000),
    ("dui hajar", 2000),
    ("tin hajar taka", 3000),
    ("char hajar", 4000),
    ("pach hajar", 5000),
    ("panch hajar", 5000),
    ("choy hajar", 6000),
    ("sat hajar", 7000),
    ("at hajar", 8000),
    ("noy hajar", 9000),
    ("dosh hajar", 10000),
    ("bish hajar", 20000),
    ("pochish hajar", 25000),
    ("trish hajar", 30000),
    ("chollish hajar", 40000),
    ("ponchash hajar", 50000),
    ("nobboi hajar", 90000),
    ("bish taka", 20),
    ("pachsho taka", 500),
    ("dosh hajarer moddhe", 10000),
    # compounds
    ("২ লাখ ৫০ হাজার", 250000),
    ("২ লাখ ও ৫০ হাজার", 250000),
    ("2 lakh 50 thousand", 250000),
    ("15 hajar 500", 15500),
    ("২ লাখ ৫০", 200000),  # a stray small number does not add on
    # fractions
    ("দেড় হাজার", 1500),
    ("আড়াই হাজার", 2500),
    ("দেড় লাখ", 150000),
    ("আড়াই লাখ টাকা", 250000),
    ("দেড়শো টাকা", 150),
    ("আড়াইশো", 250),
    ("সাড়ে তিন হাজার", 3500),
    ("সাড়ে ৩ হাজার", 3500),
    ("সাড়ে তিনশো", 350),
    ("পৌনে দুই লাখ", 175000),
    ("পৌনে দুইশো", 175),
    ("der hajar", 1500),
    ("deŗ lakh", 150000),
    ("arai hajar", 2500),
    ("sare tin hajar", 3500),
    ("poune dui lakh", 175000),
    ("one and a half thousand", 1500),
    ("one and a half lakh", 150000),
    ("two and a half thousand", 2500),
    ("1 and half lakh", 150000),
    ("half lakh", 50000),
    ("half a lakh", 50000),
    # hedges: the amount stands
    ("প্রায় ১০ হাজার", 10000),
    ("১০ হাজারের মতো", 10000),
    ("২০ হাজার টাকার মত", 20000),
    ("৩০০০ এর মধ্যে", 3000),
    ("১০ হাজার এর মধ্যেই", 10000),
    ("around 5k", 5000),
    ("about 3000", 3000),
    ("approx 2500 taka", 2500),
    ("5000 or so", 5000),
    ("max 10k", 10000),
    ("maximum 8000", 8000),
    ("সর্বোচ্চ ১৫ হাজার", 15000),
    ("২০ হাজার পর্যন্ত", 20000),
    ("প্রায় বিশ", 20),
    ("at least 5000", 5000),
    ("আমার বাজেট ৫০০০ টাকা", 5000),
    ("my budget is 5000", 5000),
    ("দুই হাজার টাকা দিতে পারবো", 2000),
    ("5000 but delivery 100", 5000),
    # ranges: the lower end, the multiplier shared
    ("১০-১৫ হাজার", 10000),
    ("10 to 15k", 10000),
    ("10k-15k", 10000),
    ("১০ থেকে ১৫ হাজার", 10000),
    ("১০ হাজার থেকে ১৫ হাজার", 10000),
    ("between 2000 and 3000", 2000),
    ("between 2 and 3 lakh", 200000),
    ("দেড় থেকে দুই লাখ", 150000),
    ("৫/৬ হাজার", 5000),
    ("পাঁচ ছয় হাজার", 5000),
    ("১০,১৫ হাজার", 10000),
    ("5000 or 6000", 5000),
    ("500 to 2k", 500),
    ("১,৫০০-২,০০০", 1500),
    ("০-৫০০০", 5000),  # from nothing: up to
    # corrections: the last amount wins
    ("২০ হাজার, না মানে ২৫ হাজার", 25000),
    ("২০ হাজার না না ২২ হাজার", 22000),
    ("২০ হাজার, মানে ২২ হাজার", 22000),
    ("20 hajar na mane 25 hajar", 25000),
    ("20k, na mane 25", 25000),
    ("১০ হাজার টাকা, না ১২", 12000),
    ("৫ হাজার নয়, ৬ হাজার", 6000),
    ("5000 sorry 6000", 6000),
    ("sorry I meant 30k", 30000),
    ("20k sorry I meant 30k", 30000),
    ("20k actually 22k", 22000),
    ("15 hazar, I mean 18", 18000),
    ("na mane 5000", 5000),
    ("6000, not 5000", 6000),
    ("২০ হাজার, না মানে পঁচিশ", 25000),
    ("20 hajar, na mane pochish", 25000),
    ("২০ হাজার না ৫০০", 500),  # a correction keeps the magnitude only when it is plausible
    ("দুই না তিন", 3),
]


@pytest.mark.parametrize(("text", "expected"), AMOUNTS)
def test_amounts_as_customers_write_them(text, expected):
    value = parse_amount(text)
    assert value == expected
    assert type(value) is type(expected)  # int when whole, float otherwise


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "jani na",
        "অনেক",
        "kom",
        "hi",
        "hello, price?",
        "hajar",  # a multiplier alone
        "lakh",
        "ek",  # romanized words alone are English words too: at, sat, tin
        "at",
        "sat",
        "I ate",
        "half",
        "খানেক",
        "দশেক",
        "তিন বার ফোন দিসি",
        "0",
        "০",
        "0 taka",
        "01711223344",
        "০১৭১১২২৩৩৪৪",
        "০১৭১১-২২৩৩৪৪",
        "01711 223344",
        "+8801711223344",
        "(+88) 01711223344",
        "1234567890123456789",
        "017112233445",  # a mistyped phone number
        "٣" * 5000,
        "👍",
    ],
)
def test_not_an_amount(text):
    assert parse_amount(text) is None


def test_zero_counts_when_allowed():
    assert parse_amount("০", allow_zero=True) == 0
    assert parse_amount("0", allow_zero=True) == 0


def test_phone_number_beside_an_amount_is_not_the_amount():
    assert parse_amount("বাজেট ৫০০০, নম্বর 01711223344") == 5000


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("১০-১৫ হাজার", (10000, 15000)),
        ("10 to 15k", (10000, 15000)),
        ("between 2000 and 3000", (2000, 3000)),
        ("500 to 2k", (500, 2000)),
        ("দেড় থেকে দুই লাখ", (150000, 200000)),
        ("20k-15k", (15000, 20000)),
        ("২৫ হাজার", (25000, 25000)),
    ],
)
def test_range_gives_both_ends(text, expected):
    assert parse_amount_range(text) == expected


def test_every_bangla_number_word_from_one_to_ninety_nine():
    assert len(set(_BN_NUMBERS)) == 99
    for n, word in enumerate(_BN_NUMBERS, 1):
        assert parse_amount(f"{word} হাজার") == n * 1000, word
        assert parse_amount(f"{word} টাকা") == n, word
