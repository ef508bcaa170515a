"""bot/book: every check at its file:line, and the frozen book."""

from __future__ import annotations

import dataclasses
import textwrap
from pathlib import Path

import pytest

from bot.book.compiler import (
    ANSWER_TYPES,
    INTENT_ACTIONS,
    START_TRIGGERS,
    STEP_KINDS,
    Button,
    Card,
    Choice,
    Intent,
    Step,
    book_from_string,
    check,
    check_string,
    load_book,
)
from bot.conversation import runner
from bot.errors import FlowError
from bot.text import validators

ROOT = Path(__file__).resolve().parents[2]

HEAD = """\
settings:
  business: {bn: স্বপ্ন ফ্যাশন, en: Shopno Fashion}
  languages: [bn, en]
flows:
  welcome:
    start_on: [get_started, first_message]
    steps:
"""  # the first step is on line 8


def yaml_of(steps: str = "- end", tail: str = "") -> str:
    return HEAD + textwrap.indent(textwrap.dedent(steps).strip("\n"), "      ") + "\n" + tail


def problems(steps: str = "- end", tail: str = "") -> list[str]:
    return [str(p) for p in check_string(yaml_of(steps, tail))]


def test_a_minimal_book_has_no_problems():
    assert problems() == []


# --- the rules, one by one -------------------------------------------------------------------


def test_syntax_error_is_reported_at_its_line():
    assert problems('- say: "আসসালামু আলাইকুম\n- end') == [
        "flows.yaml:8: YAML syntax: a quote or bracket that is never closed"
    ]


def test_duplicate_keys_name_both_lines():
    found = problems("- say: hi\n  say: hello")
    assert found == [
        "flows.yaml:9: duplicate key 'say' (first on line 8); the second one would silently replace the first"
    ]


@pytest.mark.parametrize(
    ("steps", "expected"),
    [
        ("- id: need\n  ask: {bn: কী চান?, en: What?}\n  choises: {a: A}",
         "flows.yaml:10: unknown key 'choises' in an ask step (did you mean choices?); it may have: ask, id, "
         "choices, type, optional, invalid, score"),
        ("- if: score > 1\n  than: [end]",
         "flows.yaml:9: unknown key 'than' in an if step (did you mean then?); it may have: if, id, then, else"),
    ],
)  # fmt: skip
def test_unknown_keys_are_reported_at_their_own_line_with_a_suggestion(steps, expected):
    assert expected in problems(steps)


def test_unknown_top_level_section_is_reported_with_a_suggestion():
    found = problems(tail="folowups: []\n")
    assert found == [
        "flows.yaml:9: unknown key 'folowups' in the main file (did you mean followups?); it may have: "
        "include, settings, stages, intents, flows, followups, greeting, ice_breakers, menu, canned, "
        "tests, attachments, comments"
    ]


def test_unknown_step_kind():
    assert problems("- sya: hello") == [
        "flows.yaml:8: unknown step kind 'sya' (did you mean say?); a step is one of say, ask, if, goto, "
        "stage, handoff, label, end"
    ]


def test_two_kinds_in_one_step():
    assert problems("- say: hi\n  goto: welcome") == [
        "flows.yaml:9: one step cannot be both say and goto: make them two steps, each starting with '- '"
    ]


@pytest.mark.parametrize(
    ("steps", "tail", "expected"),
    [
        ("- id: budget\n  ask: {bn: বাজেট?, en: Budget?}\n  type: number\n  score: high", "",
         "flows.yaml:11: score should be a number or a list of {if: …, add: …} rules, not 'high'"),
        ("- id: budget\n  ask: {bn: বাজেট?, en: Budget?}\n  type: nubmer", "",
         "flows.yaml:10: type should be one of text, number, phone, email, date, yes_no, district, payment_ref, not 'nubmer' "
         "(did you mean number?)"),
        ("- id: ok\n  ask: {bn: ঠিক?, en: OK?}\n  optional: হ্যাঁ", "",
         "flows.yaml:10: optional should be true or false, not 'হ্যাঁ'"),
    ],
)  # fmt: skip
def test_wrong_types_in_steps(steps, tail, expected):
    assert expected in problems(steps, tail)


def test_wrong_types_in_settings():
    text = HEAD.replace(
        "  languages: [bn, en]\n",
        "  languages: [bn, en]\n  max_retries: -1\n  qualify_score: high\n",
    )
    assert [str(p) for p in check_string(text + "      - end\n")] == [
        "flows.yaml:4: max_retries should be at least 1, not -1",
        "flows.yaml:5: qualify_score should be a whole number, not 'high'",
    ]


