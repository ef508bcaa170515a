"""Where a customer wants delivery: a district of Bangladesh or a Dhaka area, as written.

``find_place("মিরপুর ১০ এ থাকি")`` → ``Place("Dhaka", "Mirpur", "inside_dhaka", "Dhaka")``.
The data (64 districts, Dhaka's city areas and suburbs) is in ``bot.text.places``.

Zones, the rule couriers in Bangladesh charge by:
- a Dhaka city area (either city corporation) → ``inside_dhaka``; a suburb (Savar, Ashulia,
  Keraniganj in Dhaka district; Tongi, Board Bazar in Gazipur; Fatullah, Siddhirganj in
  Narayanganj …) → ``dhaka_suburb``, with the district it lies in (Tongi → Gazipur);
- a bare district name: Dhaka → ``inside_dhaka``, Gazipur and Narayanganj →
  ``dhaka_suburb`` (their cities are the suburbs), every other district → ``outside_dhaka``.

Reading a message:
- Words are matched in any script: the English name, old spellings (Chittagong, Comilla),
  romanized and colloquial ones (ctg, kumilla, narayangonj), Bangla with its case endings
  (ঢাকায়, মিরপুরে, চট্টগ্রামের) and romanized ones (dhakay, gazipur e, mirpur-e), anywhere in
  a sentence. Adjacent words are joined, so "cox bazar", "narayan gonj" and "চাঁপাই নবাবগঞ্জ"
  match too.
- Typos: a word not found exactly may be one edit away (two for long words) from exactly
  one place, with the same first letter; in short words only a vowel may differ (kumila is
  Cumilla, silent is not Sylhet). Latin words shorter than 5 letters and Bangla words
  shorter than 7 code points match only exactly (ঢাকা is one letter from থাকা, উত্তরা from
  উত্তরে), and a few English words one vowel from a place (banana, nature) never match.
- An area beats a district ("মিরপুর, ঢাকা" → Dhaka / Mirpur), unless the district is outside
  the Dhaka region (Dhaka, Gazipur, Narayanganj) and not the area's own: "New Market,
  Chattogram" names Chattogram's New Market, not Dhaka's.
- A place marked as an origin ("কুমিল্লা থেকে", "from Cumilla") gives way to another place in
  the message; "ঢাকার বাইরে" / "outside Dhaka" names no place. Otherwise the first mention
  wins. Nothing found → None.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from bot.text.norm import bn_stem, canon_latin, tokens
from bot.text.places import (
    AREAS,
    DHAKA_SUBURB,
    DISTRICTS,
    INSIDE_DHAKA,
    OUTSIDE_DHAKA,
    SUBURB_DISTRICTS,
)


@dataclass(frozen=True)
class Place:
    """A delivery place: the district's English name, a Dhaka area or None, zone, division."""

    district: str
    area: str | None
    zone: str
    division: str


# --- folding -----------------------------------------------------------------------------

# Spelling differences customers make freely in place names: long/short vowels, chandrabindu,
# ণ/ন, the three sibilants, aspiration, য/জ. ড় and ঢ় (decomposed by NFC) are read as র.
_BN_FOLD = str.maketrans(
    {
        "ী": "ি", "ূ": "ু", "ঈ": "ই", "ঊ": "উ", "ঁ": None, "ঃ": None, "\u09bc": None,
        "ঙ": "ং", "ণ": "ন", "ঞ": "ন", "ষ": "শ", "স": "শ", "ৎ": "ত", "য": "জ",
        "ঢ": "ড", "ধ": "দ", "থ": "ত", "ঠ": "ট", "ভ": "ব", "ফ": "প", "খ": "ক",
        "ঘ": "গ", "ছ": "চ", "ঝ": "জ",
    }
)  # fmt: skip
_NUKTA_R = (("ড\u09bc", "র"), ("ঢ\u09bc", "র"), ("\u09dc", "র"), ("\u09dd", "র"))


@lru_cache(maxsize=8192)
def _fold_bn(s: str) -> str:
    for old, new in _NUKTA_R:
        if old in s:
            s = s.replace(old, new)
    return s.translate(_BN_FOLD)


@lru_cache(maxsize=8192)
def _fold_latin(s: str) -> str:
    # canon_latin folds dh/d, sh/s, ee/i, doubled letters; y/i and gonj/ganj vary as much.
    return canon_latin(s).replace("y", "i").replace("gonj", "ganj")


_BN_BLOCK = re.compile("[\u0980-\u09e5\u09f0-\u09ff]+")  # Bengali letters, no digits


def _is_bn_word(token: str) -> bool:
    return _BN_BLOCK.fullmatch(token) is not None


def _is_latin_word(token: str) -> bool:
    return token.isascii() and token.isalpha()


def _key(words: Iterable[str]) -> str | None:
    """The lookup key of adjacent words: joined, then folded; None for mixed or digits."""
    joined = "".join(words)
    if _is_latin_word(joined):
        return _fold_latin(joined)
    if _is_bn_word(joined):
        return _fold_bn(joined)
    return None


