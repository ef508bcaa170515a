"""Which choice a typed answer names, as customers write it.

``choose`` finds the choice a tap or a typed answer picks. Besides the payload, a number and
the exact/stem/fuzzy match of ``norm.best_choice``, a label, a key or one of the owner's
``match:`` words counts in the other script (jamdani ↔ জামদানি, 3 piece ↔ থ্রি-পিস,
``translit.same_word``), with Bangla endings (জামদানিটা, শাড়িটাই) and inside a sentence
("আমি একটা থ্রি-পিস নিতে চাই"). A sentence naming two choices picks none: the question is
asked again rather than guessed. A question's spellings are tokenized once.
"""

from __future__ import annotations

from bot.book.types import Choice, Step
from bot.text import norm
from bot.text.translit import same_word


def spellings(choice: Choice) -> list[str]:
    """Every way a choice may be named: its key, its labels and the owner's match words."""
    return [choice.key, choice.key.replace("_", " "), *choice.label.values(), *choice.match]


def choose(step: Step, text: str | None, payload: str | None) -> str | None:
    """Which choice a tap or a typed answer picks: payload, number, key, label, spelling."""
    keys = [c.key for c in step.choices]
    if payload and payload.startswith(step.id + ":") and payload[len(step.id) + 1 :] in keys:
        return payload[len(step.id) + 1 :]
    if not text:
        return None
    plain = norm.to_ascii_digits(text).strip().rstrip(".)")
    if plain.isdigit() and 1 <= int(plain) <= len(keys):
        return keys[int(plain) - 1]
    toks = norm.tokens(text)
    if not toks:
        return None
    table = _table(step.choices)
    whole = table.whole.get(" ".join(toks))
    if whole is not None:
        return whole  # the message is a spelling, as typed: the common case, and cheap
    found = named(step.choices, toks)
    if len(found) == 1:
        return found.pop()
    if found:
        return None  # two choices in one sentence: ask again, do not guess
    return norm.best_choice(text, table.options)


class _Table:
    """A question's spellings, tokenized once: the whole-message lookup, each spelling's
    words with their forms, and the options for ``norm.best_choice``."""

    __slots__ = ("choices", "whole", "spelled", "options")

    def __init__(self, choices: tuple[Choice, ...]) -> None:
        self.choices = choices
        self.whole: dict[str, str | None] = {}
        self.spelled: list[
            tuple[str, tuple[str, ...], tuple[frozenset[str], ...], bool | None]
        ] = []
        self.options = {c.key: spellings(c) for c in choices}
        for choice in choices:
            for spelling in spellings(choice):
                words = tuple(norm.tokens(spelling))
                if not words:
                    continue
                joined = " ".join(words)
                if self.whole.get(joined, choice.key) != choice.key:
                    self.whole[joined] = None  # two choices spelled alike: never by this path
                else:
                    self.whole[joined] = choice.key
                forms = tuple(norm._base_forms(w) for w in words)
                self.spelled.append((choice.key, words, forms, _latin(words)))


_tables: dict[int, _Table] = {}


def _table(choices: tuple[Choice, ...]) -> _Table:
    table = _tables.get(id(choices))
    if table is None or table.choices is not choices:
        if len(_tables) > 4096:
            _tables.clear()  # books are reloaded rarely; a bound, not an eviction policy
        table = _tables[id(choices)] = _Table(choices)
    return table


