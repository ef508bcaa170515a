"""Payment references in a customer's message: a bKash/Nagad/Rocket transaction id or the
last digits of the number the money was sent from.

What the providers send (their SMS and app receipts):
- bKash ``TrxID``: 10 characters, capital letters and digits (``8N7A6B5C4D``).
- Nagad ``TxnID``: 8 characters, letters and digits (``7HG2K9LQ``).
- Rocket: the ``TxnId`` length varies by channel (often 10 digits, sometimes letters too).
So any 8–12 character token of letters *and* digits is taken as a transaction id, and an
all-digit 8–12 token only with a transaction word (``trxid``, ``txn``, ``ট্রানজেকশন``…) beside
it or when the question asked for a reference (``expecting=True``): alone it is more likely an
amount or a phone number. An 11-digit ``01…`` token is always a phone number, never an id.
Without a transaction word, a provider name or ``expecting``, a mixed token needs at least two
letters and two digits and no run of five letters, so ``a52`` or ``iphone13`` is not taken.

The last digits are 2–6 digits said after "last"/"শেষ"/"shesh" ("শেষের ৪ সংখ্যা ৪৫৬৭",
"last 4 digit 4567", "number er shesh 3 ta 789"); the count ("৪") is skipped, and the
value need not have exactly that many digits (customers miscount; staff verify anyway).
A bare 2–6 digit answer counts only with ``expecting=True``. Bengali digits are digits.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.text.norm import bn_stem, canon_latin, normalize

Kind = Literal["trx_id", "last_digits"]


@dataclass(frozen=True)
class PaymentRef:
    kind: Kind  # "trx_id" or "last_digits"
    value: str  # the id in capitals, or the digits (ASCII)
    provider: str | None = None  # "bkash", "nagad", "rocket" when the message names one


_PROVIDERS = {
    **dict.fromkeys(["bkash", "bikash", "bkas", "bikas", "বিকাশ", "বিকাস"], "bkash"),
    **dict.fromkeys(["nagad", "nogod", "nogad", "nagod", "নগদ"], "nagad"),
    **dict.fromkeys(["rocket", "roket", "রকেট", "dbbl"], "rocket"),
}
_PROVIDER_KEYS = {canon_latin(k) if k.isascii() else k: v for k, v in _PROVIDERS.items()}

_TRX_WORDS = frozenset(
    canon_latin(w) if w.isascii() else w
    for w in (
        "trxid trx txnid txn trnxid transaction transection tranjection trans id ref "
        "reference ট্রানজেকশন ট্রানজ্যাকশন ট্রান্সজেকশন ট্রানজেকশান আইডি রেফারেন্স"
    ).split()
)
_LAST_WORDS = frozenset(
    canon_latin(w) if w.isascii() else w
    for w in "last ses shes sesh shesh sheser seser sesher lst শেষ শেষের শেষে লাস্ট".split()
)
# Words that may sit between "last" and the digits: counts, "digit", "number", "ta".
_COUNT_WORDS = frozenset(
    canon_latin(w) if w.isascii() else w
    for w in (
        "digit digits dijit number num no nombor nambar sonkha songkha sonkhya ta ti "
        "two three four five six char panc tin dui "
        "সংখ্যা ডিজিট নম্বর নাম্বার অংক টা টি চার তিন পাঁচ দুই ছয় চারটি চারটা তিনটা তিনটি "
        "er of the my is was holo হলো হল এর"
    ).split()
)
_MONEY_WORDS = frozenset(
    canon_latin(w) if w.isascii() else w
    for w in "taka tk taka bdt টাকা টাকার হাজার hajar hazar k lakh লাখ".split()
)


def _key(token: str) -> str:
    if token.isascii():
        return canon_latin(token)
    return bn_stem(token)


def _provider(keys: list[str]) -> str | None:
    for k in keys:
        if k in _PROVIDER_KEYS:
            return _PROVIDER_KEYS[k]
    return None


def _is_phone(token: str) -> bool:
    return token.isdigit() and (
        (len(token) == 11 and token.startswith("01"))
        or (len(token) == 13 and token.startswith("8801"))
    )


def _trx(token: str, strong: bool) -> bool:
    if not (8 <= len(token) <= 12 and token.isascii() and token.isalnum()):
        return False
    digits = sum(ch.isdigit() for ch in token)
    letters = len(token) - digits
    if digits == len(token):
        return strong and not _is_phone(token)
    if strong:
        return digits >= 1
    # Alone it must look like an id, not a model name: no run of five letters (iphone13).
    longest_word = max(
        len(run) for run in "".join(c if c.isalpha() else " " for c in token).split()
    )
    return digits >= 2 and letters >= 2 and longest_word < 5


def parse_payment_ref(text: str, *, expecting: bool = False) -> PaymentRef | None:
    """The transaction id or last digits a message gives, or None.

    ``expecting``: the question asked for a payment reference, so a bare 2–6 digit answer
    ("৪৫৬৭") is last digits and an all-digit 8–12 token is a transaction id.
    """
    toks = normalize(text.replace("৳", " taka ")).split()
    if not toks:
        return None
    keys = [_key(t) for t in toks]
    provider = _provider(keys)
    has_trx_word = any(k in _TRX_WORDS for k in keys)
    for tok in toks:
        # A provider name alone does not make digits an id ("bkash e 50000000 dilam").
        if _trx(tok, has_trx_word or expecting or (provider is not None and not tok.isdigit())):
            return PaymentRef("trx_id", tok.upper(), provider)
    # Last digits: the first run of digits after a "last" word, skipping the count.
    for i, k in enumerate(keys):
        if k not in _LAST_WORDS:
            continue
        value = _digits_after(toks, keys, i + 1)
        if value is not None:
            return PaymentRef("last_digits", value, provider)
    if expecting:
        digits = [t for t in toks if t.isdigit()]
        others = [
            k for t, k in zip(toks, keys, strict=True) if not t.isdigit() and k not in _COUNT_WORDS
        ]
        if len(digits) == 1 and 2 <= len(digits[0]) <= 6 and not (set(others) & _MONEY_WORDS):
            return PaymentRef("last_digits", digits[0], provider)
    return None


def _digits_after(toks: list[str], keys: list[str], start: int) -> str | None:
    """The 2–6 digit value within the few words after a "last" word (the count skipped)."""
    for j in range(start, min(len(toks), start + 5)):
        tok = toks[j]
        if tok.isdigit():
            nxt = keys[j + 1] if j + 1 < len(toks) else ""
            if nxt in _MONEY_WORDS:
                return None  # "last 500 taka": an amount
            if len(tok) == 1:
                continue  # the count: "শেষের ৪ সংখ্যা"
            if 2 <= len(tok) <= 6:
                return tok
            return None
        if keys[j] not in _COUNT_WORDS:
            return None
    return None
