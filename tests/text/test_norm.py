"""Tests for bot/textnorm.py: digits, normalising, stems, language, keyword and choice matching."""

import pytest

from bot.text.norm import (
    best_choice,
    bn_stem,
    compile_keywords,
    detect_language,
    normalize,
    to_ascii_digits,
    to_bn_digits,
    tokens,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("০১৭১১২২৩৩৪৪", "01711223344"),
        ("১,২৫,০০০ টাকা", "1,25,000 টাকা"),
        ("৳৫০০", "৳500"),
        ("٣٤", "34"),  # Arabic-Indic digits too
        ("abc 123", "abc 123"),
    ],
)
def test_to_ascii_digits_converts_every_unicode_digit(raw, expected):
    assert to_ascii_digits(raw) == expected


def test_to_bn_digits_converts_ascii_digits():
    assert to_bn_digits("Tk 1,500") == "Tk ১,৫০০"


def test_digit_round_trip_keeps_phone_leading_zero():
    assert to_ascii_digits(to_bn_digits("01711223344")) == "01711223344"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("দাম কত?", "দাম কত"),
        ("Dam Koto??", "dam koto"),
        ("শাড়ির দাম কত। জানাবেন!", "শাড়ির দাম কত জানাবেন"),
        ("১৫,০০০", "15 000"),
        ("হ্যাঁ 👍👍", "হ্যাঁ"),
        ("  vai,,,   dam?? ", "vai dam"),
        ("৳500", "500"),
        ("শাড়ি\u200cটা", "শাড়িটা"),  # ZWNJ removed
        ("হ্যাঁ\ufe0f", "হ্যাঁ"),  # variation selector removed
        ("👍", ""),
        ("", ""),
        ("STRASSE Straße", "strasse strasse"),
    ],
)
def test_normalize_keeps_bengali_marks_and_drops_punctuation(raw, expected):
    assert normalize(raw) == expected


def test_normalize_composes_nukta_letters_the_same_way():
    precomposed = "\u09a1\u09bc"  # ড + nukta
    assert normalize("শা" + precomposed + "ি") == normalize("শাড়ি")
    assert normalize("\u09df") == normalize("\u09af\u09bc")  # য় both ways


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("আপু, শাড়িটার দাম কত?", ["আপু", "শাড়িটার", "দাম", "কত"]),
        ("vai dam koto?", ["vai", "dam", "koto"]),
        ("🙂", []),
    ],
)
def test_tokens_keep_bengali_words_whole(raw, expected):
    assert tokens(raw) == expected


@pytest.mark.parametrize(
    ("word", "stem"),
    [
        ("দামটা", "দাম"),
        ("দামের", "দাম"),
        ("দামটাও", "দাম"),
        ("মানুষের", "মানুষ"),
        ("শাড়িটি", "শাড়ি"),
        ("শাড়িটা", "শাড়ি"),
        ("ডেলিভারির", "ডেলিভারি"),
        ("টাকার", "টাকা"),
        ("ঢাকায়", "ঢাকা"),
        ("কাপড়গুলো", "কাপড়"),
        ("পণ্যগুলোর", "পণ্য"),
        ("ছেলেদের", "ছেলে"),
        ("দাম", "দাম"),
    ],
)
def test_bn_stem_strips_suffixes(word, stem):
    assert bn_stem(word) == stem


@pytest.mark.parametrize("word", ["কে", "নাই", "খাই", "আমরা", "দর", "দাম"])
def test_bn_stem_leaves_short_or_unsuffixed_words(word):
    assert bn_stem(word) == word


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("vai dam koto", "bn"),
        ("ache?", "bn"),
        ("kemon achen", "bn"),
        ("dam koto?", "bn"),
        ("delivery charge koto?", "bn"),
        ("apu ei saree ta ki ache", "bn"),
        ("bhai lagbe", "bn"),
        ("bikash number din", "bn"),
        ("order korte chai", "bn"),
        ("damer ki obostha", "bn"),
        ("6000 taka", "en"),
        ("My budget is 6000 taka", "en"),
        ("Hi Jay, is the blue one available?", "en"),
        ("দাম কত", "bn"),
        ("Price কত?", "bn"),
        ("How much is this saree?", "en"),
        ("hi", "en"),
        ("Price?", "en"),
        ("Is the red one available in XL?", "en"),
        ("I would like to know the dam of the red one, please", "en"),
        ("👍", None),
        ("১২৩", None),
        ("01711223344", None),
        ("", None),
        ("!!!", None),
        # e-mails, links, product codes and digits tell no language
        ("rahim.uddin@gmail.com", None),
        ("https://www.facebook.com/shopno/posts/12345", None),
        ("daraz.com.bd", None),
        ("SKU-1234", None),
        ("A12", None),
        ("+88 01711-223344", None),
        ("ami A12 ta nibo", "bn"),
        ("amar mail rahim@gmail.com", "bn"),
        ("I want SKU-1234 please", "en"),
    ],
)
def test_detect_language(text, lang):
    assert detect_language(text) == lang


