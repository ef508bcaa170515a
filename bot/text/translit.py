"""Bangla script ↔ romanized Bangla (and English loanwords): one key for both.

``romanize("জামদানি")`` writes Bangla the way Bangladeshis type it (jamdani, baton fon,
thri pis, shari, kurti, panjabi, dam, koto). ``key(text)`` folds either script into a
matching key, and ``same_word(a, b)`` says whether two spellings name the same word:
``same_word("button phone", "বাটন ফোন")``, ``same_word("saree", "শাড়ি")``.

Romanizing: consonants and vowel signs by a table, then the hidden vowel অ (a consonant
with no vowel sign), decided right to left:
- the first letter of a word keeps it (ক-ম → kom, দ-র-কা-র → dorkar);
- the last letter drops it (দাম → dam), except: a single letter; a final native conjunct
  (বন্ধ → bondho, কষ্ট → koshto; loan clusters stay bare: সিল্ক → silk); a final হ (সহ →
  shoho); a final ত in a two-letter word (কত → koto, মত → moto); a final ব after a letter
  without া (করব → korbo; হিজাব → hijab);
- a letter inside the word keeps it when it is a doubled, ya-phala or native conjunct
  (চট্টগ্রাম → chottogram, ধন্যবাদ → dhonnobad, কষ্টকর → koshtokor), when the
  next letter is a conjunct (ধা-ন-ম-ন্ডি → dhanmondi) or when the next letter has none
  (বা-ট-ন → baton, কা-প-ড় → kapor); otherwise it drops (জা-ম-দা-নি → jamdani).
ya-phala: ্যা is "a" (ব্যাগ → bag); after a bare conjunct it doubles the letter (ধন্য →
dhonno). ba-phala is silent (জ্বি → ji). ঙ্গ → ng, ঞ্জ → nj, ং → ng, chandrabindu and
visarga vanish.

The key: English spellings first (ee/ea/ie → i, oo → u, soft c → s, ck/q → k, x → ks,
soft g inside a word → j, a silent final e dropped, er/ir/ur before a consonant → ar as
Bangla borrows them: order → অর্ডার), then aspirates and sibilants fold (kh → k, bh → v,
ph → f, sh/s, ch/chh, th → t, dh → d, z → j), w is a vowel, y between letters is a glide
and vanishes, doubled letters collapse, and vowels fall into two classes: a/o/u and i/e
(a run of vowels keeps its last). Two keys equal means the same word; a vowel that is
only different in class is forgiven in words of four consonants or more (delivery ↔
ডেলিভারি, payment ↔ পেমেন্ট). One refinement stops the a/o merge from pairing ফোন with
fan: a written ো never meets a typed "a", nor a written ্যা (ফ্যান) a typed "o". A lone
Latin letter is read by its name (t shirt ↔ টি শার্ট), a digit up to 10 by its English
word (3 piece ↔ থ্রি পিস).
"""

from __future__ import annotations

from functools import lru_cache

from bot.text.norm import bn_stem, normalize

# --- romanizing --------------------------------------------------------------------------

_CONS = {
    "ক": "k", "খ": "kh", "গ": "g", "ঘ": "gh", "ঙ": "ng", "চ": "ch", "ছ": "chh", "জ": "j",
    "ঝ": "jh", "ঞ": "n", "ট": "t", "ঠ": "th", "ড": "d", "ঢ": "dh", "ণ": "n", "ত": "t",
    "থ": "th", "দ": "d", "ধ": "dh", "ন": "n", "প": "p", "ফ": "f", "ব": "b", "ভ": "bh",
    "ম": "m", "য": "j", "র": "r", "ল": "l", "শ": "sh", "ষ": "sh", "স": "s", "হ": "h",
    "ড়": "r", "ঢ়": "rh", "য়": "y", "ৎ": "t", "ৰ": "r", "ৱ": "b",
}  # fmt: skip
_VOWELS = {
    "অ": "o", "আ": "a", "ই": "i", "ঈ": "i", "উ": "u", "ঊ": "u", "ঋ": "ri", "এ": "e",
    "ঐ": "oi", "ও": "O", "ঔ": "Ou",
}  # fmt: skip
# "O" marks a written ো/ও: it never meets a typed "a" (see same_word); shown as "o".
_SIGNS = {
    "া": "a", "ি": "i", "ী": "i", "ু": "u", "ূ": "u", "ৃ": "ri", "ে": "e", "ৈ": "oi",
    "ো": "O", "ৌ": "Ou",
}  # fmt: skip
_HASANTA = "্"
_NUKTA = "\u09bc"
_NUKTA_FORMS = {"ড": "ড়", "ঢ": "ঢ়", "য": "য়"}
_CLUSTERS = {"চ্ছ": "cch", "ঙ্গ": "ng", "ঞ্জ": "nj", "ঞ্চ": "nch", "ক্ষ": "kkh", "জ্ঞ": "gg", "হ্ম": "mm"}
# Final conjuncts that keep the hidden vowel (native words); loan clusters (ল্ক, স্ট, র্ট)
# end bare.
_NATIVE_FINAL = frozenset(
    "ন্ত ন্দ ন্ধ ষ্ট ক্ষ ত্র দ্র গ্র প্র ক্র ম্ব ন্ন ত্ত দ্ধ ব্দ ক্ত প্ত চ্ছ জ্জ স্থ শ্চ ম্ভ ল্প ষ্ঠ ন্ম "
    "র্ম র্ব র্থ র্ত ন্ঠ ম্প ঙ্ক".split()
)


