"""Tests for bot/text/translit.py: romanizing Bangla and matching it with Latin spellings."""

import time

import pytest

from bot.text.translit import key, romanize, same_word


@pytest.mark.parametrize(
    ("bangla", "latin"),
    [
        ("জামদানি", "jamdani"), ("বাটন ফোন", "baton fon"), ("থ্রি-পিস", "thri pis"),
        ("শাড়ি", "shari"), ("কুর্তি", "kurti"), ("পাঞ্জাবি", "panjabi"), ("দাম", "dam"),
        ("কত", "koto"), ("সিল্ক", "silk"), ("কাতান", "katan"), ("লেহেঙ্গা", "lehenga"),
        ("বোরকা", "borka"), ("হিজাব", "hijab"), ("ওড়না", "orna"), ("জুতা", "juta"),
        ("ব্যাগ", "bag"), ("ঘড়ি", "ghori"), ("চার্জার", "charjar"), ("ধন্যবাদ", "dhonnobad"),
        ("চট্টগ্রাম", "chottogram"), ("ধানমন্ডি", "dhanmondi"), ("করব", "korbo"),
        ("কাপড়", "kapor"), ("বন্ধ", "bondho"), ("কষ্ট", "koshto"), ("আচ্ছা", "accha"),
        ("দরকার", "dorkar"), ("বদলে", "bodle"), ("করলাম", "korlam"), ("গরম", "gorom"),
        ("মোহাম্মদপুর", "mohammodpur"), ("এক্সচেঞ্জ", "ekschenj"), ("জ্বি", "ji"),
        ("লিপস্টিক", "lipstik"), ("ব্যাংক", "bangk"), ("কমলা", "komla"),
    ],
)  # fmt: skip
def test_romanize_writes_bangla_as_it_is_typed(bangla, latin):
    assert romanize(bangla) == latin


# (Latin as customers type it, Bangla script): the same word
SAME = [
    # products and their words
    ("jamdani", "জামদানি"), ("jamdani", "জামদানী"), ("button phone", "বাটন ফোন"),
    ("baton phone", "বাটন ফোন"), ("three piece", "থ্রি-পিস"), ("3 piece", "থ্রি পিস"),
    ("threepiece", "থ্রিপিস"), ("saree", "শাড়ি"), ("sari", "শাড়ি"), ("shari", "শাড়ী"),
    ("kurti", "কুর্তি"), ("panjabi", "পাঞ্জাবি"), ("punjabi", "পাঞ্জাবী"), ("silk", "সিল্ক"),
    ("katan", "কাতান"), ("lehenga", "লেহেঙ্গা"), ("borka", "বোরকা"), ("burka", "বোরকা"),
    ("borkha", "বোরখা"), ("hijab", "হিজাব"), ("orna", "ওড়না"), ("urna", "ওড়না"),
    ("juta", "জুতা"), ("bag", "ব্যাগ"), ("ghori", "ঘড়ি"), ("mobile", "মোবাইল"),
    ("charger", "চার্জার"), ("smartphone", "স্মার্টফোন"), ("laptop", "ল্যাপটপ"),
    ("shirt", "শার্ট"), ("t shirt", "টি শার্ট"), ("jeans", "জিন্স"), ("pant", "প্যান্ট"),
    ("belt", "বেল্ট"), ("cotton", "কটন"), ("muslin", "মসলিন"), ("taat", "তাঁত"),
    ("shawl", "শাল"), ("headphone", "হেডফোন"), ("watch", "ওয়াচ"), ("perfume", "পারফিউম"),
    ("cosmetics", "কসমেটিক্স"), ("kapor", "কাপড়"), ("jama", "জামা"), ("chosma", "চশমা"),
    ("color", "কালার"), ("size", "সাইজ"), ("product", "প্রোডাক্ট"), ("order", "অর্ডার"),
    ("delivery", "ডেলিভারি"), ("payment", "পেমেন্ট"), ("cash", "ক্যাশ"), ("offer", "অফার"),
    ("discount", "ডিসকাউন্ট"), ("refund", "রিফান্ড"), ("exchange", "এক্সচেঞ্জ"),
    ("dam", "দাম"), ("daam", "দাম"), ("koto", "কত"), ("kotto", "কত"), ("taka", "টাকা"),
    ("nagad", "নগদ"), ("rocket", "রকেট"), ("sundor", "সুন্দর"), ("sundar", "সুন্দর"),
    # places
    ("dhaka", "ঢাকা"), ("mirpur", "মিরপুর"), ("uttara", "উত্তরা"), ("gulshan", "গুলশান"),
    ("banani", "বনানী"), ("dhanmondi", "ধানমন্ডি"), ("mohammadpur", "মোহাম্মদপুর"),
    ("badda", "বাড্ডা"), ("jatrabari", "যাত্রাবাড়ী"), ("savar", "সাভার"),
    ("chattogram", "চট্টগ্রাম"), ("khulna", "খুলনা"), ("rajshahi", "রাজশাহী"),
    ("barishal", "বরিশাল"), ("barisal", "বরিশাল"), ("rangpur", "রংপুর"),
    ("comilla", "কুমিল্লা"), ("gazipur", "গাজীপুর"), ("bogura", "বগুড়া"),
    # people and common words, verbs
    ("vai", "ভাই"), ("bhai", "ভাই"), ("vaiya", "ভাইয়া"), ("apu", "আপু"), ("kemon", "কেমন"),
    ("achen", "আছেন"), ("ache", "আছে"), ("thik", "ঠিক"), ("accha", "আচ্ছা"), ("acha", "আচ্ছা"),
    ("dhonnobad", "ধন্যবাদ"), ("lagbe", "লাগবে"), ("pabo", "পাবো"), ("korbo", "করব"),
    ("korbo", "করবো"), ("chai", "চাই"), ("hobe", "হবে"), ("jabe", "যাবে"), ("din", "দিন"),
    ("dekhchi", "দেখছি"), ("korechi", "করেছি"), ("pathiyechi", "পাঠিয়েছি"),
    ("bolun", "বলুন"), ("kinbo", "কিনব"), ("nibo", "নিবো"), ("kobe", "কবে"),
    ("koydin", "কয়দিন"), ("ekhon", "এখন"), ("ajke", "আজকে"), ("kalke", "কালকে"),
    # more products and places
    ("lipstick", "লিপস্টিক"), ("earphone", "ইয়ারফোন"), ("power bank", "পাওয়ার ব্যাংক"),
    ("sandal", "স্যান্ডেল"), ("kamiz", "কামিজ"), ("salwar", "সালোয়ার"), ("tangail", "টাঙ্গাইল"),
    ("narayanganj", "নারায়ণগঞ্জ"), ("bashundhara", "বসুন্ধরা"), ("motijheel", "মতিঝিল"),
    ("noakhali", "নোয়াখালী"), ("kolkata", "কলকাতা"), ("feni", "ফেনী"),
]  # fmt: skip