HUMAN = ["human", "agent", "manush", "মানুষ", "কথা বলতে চাই"]
PRICE = ["price", "dam", "দাম"]
STOP = ["stop", "no"]


@pytest.mark.parametrize(
    ("phrases", "text"),
    [
        (PRICE, "দামটা কত?"),
        (PRICE, "শাড়িটার দামের ব্যাপারে জানতে চাই"),
        (PRICE, "DAAM KOTO"),
        (PRICE, "prices?"),
        (PRICE, "Price"),
        (HUMAN, "manus er sathe kotha bolbo"),
        (HUMAN, "মানুষের সাথে কথা বলবো"),
        (HUMAN, "আমি কথা বলতে চাই।"),
        (HUMAN, "agents"),
        (HUMAN, "humen please"),
        (["delivery charge"], "delivary charge koto?"),
        (["ডেলিভারি চার্জ"], "ডেলিভারির চার্জ কত"),
        (["বন্ধ"], "মেসেজ বন্ধ করুন"),
        (["শাড়ি"], "শাড়ীটা"),  # long ী typed for short ি
        (["১০০"], "100"),
    ],
)
def test_matcher_matches_variants(phrases, text):
    assert compile_keywords(phrases).matches(text)


@pytest.mark.parametrize(
    ("phrases", "text"),
    [
        (STOP, "now"),
        (STOP, "shop"),
        (STOP, "shops"),
        (STOP, "know"),
        (PRICE, "damage"),
        (PRICE, "pride"),
        (PRICE, "prize"),
        (HUMAN, "urgent"),
        (HUMAN, "কথা চাই"),  # phrase words must be consecutive
        (HUMAN, "চাই কথা বলতে"),
        (["delivery charge"], "delivery koto"),
        (PRICE, "👍"),
        (PRICE, ""),
    ],
)
def test_matcher_is_not_too_eager(phrases, text):
    assert not compile_keywords(phrases).matches(text)


def test_matches_tokens_accepts_normalised_tokens():
    matcher = compile_keywords(PRICE)
    assert matcher.matches_tokens(tokens("Dam koto vai?"))
    assert not matcher.matches_tokens([])


def test_compile_keywords_ignores_empty_phrases():
    matcher = compile_keywords(["", "?", "dam"])
    assert matcher.matches("dam")
    assert not matcher.matches("kemon")


OPTIONS = {
    "saree": ["saree", "শাড়ি", "Saree"],
    "kurti": ["kurti", "কুর্তি", "Kurti"],
    "other": ["other", "অন্য কিছু", "Something else"],
}


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("শাড়ি", "saree"),
        ("Saree", "saree"),
        ("SAREE!", "saree"),
        ("sharee", "saree"),
        ("শাড়িটা", "saree"),
        ("শাড়ী", "saree"),
        ("ami saree nibo", "saree"),
        ("কুর্তি লাগবে", "kurti"),
        ("kurtii", "kurti"),
        ("অন্য কিছু", "other"),
        ("something else please", "other"),
    ],
)
def test_best_choice_finds_the_option(text, key):
    assert best_choice(text, OPTIONS) == key


@pytest.mark.parametrize(
    "text",
    ["kurta", "anything", "saree ba kurti", "শাড়ি না কুর্তি", "2", "", "👍", "hmm"],
)
def test_best_choice_returns_none_when_unclear(text):
    assert best_choice(text, OPTIONS) is None


def test_best_choice_prefers_the_longer_contained_label():
    options = {"red": ["লাল শাড়ি"], "any": ["শাড়ি"]}
    assert best_choice("আমি লাল শাড়ি চাই", options) == "red"
