"""Tests for bot/text/smalltalk.py: salam, greetings, thanks, acknowledgements, goodbyes."""

import pytest

from bot.text.smalltalk import KINDS, SmallTalk, classify, reply, small_talk

WHOLE = {
    "salam": [
        "আসসালামু আলাইকুম", "আস্সালামু আলাইকুম", "আসসালামুয়ালাইকুম", "আসসালামু আলাইকুম ভাই",
        "সালাম", "assalamu alaikum", "Assalamualaikum", "asalamualaikum", "Assalamu Alaykum!",
        "slm", "Salam vai", "as-salamu alaikum", "আসসালামু আলাইকুম ওয়া রাহমাতুল্লাহ",
        "aslm apu",
    ],
    "salam_reply": [
        "ওয়ালাইকুম আসসালাম", "ওয়ালাইকুমুস সালাম", "ওয়া আলাইকুমুস সালাম", "walaikum salam",
        "Walaikumussalam", "wa alaikum assalam", "Wa alaikumus salam vai", "walaikum assalam",
        "wslm",
    ],
    "greeting": [
        "hi", "Hi!", "hello", "Hellow", "hlw", "hey", "হাই", "হ্যালো", "হেলো ভাই",
        "good morning", "Good evening sir", "শুভ সকাল", "শুভ সন্ধ্যা", "হ্যালো আপু", "hii",
    ],
    "thanks": [
        "ধন্যবাদ", "ধন্যবাদ ভাই", "অনেক ধন্যবাদ", "অনেক অনেক ধন্যবাদ", "thanks", "Thank you",
        "thank you so much", "thanks a lot", "tnx", "thx", "Thnx vai", "dhonnobad",
        "donnobad apu", "শুকরিয়া", "জাযাকাল্লাহ", "জাজাকাল্লাহু খাইরান", "jazakallah khair",
        "ok thanks", "ওকে ধন্যবাদ", "thank u", "Thanks 😊", "🙏", "ধন্যবাদ 🙏",
        "জি, ধন্যবাদ",
    ],
    "ack": [
        "ok", "Ok", "OK.", "okay", "okk", "okkk", "ওকে", "জি", "জ্বি", "জী", "হুম", "hmm",
        "hmmm", "আচ্ছা", "ঠিক আছে", "ঠিকাছে", "thik ache", "thik ase", "accha", "acha",
        "জি আচ্ছা", "ওকে ভাই", "আচ্ছা ঠিক আছে", "বুঝেছি", "got it", "alright", "👍", "🙂",
        "😊", "❤️", "👍👍", "👌", "😍", "ok 👍", "হুম্ম", "ji vai", "okay sir",
    ],
    "bye": [
        "আল্লাহ হাফেজ", "আল্লাহ হাফিজ", "bye", "Bye bye", "allah hafez", "Allah Hafiz",
        "খোদা হাফেজ", "ভালো থাকবেন", "take care", "good night", "ধন্যবাদ, আল্লাহ হাফেজ",
        "ok bye", "valo thakben",
    ],
}  # fmt: skip


@pytest.mark.parametrize(
    ("text", "kind"), [(t, kind) for kind, texts in WHOLE.items() for t in texts]
)
def test_whole_messages_of_small_talk_are_classified(text, kind):
    assert classify(text) == kind
    st = small_talk(text)
    assert st is not None and st.whole


@pytest.mark.parametrize(
    ("text", "kind", "rest"),
    [
        ("ধন্যবাদ, দাম কত?", "thanks", ("দাম", "কত")),
        ("আসসালামু আলাইকুম, শাড়ির দাম কত?", "salam", ("শাড়ির", "দাম", "কত")),
        ("hi, dam koto?", "greeting", ("dam", "koto")),
        ("ok, ঢাকা", "ack", ("ঢাকা",)),
        ("জি ভাই, জামদানি আছে?", "ack", ("জামদানি", "আছে")),
        ("thanks, I want a saree", "thanks", ("i", "want", "a", "saree")),
        ("না ধন্যবাদ", "thanks", ("না",)),
        ("ওয়ালাইকুম আসসালাম, অর্ডার করতে চাই", "salam_reply", ("অর্ডার", "করতে", "চাই")),
        ("hello vai delivery charge koto", "greeting", ("delivery", "charge", "koto")),
        ("ok 01711223344", "ack", ("01711223344",)),
    ],
)
def test_small_talk_with_more_returns_the_rest(text, kind, rest):
    st = small_talk(text)
    assert st == SmallTalk(kind, rest)
    assert classify(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "দাম কত?", "শাড়ি", "২৫ হাজার", "01711223344", "ঢাকা", "jamdani", "না", "no",
        "ভাই দাম কত", "বাজেট ৫০০০", "অসহ্য", "😡", "😭😭", "ok 😡", "", "   ", "ki ki ache",
        "ভাই", "vai", "apu", "হ্যাঁ",
    ],
)  # fmt: skip
def test_other_messages_are_not_small_talk(text):
    assert classify(text) is None


def test_fillers_alone_are_not_small_talk():
    assert small_talk("ভাই আপু") is None


def test_fillers_away_from_small_talk_stay_in_the_rest():
    assert small_talk("ধন্যবাদ, ভাই দাম কত") == SmallTalk("thanks", ("দাম", "কত"))
    assert small_talk("ধন্যবাদ, দাম কত ভাই") == SmallTalk("thanks", ("দাম", "কত", "ভাই"))


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("lang", ["bn", "en"])
def test_every_kind_has_replies_in_both_languages(kind, lang):
    after, before = reply(kind, lang), reply(kind, lang, asking=True)
    if kind == "ack":
        assert after is None and before is None
    else:
        assert after, (kind, lang)


def test_replies_read_naturally():
    assert reply("salam", "bn", asking=True) == "ওয়ালাইকুম আসসালাম! 😊"
    assert reply("thanks", "bn") == "আপনাকেও ধন্যবাদ! 😊"
    assert reply("thanks", "en") == "You're welcome! 😊"
    assert reply("salam_reply", "bn", asking=True) is None  # the question itself follows
    assert reply("greeting", "fr") == reply("greeting", "en")


def test_unknown_kind_is_an_error():
    with pytest.raises(KeyError):
        reply("weather", "bn")
