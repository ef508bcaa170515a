"""Bangla-safe letters: digits, normalising, tokens, Bangla stems, romanized Bangla.

Python's ``\\w`` and ``\\b`` split Bengali words at vowel signs (দাম, শাড়ি), so nothing here
tokenizes with them: characters are sorted by Unicode category instead. No library stems
Bangla or canonicalizes romanized Bangla ("dam koto?"), so those parts are hand-written.
``bot.text.norm`` (language detection and matching) builds on these and re-exports them.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

# --- digits ------------------------------------------------------------------------------

# Every Unicode Nd digit (Bengali, Devanagari, Arabic-Indic, full-width …) to ASCII, built
# once (~7 ms); str.translate with a dict is faster than per-character unicodedata calls.
# All Nd code points lie below U+20000, so the scan stops there.
_ASCII_DIGITS: dict[int, int] = {
    cp: ord("0") + unicodedata.decimal(chr(cp))
    for cp in range(0x80, 0x20000)
    if unicodedata.category(chr(cp)) == "Nd"
}
_BN_DIGITS = str.maketrans("0123456789", "০১২৩৪৫৬৭৮৯")


def to_ascii_digits(s: str) -> str:
    """Replace every Unicode decimal digit (০-৯ and others) with 0-9."""
    return s.translate(_ASCII_DIGITS)


def to_bn_digits(s: str) -> str:
    """Replace 0-9 with ০-৯."""
    return s.translate(_BN_DIGITS)


# --- normalize ---------------------------------------------------------------------------

_INVISIBLE = {0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, *range(0xFE00, 0xFE10)}
_INVISIBLE.update(range(0xE0100, 0xE01F0))  # variation selectors supplement


class _NormTable(dict):
    """Lazy translate table: each code point is classified once, on first sight."""

    def __missing__(self, cp: int) -> int | str | None:
        ch = chr(cp)
        cat = unicodedata.category(ch)
        out: int | str | None
        if cp in _INVISIBLE or cat == "Cf":
            out = None  # ZWJ/ZWNJ and friends only change rendering, not the word
        elif cat == "Nd":
            out = _ASCII_DIGITS.get(cp, cp)
        elif cat[0] in "LMN":
            out = cp  # letters with their vowel signs, hasanta, chandrabindu …
        else:
            out = " "  # punctuation (।, ?), symbols (৳, emoji), separators, controls
        self[cp] = out
        return out


_NORM = _NormTable()


def normalize(s: str) -> str:
    """NFC, casefold, ASCII digits, punctuation and symbols to spaces, whitespace collapsed."""
    if "\u200d" in s:
        s = s.replace("ত্\u200d", "ৎ")  # old-style khanda ta is ta + hasanta + ZWJ
    s = unicodedata.normalize("NFC", s).casefold().translate(_NORM)
    return " ".join(s.split())


def tokens(s: str) -> list[str]:
    """The words of ``normalize(s)``."""
    return normalize(s).split()


# --- Bangla stems ------------------------------------------------------------------------

_VOWEL_SIGNS = frozenset("ািীুূৃৄেৈোৌ")
_INDEPENDENT_VOWELS = frozenset("অআইঈউঊঋএঐওঔ")


def is_bn_letter(ch: str) -> bool:
    # Independent vowels and consonants only: the vowel signs (U+09BE-09CC) sit between them.
    return "\u0985" <= ch <= "\u09b9" or "\u09dc" <= ch <= "\u09df" or ch in "\u09ce\u09f0\u09f1"


# (suffix, only after a vowel): plural রা and genitive র attach to vowel-final words
# (ছেলেরা, টাকার); consonant-final words take েরা, ের instead, so আমরা and দর stay whole.
# Sorted longest first; among suffixes of one length, this order holds.
_SUFFIX_WORDS = """
    গুলোকে গুলোতে গুলোর গুলিকে গুলির গুলো গুলি গুলা দেরকে দের খানার খানা
    খানি টুকু টার টাকে টাতে টির টিকে টিতে টা টি টো েরা
    ের কে রে তে রা র য় এ ে
""".split()
_AFTER_VOWEL_ONLY = frozenset({"রা", "র", "য়"})
_SUFFIXES: list[tuple[str, bool]] = sorted(
    ((unicodedata.normalize("NFC", suf), suf in _AFTER_VOWEL_ONLY) for suf in _SUFFIX_WORDS),
    key=lambda p: -len(p[0]),
)


_EMPHATIC = [("ও", False), ("ই", False)]


def _base_letters(s: str) -> int:
    return sum(1 for ch in s if is_bn_letter(ch))


def _strip(token: str, suffixes: list[tuple[str, bool]]) -> str:
    for suffix, after_vowel in suffixes:
        if not token.endswith(suffix):
            continue
        base = token[: -len(suffix)]
        if _base_letters(base) < 2:
            continue
        if after_vowel and not (base[-1] in _VOWEL_SIGNS or base[-1] in _INDEPENDENT_VOWELS):
            continue
        return base
    return token


@lru_cache(maxsize=16384)
def bn_stem(token: str) -> str:
    """Strip Bangla classifiers, case endings and emphatic ও/ই: দামটা, দামের → দাম."""
    token = unicodedata.normalize("NFC", token)
    # Emphatic ও/ই go outside every other ending (দামটাও, দামেরই); the compound endings
    # (টার, গুলোর) are in the table, so one more strip is enough and never overstrips.
    return _strip(_strip(token, _EMPHATIC), _SUFFIXES)


# Spelling variants that customers mix freely: long/short i and u, chandrabindu, ঙ/ং.
BN_FOLD = str.maketrans({"ী": "ি", "ূ": "ু", "ঈ": "ই", "ঊ": "উ", "ঁ": None, "ঙ": "ং"})


# --- romanized Bangla --------------------------------------------------------------------

# Order matters: vowels first, then aspirates, so "bhai" → "vai" and "achhe" → "ace".
_LATIN_RULES = tuple(
    tuple(rule.split(">"))
    for rule in "ee>i oo>u bh>v ph>f kh>k gh>g chh>c ch>c jh>j th>t dh>d sh>s z>j q>k".split()
)


@lru_cache(maxsize=16384)
def canon_latin(token: str) -> str:
    """Fold romanized-Bangla spelling variants: daam → dam, bhai → vai, achhe → ace."""
    for old, new in _LATIN_RULES:
        if old in token:
            token = token.replace(old, new)
    out: list[str] = []
    for ch in token:
        if not out or out[-1] != ch:  # kotto → koto, daam → dam
            out.append(ch)
    return "".join(out)


def is_latin(token: str) -> bool:
    return token.isascii() and not token.isdigit()


def is_bengali(token: str) -> bool:
    return any("\u0980" <= ch <= "\u09ff" for ch in token)
