"""Amounts as customers write them: ২৫,০০০ টাকা, দেড় লাখ, 25k, twenty thousand, bish hajar.

Stdlib only, on purpose: no library reads Bangla number words (দেড়, আড়াই, সাড়ে তিন, পৌনে দুই,
the irregular এক…নিরানব্বই) or romanized Bangla (der lakh, bish hajar), and the English ones
(word2number, num2words) do neither hedges, ranges nor corrections.

The text is split into tokens by explicit character classes (``\\w`` and ``\\b`` split Bengali
words at vowel signs), each token becomes one or more items (a number, a number word, a
multiplier, a connective …), and a small grammar reads amounts from the items:

- an amount is parts, each ``[সাড়ে|পৌনে] count multiplier*``, that add up while they shrink:
  "২ লাখ ৫০ হাজার" = 250000, "এক হাজার পাঁচশো" = 1500, "15 hajar 500" = 15500;
- a range is two amounts around - / to / থেকে / or (between … and): "১০-১৫ হাজার" is
  10000–15000, the multiplier of the upper end applying to a bare lower end;
- a correction (না মানে, sorry, I mean, actually …) after an amount makes a later amount win:
  "২০ হাজার, না মানে ২৫ হাজার" = 25000; a bare corrected number takes the multiplier of the
  amount it corrects ("20k, na mane 25" = 25000);
- hedges (প্রায়, মতো, around, max, পর্যন্ত …) and currency (টাকা, tk, ৳, BDT, /-) change nothing.

A range is saved as its LOWER end: that is what the number validator has always saved (its
tests pin "১৫-২০ হাজার" → 15000), and a score rule such as ``budget >= 5000`` then holds only
when the whole range reaches it; a range from 0 ("০-৫০০০") means "up to" and gives its upper
end. ``parse_amount_range`` gives both ends for a caller that wants the upper one.

Not amounts: a Bangladeshi phone number, text without a number, 0 (unless ``allow_zero``), a
number word alone in romanized Bangla ("ek", "at", "sat" are English words too), a multiplier
alone ("hajar"). Number words alone in Bangla or English script count only in a short answer
("দুই", "দেড় পাউন্ড") and never beside digits.

Longer than STYLE's ~400 lines on purpose: about half of it is the word tables (99 Bangla
number words and their spellings, English and romanized ones); splitting the tables from the
grammar that reads them would put one noun in two files.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from bot.text.norm import to_ascii_digits

D = Decimal
Number = int | float

# --- vocabulary --------------------------------------------------------------------------

_BN_NUMBERS = (
    "এক দুই তিন চার পাঁচ ছয় সাত আট নয় দশ এগারো বারো তেরো চৌদ্দ পনেরো ষোলো সতেরো আঠারো উনিশ "
    "বিশ একুশ বাইশ তেইশ চব্বিশ পঁচিশ ছাব্বিশ সাতাশ আটাশ ঊনত্রিশ ত্রিশ একত্রিশ বত্রিশ তেত্রিশ "
    "চৌত্রিশ পঁয়ত্রিশ ছত্রিশ সাঁইত্রিশ আটত্রিশ ঊনচল্লিশ চল্লিশ একচল্লিশ বিয়াল্লিশ তেতাল্লিশ "
    "চুয়াল্লিশ পঁয়তাল্লিশ ছেচল্লিশ সাতচল্লিশ আটচল্লিশ ঊনপঞ্চাশ পঞ্চাশ একান্ন বাহান্ন তিপ্পান্ন "
    "চুয়ান্ন পঞ্চান্ন ছাপ্পান্ন সাতান্ন আটান্ন ঊনষাট ষাট একষট্টি বাষট্টি তেষট্টি চৌষট্টি পঁয়ষট্টি "
    "ছেষট্টি সাতষট্টি আটষট্টি ঊনসত্তর সত্তর একাত্তর বাহাত্তর তিয়াত্তর চুয়াত্তর পঁচাত্তর ছিয়াত্তর "
    "সাতাত্তর আটাত্তর ঊনআশি আশি একাশি বিরাশি তিরাশি চুরাশি পঁচাশি ছিয়াশি সাতাশি অষ্টাশি ঊননব্বই "
    "নব্বই একানব্বই বিরানব্বই তিরানব্বই চুরানব্বই পঁচানব্বই ছিয়ানব্বই সাতানব্বই আটানব্বই নিরানব্বই"
).split()
# Spellings customers use besides the Bangla Academy ones (chandrabindu, ী/ি, ূ/ু and the
# nukta are folded away before lookup, so পচিশ and উনিশ need no entry).
_BN_VARIANTS = {
    "এগার": 11, "বার": 12, "তের": 13, "চোদ্দ": 14, "পনের": 15, "ষোল": 16,
    "সতের": 17, "আঠার": 18, "কুড়ি": 20, "তিরিশ": 30, "চোত্রিশ": 34, "বেয়াল্লিশ": 42,
    "বায়ান্ন": 52, "একশ": 100, "একশো": 100, "একশত": 100,
}  # fmt: skip
# Short forms that are numbers only before a multiplier: দু হাজার, ছ'শ, ন'শ.
_BN_SHORT = {"দু": 2, "ছ": 6, "ন": 9}
_BN_FRACTIONS = {"দেড়": "1.5", "আড়াই": "2.5"}
_BN_PREFIXES = {"সাড়ে": "0.5", "পৌনে": "-0.25"}

_EN_NUMBERS = (
    "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen"
).split()
_EN_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50, "sixty": 60,
            "seventy": 70, "eighty": 80, "ninety": 90}  # fmt: skip

_ROMAN = {
    1: "ek aek", 2: "dui dhui du", 3: "tin teen", 4: "char chaar", 5: "pach panch paach paanch",
    6: "choy chhoy choi chhoi", 7: "sat saat", 8: "at aat ath aath", 9: "noy noi nou",
    10: "dosh dos das dash", 11: "egaro egharo", 12: "baro", 13: "tero", 14: "choddo chouddo",
    15: "ponero ponro", 16: "sholo solo", 17: "sotero shotero", 18: "atharo athero", 19: "unish unis",
    20: "bish bis kuri", 21: "ekush", 22: "baish", 23: "teish", 24: "chobbish chobbis",
    25: "pochish pochis ponchish pachish", 26: "chhabbish chabbish", 27: "satash", 28: "atash",
    29: "unotrish", 30: "trish tirish tris", 35: "poytrish poitrish", 40: "chollish chollis",
    45: "poytallish poitallish", 50: "ponchash panchash ponchas", 55: "ponchanno",
    60: "shat shaat", 65: "poyshotti", 70: "shottor sottor shotor", 75: "pochattor",
    80: "ashi aashi", 85: "pochashi", 90: "nobboi nobbui nobbe", 99: "niranobboi",
}  # fmt: skip
_ROMAN_FRACTIONS = {"1.5": "der deŗ derh dedh deir", "2.5": "arai arhai adai araai"}
_ROMAN_PREFIXES = {"0.5": "sare share sarhe sade", "-0.25": "poune pone paune poone"}

_MULTIPLIERS = {
    100: "শ শো শত sho shoo shoto hundred hundreds",
    1_000: "হাজার k thousand thousands hajar hazar hajaar hazaar haja",
    100_000: "লাখ লক্ষ lakh lakhs lac lacs lak lk",
    1_000_000: "million millions mn",
    10_000_000: "কোটি koti crore crores cr",
}
_CURRENCY = "টাকা টাকার টাকায় ৳ tk taka takar takay bdt rs"
_RANGE = "- – — ~ / to theke thekey থেকে হতে hote se till until or বা ba othoba অথবা টু"
_AND = "and & ও o আর ar এবং ebong , +"
_CORRECTION = (
    "না নাহ মানে ভুল আসলে বরং na naa nah mane vul bhul asole ashole borong no nope wait instead sorry "
    "sori sry actually actualy mean meant correction oops"
)
# Words that leave a number-word answer a number: "প্রায় বিশ", "around twenty".
_HEDGE = (
    "প্রায় মতো মত মতন এর মধ্যে মধ্যেই ভিতরে ভেতরে সর্বোচ্চ সর্বনিম্ন পর্যন্ত আনুমানিক কাছাকাছি বাজেট "
    "আমার আমাদের হবে দিব দিবো দেব মোট prai praye pray moto mot moddhe moddhei porjonto budget "
    "amar around about approx approximately roughly nearly almost so max maximum min minimum upto "
    "up within under below less than more above my is it be will total i . ? ! । ;"
)


@dataclass(frozen=True, slots=True)
class _Item:
    kind: str  # num cnt mult pre half a and cur range between corr other sep
    value: Decimal = D(0)
    tag: str = ""  # cnt: "bn", "en", "en10" (tens), "rom", "short", "amb", "neg"


_FOLD = str.maketrans({"ঁ": None, "়": None, "ী": "ি", "ূ": "ু", "ঈ": "ই", "ঊ": "উ", "ঙ": "ং"})


def _fold(word: str) -> str:
    return unicodedata.normalize("NFC", word).translate(_FOLD)


def _build() -> dict[str, tuple[_Item, ...]]:
    table: dict[str, tuple[_Item, ...]] = {}
    if len(_BN_NUMBERS) != 99:
        raise ValueError("amounts: the Bangla number words must be 1 to 99")

    def put(words: str | list[str], *items: _Item) -> None:
        for w in words.split() if isinstance(words, str) else words:
            key = _fold(w)
            if key in table and table[key] != items:
                raise ValueError(f"amounts: {w!r} means two things")
            table[key] = items

    for n, w in enumerate(_BN_NUMBERS, 1):
        put(w, _Item("cnt", D(n), "amb" if n in (1, 12) else "bn"))
    for w, n in _BN_VARIANTS.items():
        if n == 100:
            put(w, _Item("cnt", D(1), "bn"), _Item("mult", D(100)))
        else:
            put(w, _Item("cnt", D(n), "amb" if n == 12 else "bn"))
    for w, n in _BN_SHORT.items():
        put(w, _Item("cnt", D(n), "short"))
    table[_fold("নয়")] = (_Item("cnt", D(9), "neg"),)  # also "is not": ৫ হাজার নয়, ৬ হাজার
    for w, v in _BN_FRACTIONS.items():
        put(w, _Item("cnt", D(v), "bn"))
    for w, v in _BN_PREFIXES.items():
        put(w, _Item("pre", D(v)))
    for n, w in enumerate(_EN_NUMBERS, 1):
        put(w, _Item("cnt", D(n), "amb" if n == 1 else "en"))
    for w, n in _EN_TENS.items():
        put(w, _Item("cnt", D(n), "en10"))
    for n, ws in _ROMAN.items():
        put(ws, _Item("cnt", D(n), "rom"))
    for v, ws in _ROMAN_FRACTIONS.items():
        put(ws, _Item("cnt", D(v), "rom"))
    for v, ws in _ROMAN_PREFIXES.items():
        put(ws, _Item("pre", D(v)))
    for n, ws in _MULTIPLIERS.items():
        put(ws, _Item("mult", D(n)))
    put("billion billions", _Item("mult", D(1_000_000_000)))
    put("half", _Item("half", D("0.5")))
    put("a an", _Item("a", D(1)))
    put("between", _Item("between"))
    put(_CURRENCY, _Item("cur"))
    put(_RANGE, _Item("range"))
    put(_AND, _Item("and"))
    put(_CORRECTION, _Item("corr"))
    put(_HEDGE, _Item("sep"))
    put("খানেক khanek", _Item("cnt", D(1), "approx"))
    return table


_TABLE = _build()

# Endings that may follow a number word or multiplier: হাজারের, লাখ টাকার, পাঁচটা, দশেক,
# bisher, hajarer. Longest first; the base must be in the table.
_BN_ENDINGS = sorted(
    map(_fold, "টাকার টাকায় টাকা টার টাতে টা টি খানেক য়েক েক েরও েরই ের এর তে কে ে র ই ও".split()),
    key=len,
    reverse=True,
)
_LATIN_ENDINGS = ("takar", "taka", "tk", "er", "r", "e", "ta", "ti", "te")
_HUNDRED_BN = tuple(_fold(s) for s in ("শত", "শো", "শ"))
_HUNDRED_LATIN = ("shoto", "shoo", "sho", "so")
_KHANEK = _fold("খানেক")
_ABOUT = (_fold("েক"), _fold("য়েক"))
_OTHER = _Item("other")
_APPROX = _Item("cnt", D(1), "approx")


@lru_cache(maxsize=8192)
def _classify(token: str) -> tuple[_Item, ...]:
    """The items one word stands for; an unknown word is ``other``."""
    latin = token.isascii()
    key = token if latin else _fold(token)
    if key in _TABLE:
        return _TABLE[key]
    for base, end in _bases(key, latin):
        tail: tuple[_Item, ...] = ()
        if end.startswith(("টাক", "tak", "tk")):
            tail = (_Item("cur"),)
        elif end == _KHANEK:
            tail = (_APPROX,)  # হাজারখানেক: about a thousand
        found = _TABLE.get(base)
        if found is None and base.endswith(_HUNDRED_LATIN if latin else _HUNDRED_BN):
            # একশো, পাঁচশ, দুশো, আড়াইশো, pachsho, dersho: a count glued to "hundred".
            for h in _HUNDRED_LATIN if latin else _HUNDRED_BN:
                head = base.removesuffix(h)
                if head != base and _TABLE.get(head, (_OTHER,))[0].kind == "cnt":
                    found = _TABLE[head] + (_Item("mult", D(100)),)
                    break
        if found is None or found[0].kind not in ("cnt", "mult"):
            continue
        if end in _ABOUT and found[0].kind == "cnt":
            found = (_Item("cnt", found[0].value, "approx"),)  # দশেক, দুয়েক: about ten, two
        return found + tail
    return (_OTHER,)


def _bases(key: str, latin: bool) -> list[tuple[str, str]]:
    """(the word itself or what is left without an ending, the ending)."""
    out = [(key, "")]
    for end in _LATIN_ENDINGS if latin else _BN_ENDINGS:
        if key.endswith(end) and len(key) > len(end) + 1:
            out.append((key[: -len(end)], end))
    return out


# --- tokens ------------------------------------------------------------------------------

# A phone number with its optional country code is one barrier, never 1711 - 223344.
_PHONE = re.compile(r"(?<![\d.,])(?:\(?\+?\(?88\)?[\s-]*)?01\d(?:[\s-]?\d){8}(?!\d)")
_EN_HYPHEN = re.compile(r"(ty)-(?=[a-z])")  # twenty-five → twenty five
_TOKEN = re.compile(
    r"(?P<num>\d{1,3}(?:,\d{2,3})*,\d{3}(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"|(?P<word>[a-z\u00df-\u024f']+|[\u0980-\u09e3\u09f0\u09f1\u09fc-\u09fe]+)"
    r"|(?P<sym>[-–—~,;.!?।\x00৳&+/])"
)
_MAX_DIGITS = 15  # longer digit runs are ids, card or account numbers, not amounts


def _items(text: str) -> list[_Item]:
    s = to_ascii_digits(unicodedata.normalize("NFC", text)).casefold()
    s = s.replace("\u200c", "").replace("\u200d", "").replace("/-", " ").replace("/=", " ")
    s = _PHONE.sub(" \x00 ", _EN_HYPHEN.sub(r"\1 ", s))
    items: list[_Item] = []
    for m in _TOKEN.finditer(s):
        if (num := m["num"]) is not None:
            digits = num.replace(",", "")
            if len(digits) > _MAX_DIGITS or (digits[0] == "0" and len(digits) >= 7):
                items.append(_Item("sep"))  # an id, an account or a mistyped phone number
            else:
                items.append(_Item("num", D(digits)))
        elif (word := m["word"]) is not None:
            word = word.strip("'")
            if word:
                items.extend(_classify(word))
        elif m["sym"] == "\x00":
            items.append(_Item("other"))
        else:
            items.extend(_TABLE.get(m["sym"], (_Item("sep"),)))
    return items


# --- grammar -----------------------------------------------------------------------------


@dataclass(slots=True)
class _Amount:
    value: Decimal
    count: Decimal  # the first part's count, before its multiplier
    mult: Decimal  # the first part's multiplier (1 when bare)
    end: int  # index after the last item
    digits: bool = False  # written with digits
    tags: frozenset[str] = frozenset()


def _part(items: list[_Item], i: int) -> tuple[Decimal, Decimal, int, bool, set[str]] | None:
    """``[prefix] count multiplier*`` at i: (count, multiplier, end, digits, tags)."""
    n = len(items)
    pre = D(0)
    if i < n and items[i].kind == "pre":
        pre, i = items[i].value, i + 1
    if i >= n:
        return None
    it = items[i]
    tags: set[str] = set()
    if it.kind == "num" or it.kind == "cnt":
        count, i = it.value, i + 1
        if it.tag:
            tags.add(it.tag)
        # twenty five
        if it.tag == "en10" and i < n and items[i].kind == "cnt" and items[i].tag in ("en", "amb"):
            if items[i].value < 10:
                count, i = count + items[i].value, i + 1
        # two and a half, 1 and half
        j = i + 1 + (i + 1 < n and items[i + 1].kind == "a")
        if i < n and items[i].kind == "and" and j < n and items[j].kind == "half":
            count, i = count + D("0.5"), j + 1
    elif it.kind in ("half", "a") and not pre:
        count, i = it.value, i + 1
        if it.kind == "half" and i < n and items[i].kind == "a":
            i += 1  # half a lakh
        if i >= n or items[i].kind != "mult":
            return None
        tags.add("en")
    elif it.kind == "mult" and not pre and i + 1 < n and items[i + 1].tag == "approx":
        # হাজার খানেক, হাজার দশেক: about a thousand, about ten thousand
        return items[i + 1].value, it.value, i + 2, False, {"approx"}
    else:
        return None
    mult = last = D(1)
    while i < n and items[i].kind == "mult" and items[i].value > last:  # two hundred thousand
        last = items[i].value
        mult, i = mult * last, i + 1
    if mult == 1 and tags & {"short", "neg", "approx"} and not (i < n and items[i].kind == "cur"):
        return None  # দু, ছ, নয়, খানেক alone are not numbers; নয় টাকা is
    if pre and count + pre <= 0:
        return None
    return count + pre, mult, i, it.kind == "num", tags


def _amount(items: list[_Item], i: int) -> _Amount | None:
    """Parts that add up while they shrink: ২ লাখ ৫০ হাজার, two thousand five hundred."""
    first = _part(items, i)
    if first is None:
        return None
    count, mult, end, digits, tags = first
    amount = _Amount(count * mult, count, mult, end, digits, frozenset(tags))
    last = mult
    while last > 1:
        j = amount.end + (amount.end < len(items) and items[amount.end].kind == "and")
        nxt = _part(items, j)
        if nxt is None:
            break
        c, m, e, d, t = nxt
        value = c * m
        # A bare trailing number: "15 hajar 500" yes, "10k 2" no (digits under a tenth).
        if value >= last or (m == 1 and d and value * 10 < last):
            break
        amount.value += value
        amount.end, amount.digits, amount.tags = e, amount.digits or d, amount.tags | t
        last = m
    return amount


@dataclass(slots=True)
class _Group:
    low: Decimal
    high: Decimal
    mult: Decimal  # the largest multiplier written
    strong: bool  # digits, a multiplier or a currency word: surely an amount
    tags: frozenset[str]
    corrected: bool = False


def _group(items: list[_Item], i: int, between: bool) -> tuple[_Group, int] | None:
    a = _amount(items, i)
    if a is None:
        return None
    low = high = a.value
    mult, end, digits, tags = a.mult, a.end, a.digits, a.tags
    sep = items[end].kind if end < len(items) else ""
    if sep == "range" or (sep == "and" and between):
        b = _amount(items, end + 1)
        if b is not None:
            high, end = b.value, b.end
            # ১০-১৫ হাজার, 10 to 15k: the bare lower end shares the upper end's multiplier.
            if a.mult == 1 and b.mult > 1 and a.value <= b.count:
                low = a.value * b.mult
            low, high = min(low, high), max(low, high)
            mult, digits, tags = max(mult, b.mult), digits or b.digits, tags | b.tags
    elif a.mult == 1:
        # পাঁচ ছয় হাজার, ১০,১৫ হাজার: two bare counts before one multiplier are a range too.
        b = _amount(items, end + (sep == "and"))
        if b is not None and b.mult > 1 and a.value < b.count:
            low, high, end = a.value * b.mult, b.value, b.end
            mult, digits, tags = b.mult, digits or b.digits, tags | b.tags
    cur = (i > 0 and items[i - 1].kind == "cur") or (end < len(items) and items[end].kind == "cur")
    return _Group(low, high, mult, digits or mult > 1 or cur, tags), end


def _choose(items: list[_Item]) -> _Group | None:
    groups: list[_Group] = []
    corrected = between = False
    i = 0
    while i < len(items):
        found = _group(items, i, between)
        if found is not None:
            group, i = found
            group.corrected, corrected, between = corrected, False, False
            groups.append(group)
            continue
        it = items[i]
        if groups and (it.kind == "corr" or it.tag == "neg"):
            corrected = True
        elif it.kind == "between":
            between = True
        i += 1
    # A number word that corrects an amount is an amount too: "20 hajar, na mane pochish".
    pool = [g for g in groups if g.strong or g.corrected]
    if not any(g.strong for g in pool):
        # Number words alone: a short answer in Bangla or English script ("দুই", "দেড় পাউন্ড").
        others = sum(it.kind == "other" for it in items)
        pool = [
            g for g in groups if "rom" not in g.tags and others <= (0 if "amb" in g.tags else 1)
        ]
    if not pool:
        return None
    chosen = pool[0]
    for before, group in zip(pool, pool[1:], strict=False):
        if group.corrected:
            chosen = group
            # "২০ হাজার, না মানে ২৫": the correction keeps the magnitude it corrects (but
            # "২০ হাজার, না, ৫০০" is not half a million).
            scaled = group.high * before.mult
            if group.mult == 1 and group.high < before.mult and scaled <= before.high * 10:
                group.low, group.high = group.low * before.mult, scaled
    return chosen


# --- API ---------------------------------------------------------------------------------

_LIMIT = D(10) ** 13  # more taka than anyone has: a mistyped id, not an amount


def _number(d: Decimal) -> Number:
    return int(d) if d == d.to_integral_value() else float(d)


def parse_amount_range(text: str, *, allow_zero: bool = False) -> tuple[Number, Number] | None:
    """The (lower, upper) amount a message names, equal for a single amount; else None."""
    if not text or len(text) > 10_000:
        return None
    group = _choose(_items(text))
    if group is None or group.high >= _LIMIT or group.low < 0:
        return None
    if group.high == 0 and not allow_zero:
        return None
    return _number(group.low), _number(group.high)


def parse_amount(text: str, *, allow_zero: bool = False) -> Number | None:
    """The amount a message names (a range's lower end), int when whole; else None."""
    found = parse_amount_range(text, allow_zero=allow_zero)
    if found is None:
        return None
    low, high = found
    return high if low == 0 else low  # "০-৫০০০" means up to 5000