class _Unit:
    """One written syllable: consonants (``onset``), its vowel, and a coda (ং …)."""

    __slots__ = ("onset", "letters", "vowel", "yaphala", "coda")

    def __init__(self) -> None:
        self.onset: list[str] = []  # romanized consonants
        self.letters = ""  # the Bangla consonants, for the conjunct tables
        self.vowel: str | None = None  # None: the hidden অ, to decide; "": none
        self.yaphala = False
        self.coda = ""

    @property
    def conjunct(self) -> bool:
        return len(self.onset) > 1 or self.yaphala


def _units(word: str) -> list[_Unit]:
    units: list[_Unit] = []
    i, n = 0, len(word)
    while i < n:
        ch = word[i]
        if i + 1 < n and word[i + 1] == _NUKTA and ch in _NUKTA_FORMS:
            ch = _NUKTA_FORMS[ch]
            i += 1
        if ch in _VOWELS:
            u = _Unit()
            u.vowel = _VOWELS[ch]
            units.append(u)
        elif ch in _CONS:
            u = _Unit()
            u.onset.append(_CONS[ch])
            u.letters = ch
            if ch == "ৎ":
                u.vowel = ""
            while i + 2 < n and word[i + 1] == _HASANTA and word[i + 2] in _CONS:
                nxt = word[i + 2]
                if i + 3 < n and word[i + 3] == _NUKTA and nxt in _NUKTA_FORMS:
                    nxt = _NUKTA_FORMS[nxt]
                    i += 1
                if nxt == "য":
                    u.yaphala = True
                elif nxt == "ব" and u.letters[-1] != "ম":
                    pass  # ba-phala: silent (জ্বি → ji, বিশ্ব → bishsho)
                else:
                    u.onset.append(_CONS[nxt])
                    u.letters += nxt
                i += 2
            if i + 1 < n and word[i + 1] == _HASANTA:
                u.vowel = ""  # written without a vowel
                i += 1
            elif i + 1 < n and word[i + 1] in _SIGNS:
                u.vowel = _SIGNS[word[i + 1]]
                i += 1
            units.append(u)
        elif ch in "ংঃঁ" and units:
            if ch == "ং":
                units[-1].coda += "ng"
        elif ch in _SIGNS:  # a stray vowel sign
            u = _Unit()
            u.vowel = _SIGNS[ch]
            units.append(u)
        elif ch.isascii() and ch.isalnum():
            u = _Unit()
            u.onset.append(ch.lower())
            u.vowel = ""
            units.append(u)
        i += 1
    return units


def _hidden_vowels(units: list[_Unit]) -> None:
    """Decide each hidden অ, right to left (see the module docstring)."""
    n = len(units)
    for i in range(n - 1, -1, -1):
        u = units[i]
        if u.vowel is not None:
            continue
        if i == n - 1:
            prev = units[i - 1] if i else None
            if n == 1:
                u.vowel = "o"
            elif u.conjunct:
                u.vowel = "o" if u.yaphala or _letters(u) in _NATIVE_FINAL else ""
            elif u.letters == "হ":
                u.vowel = "o"
            elif u.letters == "ত" and n == 2 and prev is not None and prev.vowel is None:
                u.vowel = "o"
            elif u.letters == "ব" and prev is not None and prev.vowel in (None, "e"):
                u.vowel = "o"
            else:
                u.vowel = ""
        elif i == 0 or u.yaphala or _geminate(u) or _letters(u) in _NATIVE_FINAL:
            u.vowel = "o"  # ধন্যবাদ, চট্টগ্রাম, কষ্টকর (not the loan ক্স of এক্সচেঞ্জ)
        else:
            nxt = units[i + 1]
            # Before a conjunct the syllable closes (ধা-ন-মন-ডি), unless the conjunct is an
            # s-cluster that begins the next syllable (লিপ-স্টিক).
            closes = len(nxt.onset) > 1 and nxt.letters[0] not in "সশ"
            u.vowel = "o" if (nxt.vowel == "" and not nxt.coda) or closes else ""


