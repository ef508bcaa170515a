"""Bangla-safe text handling: digits, normalising, tokens, stems, language and keyword matching.

Python's ``\\w`` and ``\\b`` split Bengali words at vowel signs (দাম, শাড়ি), so nothing here
tokenizes with them: characters are sorted by Unicode category instead. No library stems
Bangla, canonicalizes romanized Bangla or spots it ("dam koto?"), so those parts are
hand-written; fuzzy ratios come from rapidfuzz.
"""

from __future__ import annotations

import threading
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from rapidfuzz import fuzz, process

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


def _is_bn_letter(ch: str) -> bool:
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
    return sum(1 for ch in s if _is_bn_letter(ch))


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
_BN_FOLD = str.maketrans({"ী": "ি", "ূ": "ু", "ঈ": "ই", "ঊ": "উ", "ঁ": None, "ঙ": "ং"})


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
    out = []
    for ch in token:
        if not out or out[-1] != ch:  # kotto → koto, daam → dam
            out.append(ch)
    return "".join(out)


def _is_latin(token: str) -> bool:
    return token.isascii() and not token.isdigit()


def _is_bengali(token: str) -> bool:
    return any("\u0980" <= ch <= "\u09ff" for ch in token)


# --- language ----------------------------------------------------------------------------

_STRONG = frozenset(
    canon_latin(w)
    for w in (
        "vai bhai apu apa koto kto ache achhe ase achen asen kemon kmn lagbe kivabe kibhabe "
        "kemne kobe keno kno kothay kothai nai nei hobe hbe korbo dibo nibo parbo pabo "
        "dorkar onek ektu kichu valo bhalo ami apni amar apnar tumi tomar amake apnake "
        "janaben janan bolen bolben thik accha acha dhonnobad dhonyobad assalamualaikum "
        "salam vaiya bhaiya agami porshu ajke kalke hoy hoise hoyeche "
        "korte koren korun korben korchi korsi dite nite dile nile din diben "
        "niben pathan pathaben pathiye bolte bolun jabe parben chaile "
        "obostha damer dame sathe kotha ekta ekhon akhon tahole kintu amader apnader "
        "bujhi bujhlam"
    ).split()
)
_WEAK = frozenset(
    # "taka" too: "6000 taka" is how English-writing customers in Bangladesh say it.
    canon_latin(w)
    for w in "ki na ta er ar o dam chai den dao ji jee ha haa hae aj kal taka".split()
)
_GREETING_EN = frozenset("hi hello hey thanks thank ok okay yes no price".split())


@lru_cache(maxsize=4096)
def detect_language(text: str) -> str | None:
    """ "bn" for Bengali script or romanized Bangla, "en" for other Latin text, else None."""
    norm = normalize(text)
    if any(_is_bn_letter(ch) for ch in norm):
        return "bn"
    words = [t for t in norm.split() if t.isascii() and t.isalpha()]
    if not words:
        return None  # emoji, stickers, digits, other scripts
    strong = weak = 0
    for w in words:
        c = canon_latin(w)
        if c in _STRONG:
            strong += 1
        elif c in _WEAK:
            weak += 1
    markers = strong + weak
    # One strong marker is enough in a short message; in a long one romanized Bangla shows
    # up as a noticeable share of the words, not a stray "ki" in an English sentence.
    if (strong >= 1 or weak >= 2) and (len(words) < 6 or markers / len(words) >= 0.2):
        return "bn"
    return "en"


# --- keyword matching --------------------------------------------------------------------

FUZZY_MIN_LEN = 4  # shorter Latin tokens only match exactly (after canon): no ≠ now
FUZZY_RATIO = 80.0

_vocab_lock = threading.Lock()
_vocab: tuple[str, ...] = ()  # canonical Latin keyword tokens eligible for fuzzy matching
_vocab_set: set[str] = set()


def _add_vocab(words: Iterable[str]) -> None:
    global _vocab
    new = [w for w in words if len(w) >= FUZZY_MIN_LEN and w not in _vocab_set]
    if not new:
        return
    with _vocab_lock:
        _vocab_set.update(new)
        _vocab = tuple(sorted(_vocab_set))
        # Cached token analyses only know the old vocabulary.
        _forms.cache_clear()
        _message.cache_clear()


def _base_forms(token: str) -> frozenset[str]:
    """Forms of one token compared exactly: itself, its stem (Bangla) or canon (Latin)."""
    if _is_bengali(token):
        return frozenset({token.translate(_BN_FOLD), bn_stem(token).translate(_BN_FOLD)})
    if _is_latin(token):
        return frozenset({canon_latin(token)})
    return frozenset({token})


def _skeleton(word: str) -> str:
    return word.translate(_NO_VOWELS)


_NO_VOWELS = str.maketrans("", "", "aeiouy")


def _close_enough(a: str, b: str, score: float) -> bool:
    """Fuzzy-equal Latin tokens: a typo or a romanized vowel, not another word."""
    if a[0] != b[0]:
        return False  # typos rarely hit the first letter
    if min(len(a), len(b)) >= 6:
        return True
    # Short words: one letter added or dropped (agent/agents), or vowels only changed
    # (human/humen); a changed consonant makes a new word (price/pride, stop/shop).
    return score >= 85 or _skeleton(a) == _skeleton(b)