# Romanized case endings: dhakay, dhakate, mirpure, ctg-er, dhakar.
_LATIN_SUFFIXES = ("tei", "te", "er", "ey", "ei", "e", "y")


@lru_cache(maxsize=8192)
def _latin_keys(joined: str) -> tuple[str, ...]:
    keys = [_fold_latin(joined)]
    for suffix in _LATIN_SUFFIXES:
        if joined.endswith(suffix) and len(joined) - len(suffix) >= 3:
            keys.append(_fold_latin(joined[: -len(suffix)]))
    if joined.endswith("r") and joined[-2:-1] in ("a", "o") and len(joined) >= 4:
        keys.append(_fold_latin(joined[:-1]))  # dhakar, comillar
    return tuple(keys)


LATIN, BANGLA = "latin", "bangla"


@lru_cache(maxsize=8192)
def _script(token: str) -> str | None:
    if _is_latin_word(token):
        return LATIN
    return BANGLA if _is_bn_word(token) else None


def _segment_keys(seg: list[str], scripts: list[str | None]) -> tuple[str, ...]:
    """Keys for adjacent words of one script: Latin joined (with its case endings stripped),
    Bangla folded word by word (folding never crosses a word), the last word also stemmed."""
    script = scripts[0]
    if script is None or any(s != script for s in scripts):
        return ()
    if script == LATIN:
        return _latin_keys("".join(seg))
    head = "".join(_fold_bn(w) for w in seg[:-1])
    return tuple(head + stem for stem in _bn_forms(seg[-1]))


# Case endings a place name takes (ঢাকায়, ঢাকাতে, মিরপুরে, চট্টগ্রামের, যশোরের); bn_stem alone
# reads যশোরে as যশো + রে.
_BN_ENDINGS = tuple(unicodedata.normalize("NFC", e) for e in ("ের", "তে", "য়", "ে", "এ", "র"))


@lru_cache(maxsize=8192)
def _bn_forms(word: str) -> tuple[str, ...]:
    """A Bangla word folded: as written, then without a case ending, then bn_stem'd."""
    forms = [word]
    base = word[:-1] if word[-1:] in "ইও" and len(word) > 3 else word  # ঢাকাতেই, ঢাকাও
    forms += [base[: -len(e)] for e in _BN_ENDINGS if base.endswith(e) and len(base) > len(e) + 1]
    forms.append(bn_stem(word))
    return tuple(dict.fromkeys(_fold_bn(f) for f in forms))


# --- tables ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Typos:
    """How far a word of one script may be from a place's spelling and still name it."""

    shortest: int  # shorter words match only exactly
    vowels_only_below: int  # below this length only vowels may differ
    two_edits_from: int  # from this length two edits are a typo, not another word


# Bangla counts vowel signs and hasanta as code points, so its words are longer.
LATIN_TYPOS = _Typos(shortest=5, vowels_only_below=7, two_edits_from=10)
BN_TYPOS = _Typos(shortest=7, vowels_only_below=9, two_edits_from=11)

# English and romanized words one edit from a place name, never read as one.
_NOT_PLACES = frozenset(_fold_latin(w) for w in "banana nature saver mandi mandy".split())


def _district_zone(district: str) -> str:
    if district == "Dhaka":
        return INSIDE_DHAKA
    return DHAKA_SUBURB if district in SUBURB_DISTRICTS else OUTSIDE_DHAKA


def _build() -> tuple[dict[str, Place], int]:
    exact: dict[str, Place] = {}
    max_words = 1
    division_of = {name: division for name, _bn, division, _alt in DISTRICTS}
    entries: list[tuple[Place, list[str]]] = []
    for name, bn, division, alt in DISTRICTS:
        place = Place(name, None, _district_zone(name), division)
        entries.append((place, [name, bn, *alt.split()]))
    for name, bn, district, zone, alt in AREAS:
        place = Place(district, name, zone, division_of[district])
        entries.append((place, [name, bn, *alt.split()]))
    for place, spellings in entries:
        for spelling in spellings:
            words = tokens(unicodedata.normalize("NFC", spelling))
            key = _key(words)
            if key is None:
                raise ValueError(f"place spelling {spelling!r} mixes scripts or has digits")
            old = exact.setdefault(key, place)
            if old != place:
                raise ValueError(f"{spelling!r} names both {old} and {place}")
            max_words = max(max_words, len(words))
    return exact, max_words


_EXACT, _MAX_WORDS = _build()
_LATIN_KEYS = tuple(k for k in _EXACT if k.isascii() and len(k) >= LATIN_TYPOS.shortest)
_BN_KEYS = tuple(k for k in _EXACT if not k.isascii() and len(k) >= BN_TYPOS.shortest)

_VOWELS = str.maketrans("", "", "aeiouyািীুূৃেৈোৌঅআইঈউঊএঐওঔ")