def _geminate(u: _Unit) -> bool:
    return len(u.letters) == 2 and u.letters[0] == u.letters[1]


def _letters(u: _Unit) -> str:
    return _HASANTA.join(u.letters)


def _onset(u: _Unit, first: bool) -> str:
    letters = _letters(u)
    for cluster, latin in _CLUSTERS.items():
        if cluster in letters:
            if cluster == "ক্ষ" and first:
                latin = "kh"
            elif cluster == "জ্ঞ" and first:
                latin = "g"
            head, _, tail = letters.partition(cluster)
            return (
                "".join(_CONS[c] for c in head if c != _HASANTA)
                + latin
                + "".join(_CONS[c] for c in tail if c != _HASANTA)
            )
    return "".join(u.onset)


@lru_cache(maxsize=16384)
def _romanize_word(word: str) -> str:
    """One Bangla word romanized, with "O" for a written ো and "Y" for ্যা ("a")."""
    units = _units(word)
    _hidden_vowels(units)
    out = []
    for i, u in enumerate(units):
        onset = _onset(u, i == 0)
        vowel = u.vowel or ""
        if u.yaphala:
            if vowel == "a":
                vowel = "Y"  # ব্যাগ → bag, ক্যাশ → kash: the English a, never an o
            elif vowel == "o" and onset:
                onset += onset[-1]  # ধন্য → dhonno
        out.append(onset + vowel + u.coda)
    return "".join(out)


def _is_bengali(token: str) -> bool:
    return any("\u0980" <= ch <= "\u09ff" for ch in token)


def romanize(text: str) -> str:
    """Bangla words written as Bangladeshis type them; other words unchanged (lower case)."""
    return " ".join(
        _romanize_word(t).replace("Y", "a").lower() if _is_bengali(t) else t
        for t in normalize(text).split()
    )


# --- the matching key --------------------------------------------------------------------

_NUMBERS = {
    "1": "one", "2": "two", "3": "three", "4": "four", "5": "five", "6": "six",
    "7": "seven", "8": "eight", "9": "nine", "10": "ten",
}  # fmt: skip
_VOWEL_LETTERS = frozenset("aeiouOYA")
# Fine vowels: O a written ো, Y a written ্যা, A an English er/ir/ur; the rest as typed.
_CLASS = {"a": "a", "o": "a", "u": "a", "O": "a", "Y": "a", "A": "a", "i": "i", "e": "i"}
_CLASH = frozenset({frozenset("Oa"), frozenset("Yo"), frozenset("YO")})
# A lone Latin letter is read by its name, as Bangla writes it: t shirt ↔ টি শার্ট.
_LETTERS = dict(
    zip(
        "abcdefghijklmnopqrstuvwxyz",
        "e bi si di i ef ji eich ai je ke el em en o pi kiu ar es ti iu bhi dablu eks oai jed".split(),
        strict=True,
    )
)
_FIRST = (
    ("cch", "ch"), ("tch", "ch"), ("ee", "i"), ("ea", "i"), ("ie", "i"), ("oo", "u"),
    ("ck", "k"), ("q", "k"), ("x", "ks"),
)  # fmt: skip
_DIGRAPHS = (
    ("chh", "C"), ("ch", "C"), ("sh", "s"), ("ph", "f"), ("bh", "v"), ("kh", "k"),
    ("gh", "g"), ("jh", "j"), ("th", "t"), ("dh", "d"), ("rh", "r"), ("c", "k"), ("z", "j"),
    ("w", "o"),
)  # fmt: skip