@lru_cache(maxsize=65536)
def _forms(token: str) -> frozenset[str]:
    """A message token's forms, plus every vocabulary word it is fuzzy-close to."""
    forms = _base_forms(token)
    if _is_latin(token):
        c = canon_latin(token)
        if len(c) >= FUZZY_MIN_LEN:
            close = [
                w
                for w, score, _i in process.extract(
                    c, _vocab, scorer=fuzz.ratio, score_cutoff=FUZZY_RATIO, limit=None
                )
                if _close_enough(c, w, score)
            ]
            if close:
                forms = forms | frozenset(close)
    return forms


@lru_cache(maxsize=4096)
def _message(toks: tuple[str, ...]) -> tuple[tuple[frozenset[str], ...], frozenset[str]]:
    """Per-position forms and their union, shared by every matcher checking one message."""
    per = tuple(_forms(t) for t in toks)
    return per, frozenset().union(*per)


class Matcher:
    """Keyword phrases compiled for fast matching against normalised message tokens."""

    __slots__ = ("phrases", "_singles", "_multi")

    def __init__(self, phrases: Iterable[str]) -> None:
        self.phrases: tuple[str, ...] = tuple(phrases)
        singles: set[str] = set()
        multi: list[tuple[frozenset[str], ...]] = []
        latin: list[str] = []
        for phrase in self.phrases:
            toks = tokens(phrase)
            if not toks:
                continue
            forms = tuple(_base_forms(t) for t in toks)
            latin.extend(canon_latin(t) for t in toks if _is_latin(t))
            if len(forms) == 1:
                singles |= forms[0]
            else:
                multi.append(forms)
        self._singles = frozenset(singles)
        self._multi = tuple(multi)
        _add_vocab(latin)

    def matches(self, text_or_tokens: str | list[str]) -> bool:
        """Whether any phrase occurs in a raw message or in its ``tokens()``."""
        toks = tokens(text_or_tokens) if isinstance(text_or_tokens, str) else text_or_tokens
        return self.matches_tokens(toks)

    def matches_tokens(self, toks: list[str]) -> bool:
        """Whether any phrase occurs, its tokens consecutive, in already normalised tokens."""
        if not toks:
            return False
        per, union = _message(tuple(toks))
        if not self._singles.isdisjoint(union):
            return True
        for phrase in self._multi:
            if any(f.isdisjoint(union) for f in phrase):
                continue  # some word of the phrase is nowhere in the message
            n = len(phrase)
            for start in range(len(per) - n + 1):
                if all(not phrase[j].isdisjoint(per[start + j]) for j in range(n)):
                    return True
        return False

    def __repr__(self) -> str:
        return f"Matcher({list(self.phrases)!r})"


@lru_cache(maxsize=1024)
def _compile(phrases: tuple[str, ...]) -> Matcher:
    return Matcher(phrases)


def compile_keywords(phrases: list[str]) -> Matcher:
    """Compile intent keywords (cached by their list) into a Matcher."""
    return _compile(tuple(phrases))


# --- choosing an option by typing --------------------------------------------------------

CHOICE_RATIO = 85.0


def _same_phrase(a: tuple[frozenset[str], ...], b: tuple[frozenset[str], ...]) -> bool:
    return len(a) == len(b) and all(not x.isdisjoint(y) for x, y in zip(a, b, strict=True))


def _contains(hay: tuple[frozenset[str], ...], needle: tuple[frozenset[str], ...]) -> bool:
    n = len(needle)
    return any(_same_phrase(hay[i : i + n], needle) for i in range(len(hay) - n + 1))


def _fold(norm: str) -> str:
    """A whole normalised string folded for fuzzy comparison."""
    return " ".join(canon_latin(t) if _is_latin(t) else t.translate(_BN_FOLD) for t in norm.split())


def _unique(keys: Iterable[str]) -> str | None:
    found = set(keys)
    return found.pop() if len(found) == 1 else None


@lru_cache(maxsize=1024)
def _spellings(options: tuple[tuple[str, tuple[str, ...]], ...]) -> list[tuple]:
    """Each option's spellings normalised once: a question's choices rarely change."""
    return [
        (key, normalize(s), tuple(_base_forms(t) for t in tokens(s)))
        for key, spells in options
        for s in spells
        if s and normalize(s)
    ]


def best_choice(text: str, options: dict[str, list[str]]) -> str | None:
    """The option key a typed answer names (exact, stem, contained, then fuzzy); else None."""
    norm = normalize(text)
    if not norm:
        return None
    msg = tuple(_base_forms(t) for t in norm.split())
    spellings = _spellings(tuple((key, tuple(spells)) for key, spells in options.items()))
    # Exact, then equal word by word (stems, romanized variants); first tier with hits wins.
    hits = [key for key, s, _ in spellings if s == norm]
    if hits:
        return _unique(hits)
    hits = [key for key, _, forms in spellings if _same_phrase(msg, forms)]
    if hits:
        return _unique(hits)
    # A label inside a sentence ("ami saree nibo"): the longest contained label wins.
    contained = [(len(forms), key) for key, _, forms in spellings if _contains(msg, forms)]
    if contained:
        longest = max(n for n, _ in contained)
        return _unique(key for n, key in contained if n == longest)
    folded = _fold(norm)
    if len(folded) < FUZZY_MIN_LEN:
        return None
    scored: dict[str, float] = {}
    for key, s, _ in spellings:
        score = fuzz.ratio(folded, _fold(s), score_cutoff=CHOICE_RATIO)
        scored[key] = max(scored.get(key, 0.0), score)
    ranked = sorted(((v, k) for k, v in scored.items() if v), reverse=True)
    if not ranked or (len(ranked) > 1 and ranked[0][0] - ranked[1][0] < 5):
        return None  # nothing close, or two options about equally close
    return ranked[0][1]