def _skeleton(key: str) -> str:
    return key.translate(_VOWELS)


@lru_cache(maxsize=8192)
def _fuzzy(token: str) -> Place | None:
    """The one place a word is a typo of; None if none or several are equally close."""
    if _is_latin_word(token):
        keys = {_fold_latin(token)} - _NOT_PLACES
        choices, typos = _LATIN_KEYS, LATIN_TYPOS
    elif _is_bn_word(token):
        # Not _bn_forms: a stripped vowel sign is a case ending, not a typo (উত্তরে ≠ উত্তরা).
        keys = {_fold_bn(token), _fold_bn(bn_stem(token))}
        choices, typos = _BN_KEYS, BN_TYPOS
    else:
        return None
    best: dict[Place, int] = {}
    for key in keys:
        if len(key) < typos.shortest:
            continue
        limit = 2 if len(key) >= typos.two_edits_from else 1
        for cand, dist, _i in process.extract(
            key, choices, scorer=Levenshtein.distance, score_cutoff=limit, limit=None
        ):
            if cand[0] != key[0]:
                continue  # typos rarely hit the first letter
            if len(key) < typos.vowels_only_below and _skeleton(cand) != _skeleton(key):
                continue  # silent is not silet, mirror not mirpor, উত্তরটা not উত্তরা
            place = _EXACT[cand]
            best[place] = min(dist, best.get(place, dist))
    if not best:
        return None
    nearest = min(best.values())
    found = [p for p, d in best.items() if d == nearest]
    return found[0] if len(found) == 1 else None


# --- reading a message -------------------------------------------------------------------

MAX_TOKENS = 64  # an address is short; a long message is read only from its start

_ORIGIN_AFTER = frozenset({"থেকে", "হতে", "হইতে", "theke", "thake", "hote", "hoite"})
_ORIGIN_BEFORE = frozenset({"from"})
_OUTSIDE_AFTER = frozenset({"বাইরে", "বাহিরে", "baire", "bahire", "baere"})
_OUTSIDE_BEFORE = frozenset({"outside"})
_DHAKA_REGION = frozenset({"Dhaka", *SUBURB_DISTRICTS})


@dataclass(frozen=True)
class _Mention:
    place: Place
    start: int
    end: int
    origin: bool


def _exact_at(toks: list[str], scripts: list[str | None], i: int) -> tuple[Place, int] | None:
    for n in range(min(_MAX_WORDS, len(toks) - i), 0, -1):
        for key in _segment_keys(toks[i : i + n], scripts[i : i + n]):
            place = _EXACT.get(key)
            if place is not None:
                return place, n
    return None


def _mentions(toks: list[str]) -> list[_Mention]:
    found: list[tuple[Place, int, int]] = []
    scripts = [_script(t) for t in toks]
    i = 0
    while i < len(toks):
        hit = _exact_at(toks, scripts, i) if scripts[i] else None
        if hit is None and scripts[i]:
            place = _fuzzy(toks[i])
            hit = (place, 1) if place is not None else None
        if hit is None:
            i += 1
            continue
        found.append((hit[0], i, i + hit[1]))
        i += hit[1]
    out = []
    for place, start, end in found:
        before = toks[start - 1] if start else ""
        after = toks[end] if end < len(toks) else ""
        if place.area is None and place.district == "Dhaka":
            if after in _OUTSIDE_AFTER or before in _OUTSIDE_BEFORE:
                continue  # "ঢাকার বাইরে": a zone, not a place
        origin = after in _ORIGIN_AFTER or before in _ORIGIN_BEFORE
        out.append(_Mention(place, start, end, origin))
    return out


_DIGIT_RUNS = re.compile(r"[0-9]+|[^0-9]+")


def _words(text: str) -> list[str]:
    """Message tokens with digits split off letters: মিরপুর১০, mirpur10, sector7."""
    out: list[str] = []
    for tok in tokens(text)[:MAX_TOKENS]:
        if tok.isalpha():
            out.append(tok)
        else:
            out.extend(_DIGIT_RUNS.findall(tok))
    return out


def find_place(text: str) -> Place | None:
    """The district or Dhaka area a message names, with its zone; None if it names none."""
    mentions = _mentions(_words(text))
    targets = [m for m in mentions if not m.origin] or mentions
    if not targets:
        return None
    area = next((m.place for m in targets if m.place.area is not None), None)
    district = next((m.place for m in targets if m.place.area is None), None)
    if area is None:
        return district
    if (
        district is not None
        and district.district != area.district
        and district.district not in _DHAKA_REGION
    ):
        return district  # "New Market, Chattogram": a local name, not Dhaka's area
    return area


def validate_district(text: str, ctx: object) -> dict[str, Any] | None:
    """A delivery place as ``{"district", "area", "zone"}``: মিরপুরে → Dhaka, Mirpur, inside."""
    place = find_place(text)
    if place is None:
        return None
    return {"district": place.district, "area": place.area, "zone": place.zone}