def _english(s: str) -> str:
    for old, new in _FIRST:
        if old in s:
            s = s.replace(old, new)
    chars = list(s)
    for i, ch in enumerate(chars):
        nxt = chars[i + 1] if i + 1 < len(chars) else ""
        if ch == "c" and nxt in ("e", "i", "y"):
            chars[i] = "s"
        elif ch == "g" and i > 0 and nxt in ("e", "i") and chars[i - 1] != "g":
            chars[i] = "j"  # charger → চার্জার; a first g stays hard (gift)
    s = "".join(chars)
    if len(s) >= 4 and s[-1] == "e" and s[-2] not in _VOWEL_LETTERS and s[-2] != "y":
        s = s[:-1]  # a silent final e: phone, piece, size, mobile
    out = []
    for i, ch in enumerate(s):
        nxt = s[i + 1] if i + 1 < len(s) else ""
        after = s[i + 2] if i + 2 < len(s) else ""
        if ch in "eiu" and nxt == "r" and (not after or after not in _VOWEL_LETTERS):
            out.append("A")  # order → ordar, shirt → shart, as Bangla borrows them
        else:
            out.append(ch)
    return "".join(out)


@lru_cache(maxsize=16384)
def _word_key(token: str) -> tuple[str, str]:
    """(coarse key, fine vowels) of one token; both the same length."""
    if _is_bengali(token):
        s = _romanize_word(token)
    else:
        s = token.lower()
        s = _NUMBERS.get(s) or (_LETTERS.get(s) if len(s) == 1 else None) or s
    s = _english(s)
    for old, new in _DIGRAPHS:
        if old in s:
            s = s.replace(old, new)
    # y: a glide between letters vanishes; elsewhere it is the vowel i.
    chars: list[str] = []
    for i, ch in enumerate(s):
        if ch == "y":
            nxt = s[i + 1] if i + 1 < len(s) else ""
            if nxt in _VOWEL_LETTERS:
                continue
            ch = "i"
        chars.append(ch)
    s = "".join(chars).replace("ngk", "nk").replace("ngg", "ng")  # ব্যাংক ↔ bank
    chars = list(s)
    coarse: list[str] = []
    fine: list[str] = []
    for ch in chars:
        if ch in _CLASS:
            cls = _CLASS[ch]
            if coarse and coarse[-1] in ("a", "i"):
                coarse[-1], fine[-1] = cls, ch  # a run of vowels keeps its last
            else:
                coarse.append(cls)
                fine.append(ch)
        elif ch.isalnum():
            if coarse and coarse[-1] == ch:
                continue  # doubled letters
            coarse.append(ch)
            fine.append(ch)
    return "".join(coarse), "".join(fine)


@lru_cache(maxsize=16384)
def _phrase_key(text: str, stem: bool = False) -> tuple[str, str]:
    toks = normalize(text).split()
    if stem:
        toks = [bn_stem(t) if _is_bengali(t) else t for t in toks]
    parts = [_word_key(t) for t in toks]
    return "".join(c for c, _ in parts), "".join(f for _, f in parts)


def key(text: str) -> str:
    """The matching key of a word or phrase in either script (spaces ignored)."""
    return _phrase_key(text)[0]


_LOOSE_CONSONANTS = 4


def _compatible(fa: str, fb: str) -> bool:
    return all(frozenset((x, y)) not in _CLASH for x, y in zip(fa, fb, strict=True))


@lru_cache(maxsize=65536)
def same_word(a: str, b: str) -> bool:
    """Whether two spellings, in Bangla script or Latin letters, name the same word(s).

    Bangla endings are forgiven too (জামদানিটা, ঢাকায় meet jamdani, dhaka): when the words
    differ as written, their ``bn_stem``s are compared.
    """
    if _same_keys(_phrase_key(a), _phrase_key(b)):
        return True
    if _is_bengali(a) or _is_bengali(b):
        return _same_keys(_phrase_key(a, stem=True), _phrase_key(b, stem=True))
    return False


def _same_keys(ka: tuple[str, str], kb: tuple[str, str]) -> bool:
    (ca, fa), (cb, fb) = ka, kb
    if not ca or len(ca) != len(cb):
        return False
    if ca == cb:
        return _compatible(fa, fb)
    # Vowels of another class only: forgiven in long words (delivery ↔ ডেলিভারি).
    consonants = 0
    for x, y in zip(ca, cb, strict=True):
        vx, vy = x in ("a", "i"), y in ("a", "i")
        if vx != vy or (not vx and x != y):
            return False
        consonants += not vx
    return consonants >= _LOOSE_CONSONANTS and _compatible(fa, fb)