def test_goto_to_an_unknown_flow():
    assert problems(
        "- goto: catlog", "  catalog:\n    start_on: [postback:CATALOG]\n    steps: [end]\n"
    ) == ["flows.yaml:8: goto: no flow named 'catlog' (did you mean catalog?)"]


def test_stage_to_an_unknown_stage():
    assert problems("- stage: qualifed") == [
        "flows.yaml:8: stage: no stage named 'qualifed' (did you mean qualified?); stages are new, "
        "qualified, proposal, negotiation, converted, post_sales, lost"
    ]


@pytest.mark.parametrize(
    ("key", "fixed"),
    [("two words", "two_words"), ("শাড়ি", "name"), ("1st", None)],
)
def test_choice_keys_must_be_simple_names(key, fixed):
    found = problems(
        "- id: need\n  ask: {bn: কী?, en: What?}\n  choices:\n"
        + f"    '{key}': {{bn: এক, en: One}}"
    )
    assert found[0].startswith(f"flows.yaml:11: choice key {key!r} should be a simple name")
    if fixed:
        assert found[0].endswith(f"(for example {fixed})")


def test_a_quick_reply_label_over_20_characters_is_an_error():
    found = problems(
        "- id: need\n  ask: {bn: কী?, en: What?}\n  choices:\n    saree: {bn: শাড়ি, en: A saree for a wedding party}"
    )
    assert found == ["flows.yaml:11: choice 'saree' is 27 characters in en; Messenger allows 20"]


def test_more_than_13_choices_is_an_error():
    choices = "".join(f"    c{i}: {{bn: ক{i}, en: C{i}}}\n" for i in range(14))
    found = problems("- id: need\n  ask: {bn: কী?, en: What?}\n  choices:\n" + choices)
    assert found == ["flows.yaml:10: 14 choices; Messenger shows at most 13 quick replies"]


BUTTON = "{title: {bn: দেখুন, en: Look}, url: 'https://example.com'}"


@pytest.mark.parametrize(
    ("steps", "expected"),
    [
        (f"- say: {{bn: দেখুন, en: Look}}\n  buttons: [{BUTTON}, {BUTTON}, {BUTTON}, {BUTTON}]",
         "flows.yaml:9: 4 buttons; Messenger allows at most 3"),
        ("- say: {bn: দেখুন, en: Look}\n  buttons:\n    - {title: {bn: দেখুন, en: Have a look at this one}, flow: welcome}",
         "flows.yaml:10: the button title is 23 characters in en; Messenger allows 20"),
        ("- say: {bn: দেখুন, en: Look}\n  buttons:\n    - {title: {bn: দেখুন, en: Look}}",
         "flows.yaml:10: a button needs exactly one of url:, flow:, payload: or intent:"),
        ("- cards:\n" + "    - {title: {bn: শাড়ি, en: Saree}}\n" * 11,
         "flows.yaml:8: 11 cards; Messenger shows at most 10 in a carousel"),
        ("- cards:\n    - title: {bn: শাড়ি, en: " + "S" * 81 + "}",
         "flows.yaml:9: the card title is 81 characters in en; Messenger allows 80"),
        ("- cards:\n    - {title: শাড়ি, subtitle: {bn: ক, en: " + "s" * 90 + "}}",
         "flows.yaml:9: the card subtitle is 90 characters in en; Messenger allows 80"),
        ("- cards:\n    - {title: {bn: শাড়ি, en: Saree}, price: '৪,৫০০'}",
         "flows.yaml:9: price should be a number like 4500, not '৪,৫০০'"),
        ("- say: {bn: ক, en: " + "x" * 2001 + "}",
         "flows.yaml:8: the say text is 2001 characters in en; Messenger allows 2000"),
        ("- say: {bn: ক, en: " + "x" * 641 + "}\n  buttons: [" + BUTTON + "]",
         "flows.yaml:8: the say text is 641 characters in en; Messenger allows 640"),
    ],
)  # fmt: skip
def test_messenger_limits(steps, expected):
    assert expected in problems(steps)


@pytest.mark.parametrize(
    ("text", "language"),
    [("{bn: স্বাগতম}", "English text (en:)"), ("{en: Welcome}", "Bangla text (bn:)")],
)
def test_a_missing_translation_names_the_language(text, language):
    assert problems(f"- say: {text}") == [
        f"flows.yaml:8: the say text has no {language}; settings.languages is [bn, en], so every "
        "text needs each of them"
    ]


def test_a_bangla_only_plain_string_is_a_warning_in_a_bilingual_book():
    assert problems("- say: স্বাগতম") == [
        "flows.yaml:8: warning: the say text is only in Bangla; English-speaking customers get it as "
        "it is (write {bn: …, en: …})"
    ]


