"""Tests for bot/text/districts.py: delivery places as customers write them."""

from collections import Counter
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.text.districts import Place, find_place, validate_district
from bot.text.places import AREAS, DISTRICTS, DIVISIONS, ZONES
from bot.text.validators import Context

CTX = Context(now=datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Asia/Dhaka")))

IN, SUB, OUT = "inside_dhaka", "dhaka_suburb", "outside_dhaka"


# --- the data ----------------------------------------------------------------------------


def test_there_are_64_districts_with_unique_names():
    assert len(DISTRICTS) == 64
    assert len({name for name, *_ in DISTRICTS}) == 64
    assert len({bn for _n, bn, *_ in DISTRICTS}) == 64


def test_there_are_8_divisions_with_their_district_counts():
    counts = Counter(division for _n, _bn, division, _alt in DISTRICTS)
    assert counts == {
        "Dhaka": 13,
        "Chattogram": 11,
        "Rajshahi": 8,
        "Khulna": 10,
        "Barishal": 6,
        "Sylhet": 4,
        "Rangpur": 8,
        "Mymensingh": 4,
    }
    assert set(counts) == set(DIVISIONS)


@pytest.mark.parametrize(("name", "bn", "division", "alt"), DISTRICTS)
def test_every_district_has_an_english_and_a_bangla_name(name, bn, division, alt):
    assert name.replace(" ", "").replace("'", "").isascii() and name[0].isupper()
    assert bn and all("\u0980" <= ch <= "\u09ff" for ch in bn)
    place = find_place(name)
    assert place is not None and place.district == name and place.area is None
    assert place.division == division
    assert find_place(bn) == place


def test_district_names_are_the_current_official_spellings():
    names = {name for name, *_ in DISTRICTS}
    assert {"Chattogram", "Cumilla", "Barishal", "Jashore", "Bogura"} <= names
    assert {"Chapai Nawabganj", "Moulvibazar", "Cox's Bazar", "Netrokona"} <= names
    assert not {"Chittagong", "Comilla", "Barisal", "Jessore", "Bogra"} & names


@pytest.mark.parametrize(("name", "bn", "district", "zone", "alt"), AREAS)
def test_every_area_is_found_by_its_names(name, bn, district, zone, alt):
    assert zone in ZONES and district in {d for d, *_ in DISTRICTS}
    expected = (district, name, zone)
    for spelling in (name, bn, *alt.split()):
        place = find_place(spelling)
        assert place is not None, spelling
        assert (place.district, place.area, place.zone) == expected, spelling


def test_there_are_at_least_60_dhaka_city_areas():
    assert sum(1 for *_, zone, _alt in AREAS if zone == IN) >= 60


# --- reading what customers write --------------------------------------------------------

CASES = [
    # Bangla, bare and inflected
    ("ঢাকা", "Dhaka", None, IN),
    ("ঢাকায়", "Dhaka", None, IN),
    ("ঢাকাতে", "Dhaka", None, IN),
    ("ঢাকার মধ্যে", "Dhaka", None, IN),
    ("ঢাকাতেই দিবেন", "Dhaka", None, IN),
    ("মিরপুর", "Dhaka", "Mirpur", IN),
    ("মিরপুরে", "Dhaka", "Mirpur", IN),
    ("মিরপুরে থাকি", "Dhaka", "Mirpur", IN),
    ("আমি মিরপুর ১০ এ থাকি", "Dhaka", "Mirpur", IN),
    ("মিরপুর১০", "Dhaka", "Mirpur", IN),
    ("mirpur10", "Dhaka", "Mirpur", IN),
    ("Dhaka-1216", "Dhaka", None, IN),
    ("01711223344, Mirpur 10", "Dhaka", "Mirpur", IN),
    ("চট্টগ্রাম", "Chattogram", None, OUT),
    ("চট্টগ্রামের আগ্রাবাদ", "Chattogram", None, OUT),
    ("চট্টগ্রামে পাঠাবেন", "Chattogram", None, OUT),
    ("চিটাগাং", "Chattogram", None, OUT),
    ("কুমিল্লা", "Cumilla", None, OUT),
    ("কুমিল্লায়", "Cumilla", None, OUT),
    ("নারায়ণগঞ্জ", "Narayanganj", None, SUB),
    ("নারায়নগঞ্জে", "Narayanganj", None, SUB),
    ("গাজীপুর", "Gazipur", None, SUB),
    ("গাজিপুরে", "Gazipur", None, SUB),
    ("ময়মনসিংহ", "Mymensingh", None, OUT),
    ("সিলেটে", "Sylhet", None, OUT),
    ("রাজশাহীতে", "Rajshahi", None, OUT),
    ("খুলনায়", "Khulna", None, OUT),
    ("বরিশালে", "Barishal", None, OUT),
    ("রংপুর", "Rangpur", None, OUT),
    ("বগুড়া", "Bogura", None, OUT),
    ("যশোরে", "Jashore", None, OUT),
    ("যশোরের", "Jashore", None, OUT),
    ("ঢাকাও", "Dhaka", None, IN),
    ("বরিশালেই", "Barishal", None, OUT),
    ("কক্সবাজারে", "Cox's Bazar", None, OUT),
    ("কক্স বাজার", "Cox's Bazar", None, OUT),
    ("চাঁপাই নবাবগঞ্জ", "Chapai Nawabganj", None, OUT),
    ("চাঁপাইনবাবগঞ্জে", "Chapai Nawabganj", None, OUT),
    ("ব্রাহ্মণবাড়িয়া", "Brahmanbaria", None, OUT),
    ("লক্ষ্মীপুর", "Lakshmipur", None, OUT),
    ("নোয়াখালী", "Noakhali", None, OUT),
    ("ফেনী", "Feni", None, OUT),
    ("টাঙ্গাইলে", "Tangail", None, OUT),
    ("উত্তরা সেক্টর ১০", "Dhaka", "Uttara", IN),
    ("উত্তরায়", "Dhaka", "Uttara", IN),
    ("ধানমন্ডি ২৭", "Dhaka", "Dhanmondi", IN),
    ("মোহাম্মদপুরে", "Dhaka", "Mohammadpur", IN),
    ("বাসা যাত্রাবাড়ী", "Dhaka", "Jatrabari", IN),
    ("পুরান ঢাকা", "Dhaka", "Old Dhaka", IN),
    ("পুরান ঢাকার লালবাগে", "Dhaka", "Old Dhaka", IN),
    ("বসুন্ধরা আবাসিক", "Dhaka", "Bashundhara", IN),
    ("শ্যামলী", "Dhaka", "Shyamoli", IN),
    ("মিরপুর, ঢাকা", "Dhaka", "Mirpur", IN),
    ("ঢাকা, মিরপুর ২", "Dhaka", "Mirpur", IN),
    ("সাভার", "Dhaka", "Savar", SUB),
    ("আশুলিয়া", "Dhaka", "Ashulia", SUB),
    ("কেরানীগঞ্জে থাকি", "Dhaka", "Keraniganj", SUB),
    ("টঙ্গী", "Gazipur", "Tongi", SUB),
    ("গাজীপুর চৌরাস্তা, টঙ্গী", "Gazipur", "Tongi", SUB),
    ("ফতুল্লা, নারায়ণগঞ্জ", "Narayanganj", "Fatullah", SUB),
    ("সিদ্ধিরগঞ্জ", "Narayanganj", "Siddhirganj", SUB),
    ("আমার বাসা কুমিল্লা শহরে, কান্দিরপাড়ের কাছে", "Cumilla", None, OUT),
    ("ডেলিভারি সিলেট শহরে দিবেন", "Sylhet", None, OUT),
    ("হবিগঞ্জ সদর", "Habiganj", None, OUT),
    ("মৌলভীবাজারে", "Moulvibazar", None, OUT),
    # Bangla typos and spelling variants
    ("চট্রগ্রাম", "Chattogram", None, OUT),
    ("ময়মনসিং", "Mymensingh", None, OUT),
    ("বগুরা", "Bogura", None, OUT),
    ("নেত্রকোনা", "Netrokona", None, OUT),
    ("রাঙামাটি", "Rangamati", None, OUT),
    ("মুন্সীগঞ্জ", "Munshiganj", None, OUT),
    ("ধানমণ্ডি", "Dhaka", "Dhanmondi", IN),
    ("মোহাম্মাদপুর", "Dhaka", "Mohammadpur", IN),
    ("নারায়ানগঞ্জ", "Narayanganj", None, SUB),
    ("ব্রাম্মনবাড়িয়া", "Brahmanbaria", None, OUT),
    ("চাপাইনবাবগঞ্জ", "Chapai Nawabganj", None, OUT),
    ("কিশোরগন্জ", "Kishoreganj", None, OUT),
    ("সিরাজগন্জে", "Sirajganj", None, OUT),
    ("পটুয়াখালি", "Patuakhali", None, OUT),
    ("চুয়াডাংগা", "Chuadanga", None, OUT),
    ("ঠাকুরগাও", "Thakurgaon", None, OUT),
    ("যাত্রাবাড়ি", "Dhaka", "Jatrabari", IN),
    ("বসুন্দরা", "Dhaka", "Bashundhara", IN),
    # English, new and old spellings
    ("Dhaka", "Dhaka", None, IN),
    ("DHAKA", "Dhaka", None, IN),
    ("Chattogram", "Chattogram", None, OUT),
    ("chittagong", "Chattogram", None, OUT),
    ("Chittagong city", "Chattogram", None, OUT),
    ("ctg", "Chattogram", None, OUT),
    ("CTG te", "Chattogram", None, OUT),
    ("Comilla", "Cumilla", None, OUT),
    ("Cumilla", "Cumilla", None, OUT),
    ("kumilla", "Cumilla", None, OUT),
    ("Barisal", "Barishal", None, OUT),
    ("Jessore", "Jashore", None, OUT),
    ("Bogra", "Bogura", None, OUT),
    ("Cox's Bazar", "Cox's Bazar", None, OUT),
    ("coxs bazar", "Cox's Bazar", None, OUT),
    ("Chapainawabganj", "Chapai Nawabganj", None, OUT),
    ("B.Baria", "Brahmanbaria", None, OUT),
    ("Maulvibazar", "Moulvibazar", None, OUT),
    ("Netrakona", "Netrokona", None, OUT),
    ("Laxmipur", "Lakshmipur", None, OUT),
    ("Sylhet", "Sylhet", None, OUT),
    ("Mymensingh", "Mymensingh", None, OUT),
    ("narayanganj", "Narayanganj", None, SUB),
    ("narayangonj", "Narayanganj", None, SUB),
    ("N.ganj", "Narayanganj", None, SUB),
    ("Gazipur", "Gazipur", None, SUB),
    ("gajipur", "Gazipur", None, SUB),
    ("Savar", "Dhaka", "Savar", SUB),
    ("Ashulia, Savar", "Dhaka", "Ashulia", SUB),
    ("Tongi, Gazipur", "Gazipur", "Tongi", SUB),
    ("Tongi, Dhaka", "Gazipur", "Tongi", SUB),
    ("Keraniganj", "Dhaka", "Keraniganj", SUB),
    ("Fatullah", "Narayanganj", "Fatullah", SUB),
    ("Mirpur", "Dhaka", "Mirpur", IN),
    ("Mirpur 10, Dhaka", "Dhaka", "Mirpur", IN),
    ("House 12, Road 5, Dhanmondi, Dhaka", "Dhaka", "Dhanmondi", IN),
    ("deliver to uttara sector 7 please", "Dhaka", "Uttara", IN),
    ("Gulshan 2", "Dhaka", "Gulshan", IN),
    ("Banani DOHS", "Dhaka", "Banani", IN),
    ("Bashundhara R/A", "Dhaka", "Bashundhara", IN),
    ("Motijheel", "Dhaka", "Motijheel", IN),
    ("Farmgate", "Dhaka", "Farmgate", IN),
    ("Old Dhaka", "Dhaka", "Old Dhaka", IN),
    ("puran dhaka", "Dhaka", "Old Dhaka", IN),
    ("Dhaka Cantonment", "Dhaka", "Cantonment", IN),
    ("Sher-e-Bangla Nagar", "Dhaka", "Sher-e-Bangla Nagar", IN),
    ("Kawran Bazar", "Dhaka", "Karwan Bazar", IN),
    # romanized Bangla: case endings and sentences
    ("dhakay", "Dhaka", None, IN),
    ("dhakate", "Dhaka", None, IN),
    ("dhakar moddhe", "Dhaka", None, IN),
    ("daka", "Dhaka", None, IN),
    ("gazipur e", "Gazipur", None, SUB),
    ("mirpur-e", "Dhaka", "Mirpur", IN),
    ("mirpure thaki", "Dhaka", "Mirpur", IN),
    ("ami uttara te thaki", "Dhaka", "Uttara", IN),
    ("amar basa mohammadpur", "Dhaka", "Mohammadpur", IN),
    ("sylhete pathaben", "Sylhet", None, OUT),
    ("chittagonger agrabad", "Chattogram", None, OUT),
    ("rajshahi te delivery koto?", "Rajshahi", None, OUT),
    ("cumillay", "Cumilla", None, OUT),
    ("narayan gonj", "Narayanganj", None, SUB),
    ("rongpur", "Rangpur", None, OUT),
    ("moymonsingh", "Mymensingh", None, OUT),
    # Latin typos
    ("chittagang", "Chattogram", None, OUT),
    ("narayngonj", "Narayanganj", None, SUB),
    ("sylet", "Sylhet", None, OUT),
    ("mymensing", "Mymensingh", None, OUT),
    ("gulsan", "Dhaka", "Gulshan", IN),
    ("Dhanmodi", "Dhaka", "Dhanmondi", IN),
    ("Rangpura", "Rangpur", None, OUT),
    ("Manshiganj", "Munshiganj", None, OUT),
    ("mohammadpr", "Dhaka", "Mohammadpur", IN),
    ("kishorganj", "Kishoreganj", None, OUT),
    ("jhenaidha", "Jhenaidah", None, OUT),
    ("bashundora", "Dhaka", "Bashundhara", IN),
    # an origin gives way to the destination; a Dhaka area's homonym elsewhere
    ("আমি কুমিল্লা থেকে বলছি, ঢাকায় দিবেন", "Dhaka", None, IN),
    ("from Sylhet, deliver to Mirpur", "Dhaka", "Mirpur", IN),
    ("New Market, Chattogram", "Chattogram", None, OUT),
    ("মিরপুর, কুষ্টিয়া", "Kushtia", None, OUT),
    ("outside dhaka, Feni", "Feni", None, OUT),
]


@pytest.mark.parametrize(("text", "district", "area", "zone"), CASES)
def test_find_place_reads_what_customers_write(text, district, area, zone):
    place = find_place(text)
    assert place is not None
    assert (place.district, place.area, place.zone) == (district, area, zone)


def test_the_table_has_at_least_100_inputs():
    assert len(CASES) >= 100


def test_a_place_carries_its_division():
    assert find_place("Tongi") == Place("Gazipur", "Tongi", SUB, "Dhaka")
    assert find_place("সিলেট") == Place("Sylhet", None, OUT, "Sylhet")


# --- refusals ----------------------------------------------------------------------------

NOT_PLACES = [
    "",
    "   ",
    "ok",
    "okay",
    "hi",
    "saree",
    "শাড়ি",
    "01711223344",
    "০১৭১১২২৩৩৪৪",
    "5000",
    "হ্যাঁ",
    "না",
    "জি",
    "দাম কত?",
    "ডেলিভারি কোথায় নেবেন?",
    "আমি বাসায় থাকি",
    "উত্তরটা দিন",
    "উত্তর দিকে",
    "উত্তরে",
    "উত্তরের জেলা",
    "nawabganj",
    "থাকার জায়গা",
    "dam koto?",
    "ami thaki",
    "kothay thaki bolbo na",
    "ঢাকার বাইরে",
    "dhakar baire",
    "outside Dhaka",
    "banana",
    "nature",
    "saver",
    "mirror",
    "silent",
    "capital",
    "price please",
    "i want the red one",
    "cash on delivery",
    "fine",
    "sector",
    "road",
    "house",
    "Bangladesh",
    "বাংলাদেশ",
    "👍",
]


@pytest.mark.parametrize("text", NOT_PLACES)
def test_text_naming_no_place_is_refused(text):
    assert find_place(text) is None
    assert validate_district(text, CTX) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # near-misses: similar names stay apart
        ("Rangpur", "Rangpur"),
        ("Rampura", "Rampura"),
        ("Rangamati", "Rangamati"),
        ("Sherpur", "Sherpur"),
        ("Shariatpur", "Shariatpur"),
        ("Meherpur", "Meherpur"),
        ("Mirpur", "Mirpur"),
        ("Jamalpur", "Jamalpur"),
        ("Joypurhat", "Joypurhat"),
        ("Manikganj", "Manikganj"),
        ("Munshiganj", "Munshiganj"),
        ("Sunamganj", "Sunamganj"),
        ("Sirajganj", "Sirajganj"),
        ("Rajbari", "Rajbari"),
        ("Rajshahi", "Rajshahi"),
        ("Gulshan", "Gulshan"),
        ("Gulistan", "Gulistan"),
        ("Uttara", "Uttara"),
        ("Uttarkhan", "Uttarkhan"),
        ("Banani", "Banani"),
        ("Banasree", "Banasree"),
        ("Barguna", "Barguna"),
        ("Bogura", "Bogura"),
        ("Khilgaon", "Khilgaon"),
        ("Khilkhet", "Khilkhet"),
        ("Narail", "Narail"),
        ("Natore", "Natore"),
        ("শেরপুর", "Sherpur"),
        ("মেহেরপুর", "Meherpur"),
        ("রামপুরা", "Rampura"),
        ("রংপুর", "Rangpur"),
        ("উত্তরখান", "Uttarkhan"),
    ],
)
def test_similar_names_are_not_confused(text, expected):
    place = find_place(text)
    assert place is not None
    assert (place.area or place.district) == expected


@pytest.mark.parametrize("text", ["rajbahi", "Ranpur", "Gulstan", "Manganj", "Shariotpr"])
def test_a_typo_equally_close_to_two_places_or_too_far_is_refused(text):
    assert find_place(text) is None


# --- the validator -----------------------------------------------------------------------


def test_validate_district_returns_the_three_saved_answers():
    assert validate_district("মিরপুরে থাকি", CTX) == {
        "district": "Dhaka",
        "area": "Mirpur",
        "zone": IN,
    }
    assert validate_district("Comilla", CTX) == {
        "district": "Cumilla",
        "area": None,
        "zone": OUT,
    }
    assert validate_district("gazipur e", CTX) == {
        "district": "Gazipur",
        "area": None,
        "zone": SUB,
    }


@pytest.mark.parametrize("text", ["\x00", "٣" * 5000, "ঢাকা " * 2000, "👍👎", "-", "'"])
def test_validate_district_never_raises(text):
    validate_district(text, CTX)


def test_a_long_message_is_read_from_its_start():
    assert find_place("ঢাকা " + "ভাই " * 5000) == find_place("ঢাকা")
