"""Language detection and keyword matching on Bangla-safe tokens.

The letters underneath (digits, normalising, tokens, stems, romanized Bangla) are in
``bot.text.letters`` and importable from here as before. No library spots romanized Bangla
("dam koto?"), so detection is hand-written; fuzzy ratios come from rapidfuzz.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from functools import lru_cache

from rapidfuzz import fuzz, process

from bot.text.letters import (
    BN_FOLD,
    bn_stem,
    canon_latin,
    is_bengali,
    is_bn_letter,
    is_latin,
    normalize,
    to_ascii_digits,
    to_bn_digits,
    tokens,
)

# the letters, for callers that import them from here
__all__ = [
    "FUZZY_MIN_LEN",
    "FUZZY_RATIO",
    "CHOICE_RATIO",
    "Matcher",
    "best_choice",
    "bn_stem",
    "canon_latin",
    "compile_keywords",
    "detect_language",
    "normalize",
    "to_ascii_digits",
    "to_bn_digits",
    "tokens",
]

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
        "bujhi bujhlam chai kharap hajar hazar pathaisi pathaichi pathalam pathailam pathiyechi "
        "milche mileni"
    ).split()
)
_WEAK = frozenset(
    # "taka" too: "6000 taka" is how English-writing customers in Bangladesh say it.
    canon_latin(w)
    for w in "ki na ta er ar o dam den dao ji jee ha haa hae aj kal taka".split()
)


# Latin words Bangla writers use as much as English ones: alone they tell no language
# ("hi" and "hello" still mean English: the corpus greets in English with them).
_NEUTRAL = frozenset(canon_latin(w) for w in "ok okay oky okk k".split())

# What says nothing of a customer's language: e-mail addresses, links, and any Latin token
# with a digit in it (a phone number, an order or product code: SKU-1234, A12, 5k).
_NOT_WORDS = re.compile(
    r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+"
    r"|(?:https?://|www\.)[!-~]+"
    r"|(?:[A-Za-z0-9-]+\.)+(?:com|net|org|bd|io|me|info|shop|xyz)(?![A-Za-z])(?:/[!-~]*)?"
    r"|[!-~]*[0-9][!-~]*"
)


@lru_cache(maxsize=4096)
def language_words(text: str) -> str:
    """``text`` without what never tells a language (e-mails, links, codes, digits)."""
    return _NOT_WORDS.sub(" ", text)


@lru_cache(maxsize=4096)
def detect_language(text: str) -> str | None:
    """ "bn" for Bengali script or romanized Bangla, "en" for other Latin text, else None.
    E-mail addresses, links, phone numbers, product codes and digits count for neither."""
    norm = normalize(language_words(text))
    if any(is_bn_letter(ch) for ch in norm):
        return "bn"
    words = [t for t in norm.split() if t.isascii() and t.isalpha()]
    if not words:
        return None  # emoji, stickers, digits, other scripts
    if all(canon_latin(w) in _NEUTRAL for w in words):
        return None  # "ok": how Bangla writers answer too; the language stands
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
    if is_bengali(token):
        return frozenset({token.translate(BN_FOLD), bn_stem(token).translate(BN_FOLD)})
    if is_latin(token):
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
    if is_latin(token):
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

    __slots__ = ("phrases", "_singles", "_multi", "_firsts")

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
            latin.extend(canon_latin(t) for t in toks if is_latin(t))
            if len(forms) == 1:
                singles |= forms[0]
            else:
                multi.append(forms)
        self._singles = frozenset(singles)
        self._multi = tuple(multi)
        # Every phrase needs its first word: a message with none of them skips the loop.
        self._firsts = frozenset().union(*(p[0] for p in multi))
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
        if self._firsts.isdisjoint(union):
            return False
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
    return " ".join(canon_latin(t) if is_latin(t) else t.translate(BN_FOLD) for t in norm.split())


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