UNREACHABLE = (
    "this step is never reached: {} on line {} leaves the flow; move it above, or remove it"
)


@pytest.mark.parametrize(
    ("steps", "line", "why", "left"),
    [
        ("- end\n- say: hi", 9, "the end step", 8),
        ("- goto: welcome\n- say: hi", 9, "the goto step", 8),
        ("- handoff: true\n- say: hi", 9, "the handoff step", 8),
        ("- if: score > 10\n  then: [end]\n  else: [goto: welcome]\n- say: hi", 11,
         "every branch of the if step", 8),
        ("- if: score > 10\n  then:\n    - end\n    - say: hi", 11, "the end step", 10),
        ("- end\n- say: hi\n- say: again", 9, "the end step", 8),  # once per block
    ],
)  # fmt: skip
def test_unreachable_steps_are_errors(steps, line, why, left):
    assert problems(steps) == [f"flows.yaml:{line}: " + UNREACHABLE.format(why, left)]
    with pytest.raises(FlowError):
        book_from_string(yaml_of(steps))


def test_an_unreachable_step_fails_check_but_a_flow_nothing_leads_to_does_not(tmp_path):
    path = tmp_path / "flows.yaml"
    path.write_text(yaml_of("- end\n- say: hi"), "utf-8")
    book, found = load_book(str(path))
    assert book is None and [p.severity for p in found] == ["error"]
    path.write_text(yaml_of(tail="  orphan: [end]\n"), "utf-8")
    book, found = load_book(str(path))
    assert book is not None and [p.severity for p in found] == ["warning"]


def test_an_if_with_one_open_branch_does_not_make_the_next_step_unreachable():
    assert problems("- if: score > 10\n  then: [end]\n- say: hi") == []


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ("budget >= = 5", "cannot read the condition 'budget >= = 5': unknown operator '=' (did you mean '=='?) at column 11"),
        ("budgt >= 5000", "the condition 'budgt >= 5000' uses 'budgt', which is no question id, setting or "
         "built-in name (did you mean budget?); it can use question ids, score, stage, language, labels and settings"),
        ("answers.budgt > 1", "the condition 'answers.budgt > 1' reads answers.budgt, but no question has that id (did you mean budget?)"),
    ],
)  # fmt: skip
def test_conditions_that_do_not_parse_or_name_unknown_things(condition, expected):
    found = problems(
        "- id: budget\n  ask: {bn: বাজেট?, en: Budget?}\n  type: number\n"
        + f'- if: "{condition}"\n  then: [end]'
    )
    assert found == [f"flows.yaml:11: {expected}"]


@pytest.mark.parametrize(
    "condition",
    ["score >= qualify_score", "budget >= 5000 and need in ['saree']", "stage == 'new'", "language == 'bn'",
     "'vip' in labels", "bkash != null", "max_retries > 1", "answers.budget > 1"],
)  # fmt: skip
def test_known_names_in_conditions(condition):
    asks = "- id: budget\n  ask: {bn: বাজেট?, en: Budget?}\n  type: number\n- id: need\n  ask: {bn: কী?, en: What?}\n"
    text = yaml_of(asks + f'- if: "{condition}"\n  then: [end]')
    assert (
        check_string(
            text.replace("  languages: [bn, en]\n", "  languages: [bn, en]\n  bkash: 01711223344\n")
        )
        == []
    )


def test_score_rule_conditions_are_checked_too():
    found = problems(
        '- id: budget\n  ask: {bn: বাজেট?, en: Budget?}\n  type: number\n  score:\n    - {if: "budjet >= 5000", add: 30}\n    - {add: 5}'
    )
    assert found[0].startswith("flows.yaml:12: the condition 'budjet >= 5000' uses 'budjet'")


def test_unknown_placeholders_are_errors():
    found = problems("- say: {bn: 'হ্যালো {firstname}', en: 'Hi {first_name}, {business} {score}'}")
    assert found == [
        "flows.yaml:8: {firstname} in the bn text is no question id or setting (did you mean "
        "first_name?); customers would see it as written"
    ]


def test_a_followup_after_24_hours_explains_the_messenger_window():
    found = problems(
        tail="followups:\n  - stage: new\n    after: 1d\n    say: {bn: আছেন?, en: Still there?}\n"
    )
    assert found == [
        "flows.yaml:11: after: 1d is 24 hours or more: Messenger lets a page write only within 24 hours of "
        "the customer's last message. The message tags that allowed later messages were withdrawn in "
        "April 2026, and HUMAN_AGENT is only for a person's own replies, so this follow-up could never "
        "be sent; use less than 24h (e.g. 20h)"
    ]


