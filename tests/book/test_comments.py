"""The comments: section (issue 15): compiled into rules, checked at file:line."""

from __future__ import annotations

from bot.book.compiler import book_from_string, check_string

HEAD = """\
settings:
  business: {bn: "রংধনু", en: "Rongdhonu"}
  languages: [bn, en]
flows:
  welcome:
    start_on: [first_message]
    steps:
      - ask: {bn: "কী খুঁজছেন?", en: "What are you looking for?"}
        id: need
comments:
"""  # the first rule is on line 11

GOOD = """\
  - match: [price, dam, দাম, koto, inbox, ইনবক্স]
    posts: [all]
    skip_posts: [122145678901234567]
    reply: {bn: ["ইনবক্সে জানিয়েছি 😊", "ইনবক্স চেক করুন প্লিজ 🙏"], en: ["Sent you a message 😊"]}
    private: {bn: "আসসালামু আলাইকুম! দাম ২,৪৫০ টাকা।", en: "Hello! It is Tk 2,450."}
    flow: welcome
    hide_phone: true
"""


def found(rules: str) -> list[str]:
    return [str(p) for p in check_string(HEAD + rules)]


def test_a_good_section_compiles_into_rules():
    assert found(GOOD) == []
    rule = book_from_string(HEAD + GOOD).comments[0]
    assert rule.match == ("price", "dam", "দাম", "koto", "inbox", "ইনবক্স")
    assert rule.posts == () and rule.skip_posts == ("122145678901234567",)
    assert rule.reply["bn"] == ("ইনবক্সে জানিয়েছি 😊", "ইনবক্স চেক করুন প্লিজ 🙏")
    assert rule.private["en"] == "Hello! It is Tk 2,450."
    assert rule.flow == "welcome" and rule.hide_phone
    assert rule.channels == ("facebook", "instagram")
    assert rule.line == 11


def test_no_section_is_no_rules():
    assert book_from_string(HEAD.replace("comments:\n", "")).comments == ()


def test_an_unknown_flow_is_named_at_its_line():
    out = found(GOOD.replace("flow: welcome", "flow: welcom"))
    assert any(p.startswith("flows.yaml:16:") and "welcom" in p for p in out), out


def test_a_missing_language_and_an_unknown_one():
    out = found('  - private: {bn: "দাম ২,৪৫০ টাকা"}\n')
    assert any(p.startswith("flows.yaml:11:") and "en" in p for p in out), out
    out = found('  - reply: {bn: ["ঠিক আছে"], eng: ["OK"]}\n')
    assert any(p.startswith("flows.yaml:11:") and "'eng'" in p for p in out), out


def test_a_post_id_that_is_no_id():
    out = found(GOOD.replace("skip_posts: [122145678901234567]", "skip_posts: [eid-offer]"))
    assert any(p.startswith("flows.yaml:13:") and "'eid-offer' is not a post id" in p for p in out)


def test_a_rule_that_does_nothing_and_a_flow_without_private():
    out = found("  - match: [dam]\n")
    assert out == ["flows.yaml:11: comments rule 1 does nothing: give it private:, reply: or "
                   "hide_phone: true"]  # fmt: skip
    out = found('  - reply: "ইনবক্স চেক করুন"\n    flow: welcome\n')
    assert any("flows.yaml:12:" in p and "add private:" in p for p in out), out


def test_a_private_text_too_long_for_instagram_in_bytes():
    long_bn = "ক" * 400  # 1200 bytes: fine on Messenger, not in one Instagram message
    out = found(f'  - private: {{bn: "{long_bn}", en: "Hello"}}\n')
    assert any("1200 bytes" in p and "Instagram" in p for p in out), out
    out = found(f'  - private: {{bn: "{long_bn}", en: "Hello"}}\n    channels: [facebook]\n')
    assert out == []


def test_a_rule_after_a_catch_all_is_never_reached():
    rules = '  - reply: "ইনবক্স চেক করুন"\n  - match: [dam]\n    reply: "দাম ইনবক্সে"\n'
    out = found(rules)
    assert any(p.startswith("flows.yaml:12:") and "line 11" in p for p in out), out


def test_the_demo_shop_answers_dam_koto():
    from pathlib import Path

    from bot.book.compiler import load_book
    from bot.conversation.comments import rule_for

    root = Path(__file__).resolve().parents[2]
    book, problems = load_book(str(root / "flows.yaml"))
    assert book is not None, problems
    assert book.comments
    post = "105511223344556_122145678901234567"
    assert rule_for(book, "facebook", post, "dam koto?") is not None
    assert rule_for(book, "facebook", post, "দাম কত?") is not None
    assert rule_for(book, "instagram", "17912345678901234", "price koto apu? DM plz") is not None
