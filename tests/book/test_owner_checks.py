"""check catches what customers would see (issue 14): each message at its file:line."""

from __future__ import annotations

from bot.book.compiler import check, check_string

HEAD = """\
settings:
  business: X
  bkash: "01711223344"
flows:
  welcome:
    start_on: [first_message]
    steps:
"""  # the first step is on line 8


def found(steps: str) -> list[str]:
    return [str(p) for p in check_string(HEAD + steps)]


def test_a_text_cut_by_a_hashtag():
    out = found("      - say: {bn: আজ কী খুঁজছেন? #ঈদ_অফার চলছে, en: Hi}\n")
    assert any(
        p.startswith("flows.yaml:8: the text stops at '#': YAML reads ' #ঈদ_অফার চলছে, en: Hi}'")
        and p.endswith("put the whole text in quotes")
        for p in out
    ), out


def test_a_hashtag_in_quotes_and_an_ordinary_comment_are_fine():
    out = found('      - say: {bn: "অফার #ঈদ", en: "Offer #eid"}   # a comment\n')
    assert out == []


def test_an_unknown_placeholder_is_an_error_with_did_you_mean():
    out = found('      - say: {bn: "বিকাশ {bkas}", en: "bKash {bkash}"}\n')
    assert out == [
        "flows.yaml:8: {bkas} in the bn text is no question id or setting (did you mean bkash?); "
        "customers would see it as written"
    ]


CHOICE = """\
      - id: product
        ask: {bn: "কোনটি?", en: "Which?"}
        choices:
          three_piece: {bn: থ্রি-পিস, en: Three-piece}
          saree: {bn: শাড়ি, en: Saree}
"""  # lines 8-12


def test_a_label_compared_instead_of_the_key():
    out = found(CHOICE + "      - if: \"product == 'থ্রি-পিস'\"\n        then: [{say: hi}]\n")
    assert out == [
        "flows.yaml:13: product is compared with the label 'থ্রি-পিস', but a choice saves its key: "
        "use the key 'three_piece', as in product == 'three_piece'"
    ]
    assert (
        found(CHOICE + "      - if: \"product == 'three_piece'\"\n        then: [{say: hi}]\n")
        == []
    )


def test_curly_quotes_in_an_if_are_an_error():
    out = found(CHOICE + '      - if: "product == ‘saree’"\n        then: [{say: hi}]\n')
    assert out == [
        "flows.yaml:13: the condition 'product == ‘saree’' has curly quotes (“ ” ‘ ’): write "
        "straight quotes ' or \""
    ]


def test_curly_quotes_around_a_text_are_a_warning():
    out = found("      - say: {bn: “হ্যালো”, en: hello}\n")
    assert out == [
        "flows.yaml:8: warning: the bn text is wrapped in curly quotes (“ ” ‘ ’), which customers "
        "would see; write straight quotes \" or ', or none"
    ]


def test_more_than_15_questions_in_a_flow():
    asks = "".join(
        f"      - id: q{i}\n        ask: {{bn: প্রশ্ন, en: Question}}\n" for i in range(16)
    )
    out = found(asks)
    assert out == [
        "flows.yaml:5: warning: flow 'welcome' asks 16 questions; good practice is at most 10 to 15 "
        "in one go (customers give up on long forms): split it, or make some optional"
    ]
    assert found("".join(asks.splitlines(keepends=True)[:30])) == []


def test_a_missing_colon_is_reported_on_its_own_line():
    text = HEAD.replace("    steps:\n", "    steps\n") + "      - say: hi\n"
    assert [str(p) for p in check_string(text)] == [
        "flows.yaml:7: a ':' is missing after 'steps' (write 'steps:')"
    ]


def test_a_bangla_visarga_for_a_colon_is_named():
    out = found("      - sayঃ hello\n")
    assert (
        "flows.yaml:8: 'sayঃ' has a Bangla visarga (ঃ) where YAML needs an English colon: write 'say:'"
        in out
    )


def test_an_unknown_key_takes_the_right_article():
    out = found("      - id: need\n        ask: {bn: কী?, en: What?}\n        choises: {a: A}\n")
    assert any("unknown key 'choises' in an ask step" in p for p in out), out


def test_a_duplicate_intent_across_files_names_the_first_file_and_line(tmp_path):
    main = tmp_path / "flows.yaml"
    more = tmp_path / "more.yaml"
    main.write_text(
        HEAD + "      - say: hi\nintents:\n  - id: price\n    match: [dam]\n    say: ৫০০\n"
        "include: [more.yaml]\n",
        encoding="utf-8",
    )
    more.write_text("intents:\n  - id: price\n    match: [price]\n    say: 500\n", encoding="utf-8")
    out = [str(p) for p in check(str(main)) if p.is_error]
    assert out == [f"{more}:2: intent id 'price' is used twice (first in {main}:10)"]


def test_check_lang_bn_speaks_bangla(tmp_path):
    from click.testing import CliRunner

    from bot.book import messages
    from bot.cli import cli

    path = tmp_path / "flows.yaml"
    path.write_text(HEAD + '      - say: {bn: "বিকাশ {bkas}", en: "bKash {bkash}"}\n', "utf-8")
    try:
        result = CliRunner().invoke(cli, ["check", "--lang", "bn", str(path)])
    finally:
        messages.use_language("en")
    assert result.exit_code == 1
    assert (
        f"{path}:8: bn লেখার {{bkas}} কোনো প্রশ্নের id বা সেটিং নয় (আপনি কি bkash বোঝাতে "
        "চেয়েছেন?); কাস্টমার এটি হুবহু দেখবেন"
    ) in result.output
    assert "১টি ভুল, ০টি সতর্কতা" in result.output


def test_a_hash_inside_a_text_block_is_text():
    out = found(
        "      - say: |\n          সময়: ১০টা #অফার\n          আসুন #ঈদ\n      - say: hi #oops\n"
    )
    assert [p.split(" the text stops")[0] for p in out if "the text stops" in p] == [
        "flows.yaml:11:"
    ]


def test_a_label_in_an_in_list():
    out = found(
        CHOICE + "      - if: \"product in ['saree', 'থ্রি-পিস']\"\n        then: [{say: hi}]\n"
    )
    assert out == [
        "flows.yaml:13: product is compared with the label 'থ্রি-পিস', but a choice saves its key: "
        "use the key 'three_piece', as in product == 'three_piece'"
    ]