@pytest.mark.parametrize(
    ("after", "seconds"),
    [("3h", 10800), ("30m", 1800), ("90s", 90), ("1h30m", 5400), ("৩h", 10800)],
)
def test_followup_durations(after, seconds):
    book = book_from_string(
        yaml_of(tail=f"followups:\n  - {{after: {after}, say: {{bn: আছেন?, en: There?}}}}\n")
    )
    assert book.followups[0].after == seconds


def test_a_flow_nobody_can_start_is_a_warning():
    assert problems(tail="  orphan:\n    steps: [end]\n") == [
        "flows.yaml:9: warning: flow 'orphan' can never start: it has no start_on, and no goto, button, "
        "choice or intent leads to it"
    ]


def test_a_flow_reached_by_a_button_choice_or_intent_is_not_an_orphan():
    steps = ("- say: {bn: দেখুন, en: Look}\n  buttons: [{title: {bn: অর্ডার, en: Order}, flow: order}]\n"
             "- id: need\n  ask: {bn: কী?, en: What?}\n  choices:\n    x: {bn: ক, en: X, goto: sizes}")  # fmt: skip
    tail = ("  order: [end]\n  sizes: [end]\n  faq: [end]\n"
            "intents:\n  - {id: faq, match: [faq], do: goto, goto: faq}\n")  # fmt: skip
    assert problems(steps, tail) == []


@pytest.mark.parametrize(
    ("start_on", "expected"),
    [
        ("[get_start]", "unknown start_on 'get_start' (did you mean get_started?); use get_started, "
         "first_message, ice_breaker:<id>, referral:<ref> or postback:<PAYLOAD>"),
        ('["referral:"]', "start_on 'referral:': referral needs a value after ':'"),
        ('["first_message:x"]', "start_on 'first_message:x': first_message takes nothing after ':'"),
    ],
)  # fmt: skip
def test_start_on_values_come_from_start_triggers(start_on, expected):
    text = yaml_of().replace("[get_started, first_message]", start_on)
    assert f"flows.yaml:6: {expected}" in [str(p) for p in check_string(text)]


def test_an_ask_without_id_is_a_warning():
    assert problems("- ask: {bn: নাম কী?, en: Your name?}") == [
        "flows.yaml:8: warning: give this question an id so its answer is saved by name (it is "
        "'welcome.1' for now, which changes when steps move)"
    ]


@pytest.mark.parametrize(
    ("hours", "expected"),
    [
        ("{days: [sat, sunday], open: '10:00', close: '21:00'}",
         "unknown day 'sunday' (did you mean sun?); days are sat, sun, mon, tue, wed, thu, fri"),
        ("{open: 10, close: '21:00'}", 'open should be a time like "10:00" (24-hour), not the number 10'),
        ("{open: '10:00', close: '25:00'}", "close should be a time like \"10:00\" (24-hour), not '25:00'"),
        ("{open: '10:00', shut: '21:00'}", "unknown key 'shut' in hours; it may have: days, open, close"),
    ],
)  # fmt: skip
def test_malformed_hours(hours, expected):
    text = HEAD.replace("  languages: [bn, en]\n", f"  languages: [bn, en]\n  hours: {hours}\n")
    assert f"flows.yaml:4: {expected}" in [str(p) for p in check_string(text + "      - end\n")]


def test_an_unknown_timezone():
    text = HEAD.replace(
        "  languages: [bn, en]\n", "  languages: [bn, en]\n  timezone: Asia/Dhakka\n"
    )
    assert [str(p) for p in check_string(text + "      - end\n")] == [
        "flows.yaml:4: unknown timezone 'Asia/Dhakka' (did you mean Asia/Dhaka?) (for Bangladesh: Asia/Dhaka)"
    ]


def test_a_language_other_than_bn_and_en_is_a_warning():
    text = HEAD.replace("[bn, en]", "[bn, hi]").replace("en: Shopno Fashion", "hi: Shopno Fashion")
    assert [str(p) for p in check_string(text + "      - end\n")] == [
        "flows.yaml:3: warning: language 'hi': Barta speaks bn and en, so its own messages to these "
        "customers will be in English"
    ]


def test_more_than_4_ice_breakers():
    items = "".join(f"  - {{id: q{i}, question: {{bn: প্রশ্ন, en: Question}}}}\n" for i in range(5))
    found = problems(tail="ice_breakers:\n" + items)
    assert "flows.yaml:9: 5 ice breakers; Messenger shows at most 4" in found