@pytest.mark.parametrize(("latin", "bangla"), SAME)
def test_latin_and_bangla_spellings_meet(latin, bangla):
    assert same_word(latin, bangla)
    assert same_word(bangla, latin)
    assert key(latin) == key(bangla) or same_word(latin, bangla)


def test_there_are_enough_real_pairs():
    assert len(SAME) >= 80


DIFFERENT = [
    ("kurti", "কুর্তা"), ("kurta", "কুর্তি"), ("saree", "কুর্তি"), ("jamdani", "কাতান"),
    ("three piece", "পাঞ্জাবি"), ("dam", "দিন"), ("koto", "কবে"), ("phone", "ফ্যান"),
    ("fan", "ফোন"), ("bag", "বিগ"), ("shirt", "শাড়ি"), ("silk", "সিল্কি শাড়ি"),
    ("hijab", "বোরকা"), ("mobile", "চার্জার"), ("juta", "জামা"), ("dhaka", "ঢাকনা"),
    ("mirpur", "মিরসরাই"), ("uttara", "উত্তর"), ("khulna", "কুমিল্লা"), ("gulshan", "গুলিস্তান"),
    ("rangpur", "রংধনু"), ("order", "অফার"), ("delivery", "ডিসকাউন্ট"), ("payment", "প্যান্ট"),
    ("bkash", "বকশিশ"), ("lehenga", "লুঙ্গি"), ("ghori", "গুড়"), ("ami", "আপনি"),
    ("taka", "টাক"), ("panjabi", "পাঞ্জা"), ("size", "সিজন"), ("jeans", "জিনিস"),
]  # fmt: skip


@pytest.mark.parametrize(("a", "b"), DIFFERENT)
def test_unrelated_words_do_not_meet(a, b):
    assert not same_word(a, b)
    assert not same_word(b, a)


@pytest.mark.parametrize(
    ("latin", "bangla"),
    [("jamdani", "জামদানিটা"), ("dhaka", "ঢাকায়"), ("mirpur", "মিরপুরে"), ("saree", "শাড়িটা"),
     ("button phone", "বাটন ফোনটা"), ("dam", "দামের")],
)  # fmt: skip
def test_bangla_endings_are_forgiven(latin, bangla):
    assert same_word(latin, bangla)


def test_an_ending_does_not_make_another_word_the_same():
    assert not same_word("kurta", "কুর্তিটা")


def test_same_script_spelling_variants_meet():
    assert same_word("saree", "shari")
    assert same_word("শাড়ি", "শাড়ী")
    assert not same_word("", "শাড়ি")


def test_same_word_is_fast():
    pairs = [(a, b) for a, b in SAME] + DIFFERENT
    for a, b in pairs:
        same_word(a, b)  # warm the per-word caches
    same_word.cache_clear()  # time the word caches, not the pair cache
    n = 0
    start = time.perf_counter()
    for _ in range(20):
        for a, b in pairs:
            same_word(a, b)
            n += 1
        same_word.cache_clear()
    per_call = (time.perf_counter() - start) / n * 1e6
    assert per_call < 200, f"{per_call:.1f} µs per call"
