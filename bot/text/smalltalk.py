"""Small talk and acknowledgements: salam, greetings, thanks, ok/জি/হুম, goodbyes, emoji.

``small_talk(text)`` finds the small-talk words of a message and returns their kind with
the words left over, so the caller decides: nothing left over (``classify`` returns the
kind) means the whole message is small talk — reply from ``reply()`` and ask the pending
question again; words left over ("ধন্যবাদ, দাম কত?" → thanks + ``("দাম", "কত")``) mean
the message carries more, and the leftover is handled as an ordinary message (the
reply to the small talk may go first).

When one message holds several kinds ("ok thanks", "ধন্যবাদ, আল্লাহ হাফেজ"), the one that
most needs an answer wins, in ``PRIORITY`` order. Forms of address and intensifiers (ভাই,
আপু, sir, অনেক, so much …) count as small talk only beside a small-talk word.

An emoji-only message is ``ack`` (🙏 is ``thanks``, 👋 ``greeting``), unless it is an angry
or sad face, which is None (the caller should treat it as a real message). At a yes/no
question, try the answer first: "জি" and "ok" are also "yes".
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from bot.text.norm import canon_latin, normalize

KINDS = ("salam", "salam_reply", "greeting", "thanks", "ack", "bye")
# Which kind a mixed message counts as: the one that most needs its own reply.
PRIORITY = ("salam_reply", "salam", "bye", "thanks", "greeting", "ack")

_PHRASES: dict[str, tuple[str, ...]] = {
    "salam": (
        "আসসালামু আলাইকুম", "আসসালামুয়ালাইকুম", "আসসালামু আলায়কুম", "আস সালামু আলাইকুম",
        "আসসালামুআলাইকুম", "আসসালামু আলাইকুম ওয়া রাহমাতুল্লাহ", "সালাম", "আসসালাম",
        "স্লামালিকুম", "সালামালাইকুম",
        "assalamu alaikum", "assalamualaikum", "asalamualaikum", "assalamu alaykum",
        "as salamu alaikum", "aslamualaikum", "assalamualikum", "asslamualaikum",
        "salamualaikum", "salam alaikum", "salam", "slm", "aslm", "asslm", "salaam",
        "assalam", "assalamu alaikum wa rahmatullah", "salam vai",
    ),
    "salam_reply": (
        "ওয়ালাইকুম আসসালাম", "ওয়ালাইকুমুস সালাম", "ওয়া আলাইকুমুস সালাম", "ওয়ালাইকুম সালাম",
        "ওয়ালাইকুমুসসালাম", "ওয়ালাইকুম আস সালাম", "ওলাইকুম আসসালাম",
        "walaikum salam", "walaikum assalam", "wa alaikum assalam", "walaikumussalam",
        "wa alaikumus salam", "walaikum as salam", "wa alaikum salam", "walaikumassalam",
        "wslm", "walaikum", "wa alaikum", "walaykum salam", "waalaikumsalam",
    ),
    "greeting": (
        "hi", "hii", "hiii", "hello", "helo", "hellow", "hlw", "hlo", "hey", "hy", "hai",
        "good morning", "good afternoon", "good evening", "gm", "morning",
        "হাই", "হ্যালো", "হেলো", "হ্যালো হ্যালো", "হাই হ্যালো", "হ্যালো ভাই",
        "শুভ সকাল", "শুভ দুপুর", "শুভ সন্ধ্যা", "শুভ বিকাল", "গুড মর্নিং", "গুড ইভিনিং",
        "নমস্কার", "নমস্তে", "আদাব", "namaskar", "adab",
    ),
    "thanks": (
        "ধন্যবাদ", "ধন্নবাদ", "ধন্যবাদ ভাই", "অনেক ধন্যবাদ", "ধন্যবাদান্তে", "থ্যাংকস",
        "থ্যাংক ইউ", "থ্যাঙ্ক ইউ", "থ্যাংকু", "শুকরিয়া", "শোকরিয়া", "জাযাকাল্লাহ",
        "জাজাকাল্লাহ", "জাযাকাল্লাহু খাইরান", "জাজাকাল্লাহু খাইরান", "জাযাকাল্লাহ খাইর",
        "thanks", "thank you", "thank u", "thanku", "thankyou", "thnx", "thnks", "tnx", "thx",
        "tnq", "tq", "ty", "thanks a lot", "many thanks", "dhonnobad", "dhonnobaad",
        "donnobad", "dhonyobad", "dhonnyobad", "dhonnobad vai", "shukriya", "sukriya",
        "shukria", "jazakallah", "jazakallahu khair", "jazakallah khair", "jajakallah",
        "jajakallahu khairan", "thanks vai", "tanks",
    ),
    "ack": (
        "ok", "okay", "okey", "okk", "oki", "okie", "k", "kk", "oke", "okay vai", "ok vai",
        "ওকে", "ওক্কে", "ওকে ভাই", "জি", "জ্বি", "জী", "জ্বী", "জি আচ্ছা", "জি ভাই", "হুম",
        "হুমম", "হু", "হুঁ", "হ্যাঁ হ্যাঁ", "hmm", "hm", "hum", "humm", "আচ্ছা", "আচ্চা",
        "আচ্ছা ঠিক আছে", "ঠিক আছে", "ঠিকাছে", "ঠিক", "বুঝেছি", "বুঝলাম", "বুঝতে পেরেছি",
        "acha", "accha", "achha", "accha thik ache", "thik ache", "thik ase", "thik asey",
        "thik achhe", "tik ache", "thikache", "thik", "ji", "jee", "ji accha", "jii",
        "bujhchi", "bujhlam", "bujhsi", "got it", "alright", "all right", "fine", "noted",
        "sure", "cool", "nice", "great", "understood", "আলহামদুলিল্লাহ", "alhamdulillah",
        "মাশাআল্লাহ", "mashallah", "masha allah", "নাইস", "ভালো", "valo", "bhalo", "good",
    ),
    "bye": (
        "আল্লাহ হাফেজ", "আল্লাহ হাফিজ", "আল্লা হাফেজ", "খোদা হাফেজ", "খোদা হাফিজ",
        "ভালো থাকবেন", "ভালো থাকুন", "বাই", "বাই বাই", "টাটা", "শুভ রাত্রি", "ফি আমানিল্লাহ",
        "allah hafez", "allah hafiz", "allahafez", "khoda hafez", "khuda hafiz", "bye",
        "bye bye", "byee", "goodbye", "good bye", "see you", "see ya", "take care",
        "good night", "gn", "tata", "ta ta", "bhalo thakben", "valo thakben", "fi amanillah",
    ),
}  # fmt: skip

# Forms of address and intensifiers: small talk only beside a small-talk word.
_FILLERS = (
    "ভাই", "ভাইয়া", "আপু", "আপা", "স্যার", "ম্যাম", "ম্যাডাম", "বস", "অনেক", "অনেকগুলো",
    "আপনাকে", "আপনাকেও", "আপনাদের", "আপনাদেরকে", "আবারও", "দোস্ত", "ওয়া", "রাহমাতুল্লাহ",
    "রহমাতুল্লাহ", "রাহমাতুল্লাহি", "ওয়াবারাকাতুহ", "বারাকাতুহ", "জি",
    "vai", "bhai", "vaiya", "bhaiya", "apu", "apa", "sir", "madam", "mam", "maam", "boss",
    "dear", "brother", "bro", "sister", "sis", "onek", "so", "very", "much", "a", "lot",
    "lots", "you", "u", "again", "apnake", "apnakeo", "apnader", "wa", "rahmatullah",
    "rahmatullahi", "wabarakatuh", "barakatuh", "too", "all", "everyone", "dost", "ji",
)  # fmt: skip

_POSITIVE_EMOJI = {"🙏": "thanks", "👋": "greeting"}
# Faces that mean trouble are not an acknowledgement.
_NEGATIVE_EMOJI = frozenset("😡😠🤬😤😢😭😞😔😒🙁☹💔👎😩😫🤔😕😟")

_MAX_WORDS = 5  # the longest phrase, in words


def _fold(tok: str) -> str:
    if tok.isascii():
        return canon_latin(tok)
    # Hasanta, chandrabindu and long vowels vary freely in these words (জ্বি/জি, হুঁ/হু).
    return tok.translate(_BN_FOLD)


_BN_FOLD = str.maketrans({"্": None, "ঁ": None, "ী": "ি", "ূ": "ু", "\u09bc": None})


def _key(toks: list[str]) -> str:
    return "".join(_fold(t) for t in toks)


def _build() -> dict[str, str]:
    table: dict[str, str] = {}
    for kind in reversed(PRIORITY):  # a phrase in two lists keeps its higher kind
        for phrase in _PHRASES[kind]:
            table[_key(normalize(phrase).split())] = kind
    return table


_TABLE = _build()
_FILLER_KEYS = frozenset(_fold(t) for t in _FILLERS)


@dataclass(frozen=True)
class SmallTalk:
    kind: str  # one of KINDS
    rest: tuple[str, ...] = ()  # the message's other words (normalised tokens), in order

    @property
    def whole(self) -> bool:
        """Whether the message was nothing but small talk."""
        return not self.rest

    @property
    def rest_text(self) -> str:
        return " ".join(self.rest)


def _emoji_kind(text: str) -> str | None:
    chars = [ch for ch in text if not ch.isspace()]
    if not chars:
        return None
    if any(ch in _NEGATIVE_EMOJI for ch in chars):
        return None
    for ch, kind in _POSITIVE_EMOJI.items():
        if ch in chars:
            return kind
    if all(unicodedata.category(ch)[0] in "SPC" or ord(ch) in (0x200D, 0xFE0F) for ch in chars):
        return "ack"
    return None


@lru_cache(maxsize=4096)
def small_talk(text: str) -> SmallTalk | None:
    """The small-talk kind in a message and its other words; None when there is none."""
    toks = normalize(text).split()
    if not toks:
        kind = _emoji_kind(text)
        return SmallTalk(kind) if kind else None
    found: list[str] = []
    talk = [False] * len(toks)  # which tokens are small talk
    i = 0
    while i < len(toks):
        for n in range(min(_MAX_WORDS, len(toks) - i), 0, -1):
            kind = _TABLE.get(_key(toks[i : i + n]))
            if kind is not None:
                found.append(kind)
                talk[i : i + n] = [True] * n
                i += n
                break
        else:
            i += 1
    if not found:
        return None
    # A negative face beside the words ("ok 😡") is not small talk either.
    if any(ch in _NEGATIVE_EMOJI for ch in text):
        return None
    # Fillers next to small talk belong to it ("অনেক ধন্যবাদ ভাই"); elsewhere to the rest.
    changed = True
    while changed:
        changed = False
        for j, tok in enumerate(toks):
            if talk[j] or _fold(tok) not in _FILLER_KEYS:
                continue
            if (j > 0 and talk[j - 1]) or (j + 1 < len(toks) and talk[j + 1]):
                talk[j] = changed = True
    rest = tuple(t for t, is_talk in zip(toks, talk, strict=True) if not is_talk)
    return SmallTalk(min(found, key=PRIORITY.index), rest)


def classify(text: str) -> str | None:
    """The kind when the whole message is small talk (or emoji), else None."""
    st = small_talk(text)
    return st.kind if st is not None and st.whole else None


# (kind, language) -> (reply after a flow, reply before a repeated question); None: say nothing
_REPLIES: dict[tuple[str, str], tuple[str | None, str | None]] = {
    ("salam", "bn"): ("ওয়ালাইকুম আসসালাম! 😊 বলুন, কীভাবে সাহায্য করতে পারি?", "ওয়ালাইকুম আসসালাম! 😊"),
    ("salam", "en"): ("Wa alaikum assalam! 😊 How can we help you?", "Wa alaikum assalam! 😊"),
    ("salam_reply", "bn"): ("জি, বলুন, কীভাবে সাহায্য করতে পারি? 😊", None),
    ("salam_reply", "en"): ("How can we help you? 😊", None),
    ("greeting", "bn"): ("হ্যালো! 😊 বলুন, কীভাবে সাহায্য করতে পারি?", "হ্যালো! 😊"),
    ("greeting", "en"): ("Hello! 😊 How can we help you?", "Hello! 😊"),
    ("thanks", "bn"): ("আপনাকেও ধন্যবাদ! 😊", "আপনাকেও ধন্যবাদ! 😊"),
    ("thanks", "en"): ("You're welcome! 😊", "You're welcome! 😊"),
    ("ack", "bn"): (None, None),
    ("ack", "en"): (None, None),
    ("bye", "bn"): ("আল্লাহ হাফেজ, ভালো থাকবেন! 😊", "আল্লাহ হাফেজ, ভালো থাকবেন! 😊"),
    ("bye", "en"): ("Goodbye, take care! 😊", "Goodbye, take care! 😊"),
}  # fmt: skip


def reply(kind: str, lang: str, *, asking: bool = False) -> str | None:
    """A shop's short answer to small talk, or None for no reply.

    ``asking``: the pending question follows, so the reply is only the courtesy ("হ্যালো!"),
    not "how can we help". Languages other than bn fall back to English.
    """
    if kind not in KINDS:
        raise KeyError(kind)
    after, before = _REPLIES[(kind, "bn" if lang == "bn" else "en")]
    return before if asking else after