def test_more_than_20_menu_items():
    items = "".join(
        f"  - {{title: {{bn: মেনু, en: Menu}}, url: 'https://example.com/{i}'}}\n" for i in range(21)
    )
    assert problems(tail="menu:\n" + items) == [
        "flows.yaml:9: 21 menu items; Messenger allows at most 20"
    ]


def test_an_intent_with_an_empty_match():
    found = problems(tail="intents:\n  - id: price\n    match: []\n    say: {bn: দাম, en: Price}\n")
    assert found == [
        "flows.yaml:11: intent 'price' matches nothing: give match: a word or a list of words"
    ]


@pytest.mark.parametrize(
    ("steps", "tail", "expected"),
    [
        ("- id: phone\n  ask: {bn: ফোন?, en: Phone?}\n  type: phone\n- id: phone\n  ask: {bn: আবার?, en: Again?}", "",
         "flows.yaml:11: id 'phone' is used twice in welcome (first on line 8)"),
        ("- end", "intents:\n  - {id: human, match: [human], do: handoff}\n  - {id: human, match: [manush], do: handoff}\n",
         "flows.yaml:11: intent id 'human' is used twice (first on line 10)"),
        ("- end", "followups:\n  - {id: nudge, after: 3h, say: {bn: ক, en: A}}\n  - {id: nudge, after: 5h, say: {bn: খ, en: B}}\n",
         "flows.yaml:11: follow-up id 'nudge' is used twice (first on line 10); give each one its own id:"),
        ("- end", "ice_breakers:\n  - {id: a, question: {bn: ক, en: A}}\n  - {id: a, question: {bn: খ, en: B}}\n",
         "flows.yaml:11: ice breaker id 'a' is used twice"),
    ],
)  # fmt: skip
def test_duplicate_ids(steps, tail, expected):
    assert expected in problems(steps, tail)


def test_a_duplicate_flow_id_across_files(tmp_path):
    main = tmp_path / "flows.yaml"
    main.write_text(yaml_of() + "include: [more.yaml]\n", "utf-8")
    (tmp_path / "more.yaml").write_text("flows:\n  welcome: [end]\n", "utf-8")
    assert [str(p) for p in check(str(main))] == [
        f"{tmp_path / 'more.yaml'}:2: flow 'welcome' is defined twice (first in {main}:5)"
    ]


def test_an_ask_id_may_not_be_a_built_in_name():
    assert "flows.yaml:8: id 'score' is a built-in name; choose another" in problems(
        "- id: score\n  ask: {bn: কত?, en: How many?}"
    )


def test_on_enter_may_only_say():
    tail = "stages:\n  new: {bn: নতুন, en: New}\n  post_sales:\n    name: {bn: বিক্রয়-পরবর্তী, en: Post-sales}\n    on_enter:\n      - id: rating\n        ask: {bn: কেমন লাগল?, en: How was it?}\n"
    found = problems(tail=tail)
    assert found[0].startswith("flows.yaml:14: on_enter may only say")


def test_every_problem_is_found_not_only_the_first():
    found = problems(
        "- sya: hi\n- goto: nowhere\n- stage: nowhere", "followups:\n  - {after: 2d, say: x}\n"
    )
    assert [p.split(":")[1] for p in found] == ["8", "9", "10", "10", "12"]  # 10: unreachable too


def test_errors_fail_the_load_and_warnings_do_not(tmp_path):
    path = tmp_path / "flows.yaml"
    path.write_text(yaml_of("- ask: {bn: নাম?, en: Name?}"), "utf-8")
    book, found = load_book(str(path))
    assert book is not None and [p.severity for p in found] == ["warning"]
    path.write_text(yaml_of("- goto: nowhere"), "utf-8")
    book, found = load_book(str(path))
    assert book is None and [p.severity for p in found] == ["error"]


def test_book_from_string_raises_flow_error_listing_the_problems():
    with pytest.raises(FlowError) as e:
        book_from_string(yaml_of("- goto: nowhere\n- stage: nowhere"))
    assert [p.severity for p in e.value.problems] == ["error", "error", "error"]
    assert str(e.value).splitlines()[1] == "flows.yaml:8: goto: no flow named 'nowhere'"


# --- a good book, compiled -----------------------------------------------------------------