def named(choices: tuple[Choice, ...], toks: list[str]) -> set[str]:
    """The choices whose spellings occur in the message, in either script; a spelling found
    only inside a longer one of another choice ("পিস" in "থ্রি পিস") does not count."""
    forms = [norm._base_forms(t) for t in toks]
    # Per message word: its script (True: Latin or digits) and whether it may be read in
    # the other script at all (not an English word that only sounds like a label).
    latin = [not norm.is_bengali(t) for t in toks]
    crossable = [
        not (is_latin and key_of(t) in _ENGLISH) for t, is_latin in zip(toks, latin, strict=True)
    ]
    spans: list[tuple[int, int, str]] = []
    for key, words, word_forms, script in _table(choices).spelled:
        n = len(words)
        first = word_forms[0]
        for i in range(len(toks) - n + 1):
            if not forms[i].isdisjoint(first) and all(
                not x.isdisjoint(y)
                for x, y in zip(forms[i + 1 : i + n], word_forms[1:], strict=True)
            ):
                spans.append((i, i + n, key))
                continue
            if script is None or latin[i] == script or not crossable[i]:
                continue
            # The other script: every word of the window in one script, the spelling in the
            # other (mixed windows are left to the forms above).
            window = latin[i : i + n]
            if script is None or any(w != window[0] for w in window) or window[0] == script:
                continue
            if all(crossable[i : i + n]) and same_word(" ".join(toks[i : i + n]), " ".join(words)):
                spans.append((i, i + n, key))
    keys, refused = set(), set()
    for start, end, key in spans:
        inside = any(
            k != key and s <= start and end <= e and (e - s) > (end - start) for s, e, k in spans
        )
        if inside:
            continue
        # "শাড়ি না, থ্রি-পিস", "not saree, kurti": the one said no to is not the answer.
        after = key_of(toks[end]) if end < len(toks) else ""
        back = start - 1
        while back > 0 and key_of(toks[back]) in _ARTICLES:
            back -= 1  # "not a saree"
        before = key_of(toks[back]) if back >= 0 else ""
        if after in _NOT_AFTER or before in _NOT_BEFORE:
            refused.add(key)
        else:
            keys.add(key)
    return keys - refused if keys - refused else keys


def _latin(words: tuple[str, ...]) -> bool | None:
    """True when all words are Latin (or digits), False when all Bangla, None when mixed."""
    kinds = {not norm.is_bengali(w) for w in words}
    return kinds.pop() if len(kinds) == 1 else None


# A correction opens with one of these; the words after them are the new answer.
_OPENER_WORDS = (
    "না নাহ আসলে ভুল সরি দুঃখিত na naa nah no nope asole ashole asoley vul bhul sorry "
    "sori sry actually actualy oops wait"
).split()
OPENERS = frozenset(norm.canon_latin(w) if w.isascii() else w for w in _OPENER_WORDS)
# A cheap first look at a message (most are no correction): how an opener may begin.
OPENER_STARTS = tuple({w[:2] for w in _OPENER_WORDS})
# Words that may follow the opener before the answer: "না না", "না মানে", "sorry, I meant".
FILLERS = OPENERS | frozenset(
    norm.canon_latin(w) if w.isascii() else w
    for w in (
        "মানে বরং হবে হয়েছে হইছে হয়ে গেছে বলতে চেয়েছিলাম চাচ্ছিলাম mane borong hobe hoise "
        "hoyeche i meant mean im wanted to say"
    ).split()
)


# English words that sound like a Bangla label in romanization (sorry ~ শাড়ি, so ~ সো):
# never read as one in another script.
_ENGLISH = FILLERS | frozenset(
    norm.canon_latin(w)
    for w in (
        "so sir are our or her here hare hi he she share sure shore story sorry dear "
        "daily do to too two the they them then there this that what when which who why how "
        "can could would should will shall may might must has have had was were is be been "
        "and but not for from with without about all any some more most much many very just "
        "only also even still yet now new old good great nice fine ok okay yes please thanks "
        "thank hello hey bro sister brother madam mam apu vai bhai write say tell ask know "
        "see look want need like love get give take make go come send price cost buy order "
        "it its it's me my mine you your yours we us his him in on at by of up down out off "
        "if as an a i one ten tin pin pen pan fan fun sun son sum some same sale sell shell"
    ).split()
)


_NOT_AFTER = frozenset(
    norm.canon_latin(w) if w.isascii() else w for w in "না নয় নাহ na noy nah".split()
)
_NOT_BEFORE = frozenset(norm.canon_latin(w) for w in "not".split())
_ARTICLES = frozenset(norm.canon_latin(w) for w in "a an the".split())


def key_of(token: str) -> str:
    return norm.canon_latin(token) if token.isascii() else token