GOOD = """\
settings:
  business: {bn: স্বপ্ন ফ্যাশন, en: Shopno Fashion}
  languages: [bn, en]
  qualify_score: 40
  bkash: 01711223344
  hours: {days: [sat, sun], open: "10:00", close: "21:00"}
intents:
  - id: human
    match: [মানুষ, human]
    do: handoff
  - id: english
    match: [English]
    do: language
    language: en
  - {id: sizes, match: [size, সাইজ], goto: sizes}
flows:
  welcome:
    start_on: [get_started, first_message]
    steps:
      - say: {bn: "আসসালামু আলাইকুম!", en: "Hello!"}
        buttons:
          - {title: {bn: সাইজ, en: Sizes}, flow: sizes}
          - {title: {bn: ওয়েবসাইট, en: Website}, url: "https://example.com"}
      - id: need
        ask: {bn: কী খুঁজছেন?, en: What are you looking for?}
        choices:
          saree: {bn: শাড়ি, en: Saree, score: 20}
          other: অন্য
      - if: "need == 'saree'"
        then:
          - id: budget
            ask: {bn: বাজেট?, en: Budget?}
            type: number
            score:
              - {if: "budget >= 5000", add: 30}
              - {add: 5}
          - handoff: {bn: একটু অপেক্ষা করুন, en: Please wait}
            priority: high
        else:
          - handoff: true
  sizes:
    steps:
      - cards:
          - title: {bn: লাল কাতান, en: Red katan}
            price: 4500
            buttons: [{title: {bn: অর্ডার, en: Order}, payload: ORDER}]
  order:
    start_on: [postback:ORDER]
    steps: [end]
"""


@pytest.fixture(scope="module")
def good():
    return book_from_string(GOOD)


def test_a_good_book_compiles_to_the_expected_steps(good):
    welcome = good.flows["welcome"]
    assert (welcome.file, welcome.line, welcome.start_on) == (
        "flows.yaml",
        17,
        ("get_started", "first_message"),
    )
    say, need, branch = welcome.steps
    assert say == Step(
        "say", "welcome.1", "flows.yaml", 20, text={"bn": "আসসালামু আলাইকুম!", "en": "Hello!"},
        buttons=(Button({"bn": "সাইজ", "en": "Sizes"}, payload="FLOW:sizes"),
                 Button({"bn": "ওয়েবসাইট", "en": "Website"}, url="https://example.com")),
    )  # fmt: skip
    assert need.choices == (
        Choice("saree", {"bn": "শাড়ি", "en": "Saree"}, 20),
        Choice("other", {"bn": "অন্য"}),
    )
    budget, handoff = branch.then
    assert budget.id == "budget" and budget.type == "number" and budget.line == 31
    assert [(r.cond.source if r.cond else None, r.add) for r in budget.score] == [
        ("budget >= 5000", 30),
        (None, 5),
    ]
    assert (handoff.kind, handoff.text, handoff.priority, handoff.id) == (
        "handoff",
        {"bn": "একটু অপেক্ষা করুন", "en": "Please wait"},
        "high",
        "welcome.3.then.2",
    )
    assert branch.else_ == (Step("handoff", "welcome.3.else.1", "flows.yaml", 40),)
    assert good.flows["sizes"].steps[0].cards == (
        Card({"bn": "লাল কাতান", "en": "Red katan"}, price=4500.0,
             buttons=(Button({"bn": "অর্ডার", "en": "Order"}, payload="ORDER"),)),
    )  # fmt: skip


def test_asks_map_ids_to_paths_the_flow_can_follow(good):
    welcome = good.flows["welcome"]
    assert dict(welcome.asks) == {"need": (1,), "budget": (2, "then", 0)}
    for ask_id, path in welcome.asks.items():
        assert welcome.at(path).id == ask_id


def test_settings_intents_and_default_stages(good):
    s = good.settings
    assert s.business == {"bn": "স্বপ্ন ফ্যাশন", "en": "Shopno Fashion"}
    assert (s.languages, s.timezone, s.currency, s.qualify_score, s.max_retries) == (
        ("bn", "en"),
        "Asia/Dhaka",
        "BDT",
        40,
        2,
    )
    assert dict(s.hours) == {"days": ("sat", "sun"), "open": "10:00", "close": "21:00"}
    assert s.extra == {"bkash": "01711223344"}
    assert [(i.id, i.do, i.goto, i.language) for i in good.intents] == [
        ("human", "handoff", None, None), ("english", "language", None, "en"), ("sizes", "goto", "sizes", None)]  # fmt: skip
    assert [st.id for st in good.stages] == [
        "new",
        "qualified",
        "proposal",
        "negotiation",
        "converted",
        "post_sales",
        "lost",
    ]
    assert good.stage("negotiation").name == {"bn": "আলোচনা", "en": "Follow-up"}
    assert [f.id for f in good.flows_for("postback:ORDER")] == ["order"]
    assert good.flows_for("referral:nothing") == []


def test_the_book_is_frozen(good):
    with pytest.raises(dataclasses.FrozenInstanceError):
        good.flows["welcome"].steps[0].kind = "ask"  # type: ignore[misc]
    with pytest.raises(TypeError):
        good.flows["welcome"].steps[0].text["bn"] = "x"  # type: ignore[index]
    with pytest.raises(TypeError):
        good.flows["new"] = None  # type: ignore[index]


@pytest.mark.parametrize(
    ("handoff", "text"),
    [("true", None), ("{bn: অপেক্ষা করুন, en: Please wait}", {"bn": "অপেক্ষা করুন", "en": "Please wait"}),
     ("null", None)],
)  # fmt: skip
def test_handoff_shapes(handoff, text):
    step = book_from_string(yaml_of(f"- handoff: {handoff}")).flows["welcome"].steps[0]
    assert (step.kind, step.text, step.priority, step.reason) == ("handoff", text, "normal", None)


def test_registries_are_the_ones_the_runner_and_validators_use():
    assert set(STEP_KINDS) == set(runner.STEP_RUNNERS)
    assert ANSWER_TYPES is validators.VALIDATORS
    assert set(INTENT_ACTIONS) == {"handoff", "opt_out", "goto", "language"}
    assert set(START_TRIGGERS) == {
        "get_started",
        "first_message",
        "ice_breaker",
        "referral",
        "postback",
    }


# --- the shipped flows -------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [ROOT / "flows.yaml", *sorted((ROOT / "flows" / "examples").glob("*.yaml"))],
    ids=lambda p: p.name,
)
def test_shipped_flows_pass_check(path):
    errors = [str(p) for p in check(str(path)) if p.severity == "error"]
    assert errors == []


def test_text_cut_at_a_comma_inside_braces_gets_a_hint():
    found = problems("- say: {bn: হাতে বোনা, ব্লাউজসহ, en: Handwoven}")
    assert found == [
        "flows.yaml:8: unknown key 'ব্লাউজসহ' in the say text (inside { }, a comma starts a new key: "
        "put text that has commas in quotes)"
    ]


@pytest.mark.parametrize(
    ("intent", "expected"),
    [
        ("{id: sizes, match: [সাইজ], do: goto}", "flows.yaml:10: do: goto needs goto: <flow id>"),
        (
            "{id: en, match: [English], do: language}",
            "flows.yaml:10: do: language needs language: bn or en",
        ),
        ("{id: dam, match: [দাম]}", "flows.yaml:10: intent 'dam' does nothing: give it say: or do:"),
        (
            "{match: [দাম], say: দাম}",
            "flows.yaml:10: give this intent an id (staff see it as the reason of a handoff)",
        ),
    ],
)
def test_intent_actions_need_their_fields(intent, expected):
    assert expected in problems(tail=f"intents:\n  - {intent}\n")


def test_an_intent_word_matched_earlier_is_a_warning():
    tail = "intents:\n  - {id: price, match: [দাম], say: {bn: দাম, en: Price}}\n  - {id: cost, match: [দাম], say: {bn: খরচ, en: Cost}}\n"
    assert problems(tail=tail) == [
        "flows.yaml:11: warning: intent 'cost': 'দাম' is also matched by intent 'price' (line 10), which is tried first"
    ]


INTENT_TAIL = "  sizes: [end]\nintents:\n  - {}\n"


GOTO_SIZES = Intent("sizes", ("সাইজ",), None, "goto", "sizes", "normal", "flows.yaml", 11, None)
LANGUAGE_EN = Intent("en", ("English",), None, "language", None, "normal", "flows.yaml", 11, "en")


@pytest.mark.parametrize(
    ("intent", "expected"),
    [
        ("{id: sizes, match: [সাইজ], do: {goto: sizes}}", GOTO_SIZES),
        ("{id: sizes, match: [সাইজ], do: goto, goto: sizes}", GOTO_SIZES),
        ("{id: sizes, match: [সাইজ], goto: sizes}", GOTO_SIZES),
        ("{id: en, match: [English], do: {language: en}}", LANGUAGE_EN),
        ("{id: en, match: [English], do: language, language: en}", LANGUAGE_EN),
        ("{id: en, match: [English], language: en}", LANGUAGE_EN),
    ],
)
def test_an_intent_may_do_goto_or_language_as_a_map_word_and_key_or_key_alone(intent, expected):
    book = book_from_string(yaml_of(tail=INTENT_TAIL.format(intent)))
    assert book.intents == (expected,)


@pytest.mark.parametrize(
    ("intent", "expected"),
    [
        ("{id: sizes, match: [সাইজ], do: {goto: size}}",
         "flows.yaml:11: intent 'sizes' goto: no flow named 'size' (did you mean sizes?)"),
        ("{id: sizes, match: [সাইজ], do: {goto: sizes, language: en}}",
         "flows.yaml:11: do: holds one action, not 2; do: is handoff, opt_out, goto (or {goto: "
         "<flow>}) or language (or {language: en})"),
        ("{id: sizes, match: [সাইজ], do: {handoff: true}}",
         "flows.yaml:11: do: handoff takes no value; write do: handoff"),
        ("{id: sizes, match: [সাইজ], do: {gotoo: sizes}}",
         "flows.yaml:11: unknown action 'gotoo' in do: (did you mean goto?); do: is handoff, opt_out, "
         "goto (or {goto: <flow>}) or language (or {language: en})"),
        ("{id: sizes, match: [সাইজ], do: {goto: sizes}, goto: sizes}",
         "flows.yaml:11: goto: is given twice, inside do: and beside it; keep one"),
        ("{id: sizes, match: [সাইজ], do: {goto: }}", "flows.yaml:11: do: goto needs goto: <flow id>"),
    ],
)  # fmt: skip
def test_a_wrong_do_map_is_reported(intent, expected):
    assert expected in problems(tail=INTENT_TAIL.format(intent))


# --- choice match: words and the names a type: district question saves ----------------------

DISTRICT_STEPS = """\
- id: area
  ask: {bn: কোথায়?, en: Where?}
  type: district
- if: "area_zone == 'inside_dhaka' and area_area != null"
  then:
    - say: {bn: "{area_area}, {area}: ৬০ টাকা", en: "{area_area}, {area}: Tk 60"}"""


def test_a_district_question_names_its_area_and_zone_for_conditions_and_texts():
    assert problems(DISTRICT_STEPS) == []


def test_a_typo_in_a_district_answer_name_is_flagged():
    found = problems(DISTRICT_STEPS.replace("area_zone ==", "area_zon =="))
    assert any("area_zon" in p and "did you mean area_zone" in p for p in found), found


def test_the_area_and_zone_names_exist_only_beside_a_district_question():
    found = problems(DISTRICT_STEPS.replace("type: district", "type: text"))
    assert any("area_zone" in p for p in found), found


def test_choice_match_words_are_read_and_checked():
    steps = (
        "- id: need\n  ask: {bn: কী?, en: What?}\n  choices:\n"
        "    saree: {bn: শাড়ি, en: Saree, match: [jamdani, জামদানি]}\n"
        "    kurti: {bn: কুর্তি, en: Kurti, match: tops}\n"
    )
    assert problems(steps) == []
    book = book_from_string(yaml_of(steps))
    flow = book.flows["welcome"]
    choices = flow.at(flow.asks["need"]).choices
    assert [c.match for c in choices] == [("jamdani", "জামদানি"), ("tops",)]
    found = problems(steps.replace("match: tops", "match: {a: b}"))
    assert any("match: should be a word or a list of words" in p for p in found), found


# --- a flow's title ----------------------------------------------------------------------


def test_a_flow_title_is_a_text_per_language_or_plain():
    text = HEAD.replace("  welcome:\n", "  welcome:\n    title: {bn: স্বাগত, en: Welcome}\n")
    book = book_from_string(text + "      - end\n")
    assert dict(book.flows["welcome"].title) == {"bn": "স্বাগত", "en": "Welcome"}
    plain = HEAD.replace("  welcome:\n", "  welcome:\n    title: Welcome\n")
    assert dict(book_from_string(plain + "      - end\n").flows["welcome"].title) == {
        "bn": "Welcome"
    }
    assert book_from_string(yaml_of()).flows["welcome"].title is None


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("[Order]", "flows.yaml:6: the title of flow 'welcome' should be text, or {bn: …, en: …}, not a list"),
        ("{bn: অর্ডার}", "flows.yaml:6: the title of flow 'welcome' has no English text (en:)"),
        ("{bn: অর্ডার, ইংরেজি: Order}", "flows.yaml:6: unknown key 'ইংরেজি' in the title of flow 'welcome'"),
    ],
)  # fmt: skip
def test_a_wrong_flow_title_is_reported_at_its_line(title, expected):
    text = HEAD.replace("  welcome:\n", f"  welcome:\n    title: {title}\n")
    found = [str(p) for p in check_string(text + "      - end\n")]
    assert any(p.startswith(expected) for p in found), found


def test_an_unknown_flow_key_is_still_reported_with_title_among_the_allowed():
    text = HEAD.replace("  welcome:\n", "  welcome:\n    titel: Welcome\n")
    found = [str(p) for p in check_string(text + "      - end\n")]
    assert found == [
        "flows.yaml:6: unknown key 'titel' in flow 'welcome' (did you mean title?); it may have: "
        "title, start_on, steps, description"
    ]
