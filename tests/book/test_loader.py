"""bot/loader.py: YAML 1.2-ish scalars, duplicate keys, line marks, includes, syntax errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.book.loader import Map, Problem, Seq, load, load_string, parse

FLOWS = Path(__file__).resolve().parents[1] / "flows"


@pytest.mark.parametrize(
    ("yaml_text", "expected"),
    [
        ("bkash: 01711223344", "01711223344"),  # YAML 1.1 reads this as an octal number
        ("bkash: ০১৭১১২২৩৩৪৪", "০১৭১১২২৩৩৪৪"),
        ("open: 10:30", "10:30"),  # YAML 1.1: base 60, 630
        ("answer: no", "no"),
        ("answer: yes", "yes"),
        ("answer: on", "on"),
        ("answer: না", "না"),
        ("when: 2026-03-01", "2026-03-01"),
        ("code: 012", "012"),
        ("flag: true", True),
        ("flag: False", False),
        ("n: 12", 12),
        ("n: -3", -3),
        ("n: 0", 0),
        ("price: 4500.50", 4500.5),
        ("x: null", None),
        ("x: ~", None),
    ],
)
def test_scalars_are_typed_like_yaml_1_2(yaml_text, expected):
    value, problems = parse(yaml_text, "f.yaml")
    assert problems == []
    got = next(iter(value.values()))
    assert got == expected and type(got) is type(expected)


def test_keys_yes_and_no_stay_words():
    value, _ = parse("choices:\n  yes: হ্যাঁ\n  no: না\n", "f.yaml")
    assert list(value["choices"]) == ["yes", "no"]


def test_duplicate_keys_name_both_lines_and_all_are_found():
    text = "intents:\n  human: 1\n  price: 2\n  human: 3\nflows:\n  a: 1\n  a: 2\n"
    value, problems = parse(text, "flows.yaml")
    assert [str(p) for p in problems] == [
        "flows.yaml:4: duplicate key 'human' (first on line 2); the second one would silently replace the first",
        "flows.yaml:7: duplicate key 'a' (first on line 6); the second one would silently replace the first",
    ]
    assert value["intents"] == {"human": 1, "price": 2}  # the first one is kept


def test_maps_and_lists_record_their_file_and_lines():
    text = "settings:\n  business: দোকান\n\nflows:\n  welcome:\n    steps:\n      - say: hi\n      - end\n"
    value, _ = parse(text, "flows.yaml")
    assert isinstance(value, Map) and value.file == "flows.yaml"
    assert value.where("flows") == ("flows.yaml", 4)
    assert value["settings"].where("business") == ("flows.yaml", 2)
    steps = value["flows"]["welcome"]["steps"]
    assert isinstance(steps, Seq)
    assert steps.item_lines == [7, 8]
    assert steps.where(1) == ("flows.yaml", 8)


@pytest.mark.parametrize(
    ("yaml_text", "line", "message"),
    [
        ("a: 1\nb:\n  c: 2\n d: 3\n", 4, "a line that is indented like a key but is not one"),
        ('a: "not closed\nb: 2\n', 1, "a quote or bracket that is never closed"),
        ("a:\n\t- x\n", 2, "a tab character: indent with spaces only"),
        ("say: দাম: ১০০ টাকা\n", 1, "a ':' where YAML does not expect one (put text that contains "
         "': ' in quotes, or check the indentation)"),
        ("x: [1, 2\ny: 3\n", 1, "this [ is never closed (YAML noticed on line 2: it was still "
         "looking for , or ])"),
        ("x: [1, 2}\n", 1, "a '[' list that is not closed with ']' on the same item"),
    ],
)  # fmt: skip
def test_a_syntax_error_is_one_problem_at_its_line(yaml_text, line, message):
    value, problems = parse(yaml_text, "flows.yaml")
    assert value is None
    assert problems == [Problem("flows.yaml", line, f"YAML syntax: {message}")]


@pytest.mark.parametrize(
    ("yaml_text", "line", "noticed", "bracket"),
    [
        ("a: 1\n" * 7 + "b: {x: 1, y: 2\nc: 3\n", 8, 9, "{"),
        ("steps:\n  - {say: hi\n  - end\n", 2, 4, "{"),
        ("flows:\n  a: [end, say: hi\n  b: [end]\n", 2, 3, "["),
        ("a: {\n  b: 1,\n  c: 2\n", 1, 4, "{"),
    ],
)
def test_an_unclosed_flow_collection_is_reported_where_it_opens(yaml_text, line, noticed, bracket):
    value, problems = parse(yaml_text, "flows.yaml")
    closer = "}" if bracket == "{" else "]"
    assert value is None
    assert [str(p) for p in problems] == [
        f"flows.yaml:{line}: YAML syntax: this {bracket} is never closed (YAML noticed on line "
        f"{noticed}: it was still looking for , or {closer})"
    ]


def test_problem_prints_as_file_line_message():
    assert str(Problem("flows.yaml", 3, "bad")) == "flows.yaml:3: bad"
    assert str(Problem("flows.yaml", 3, "odd", "warning")) == "flows.yaml:3: warning: odd"


def test_includes_are_relative_to_the_including_file_and_keep_their_own_lines():
    tree, problems = load(str(FLOWS / "include" / "main.yaml"))
    main = str(FLOWS / "include" / "main.yaml")
    a = str(FLOWS / "include" / "parts" / "a.yaml")
    b = str(FLOWS / "include" / "parts" / "b.yaml")
    extra = str(FLOWS / "include" / "extra.yaml")
    # b.yaml is matched by main's glob first, so extra's own include of it is a repeat
    assert [str(p) for p in problems] == [f"{extra}:1: warning: {b} is already included"]
    assert tree.files == (main, a, b, extra)
    flows = tree.root["flows"]
    assert list(flows) == ["main_flow", "part_a", "part_b"]
    assert flows.where("main_flow") == (main, 6)
    assert flows.where("part_a") == (a, 3)
    assert flows["part_a"]["steps"].where(0) == (a, 5)
    assert flows.where("part_b") == (b, 4)
    assert tree.root["intents"].where(0) == (a, 7)
    assert tree.root["canned"]["thanks"] == "ধন্যবাদ"
    assert tree.root["followups"].where(0) == (extra, 3)
    assert "include" not in tree.root


def test_a_missing_include_and_an_empty_pattern_are_problems_not_crashes(tmp_path):
    main = tmp_path / "flows.yaml"
    main.write_text("include: [nope.yaml, flows/*.yaml]\nflows: {}\n", "utf-8")
    tree, problems = load(str(main))
    assert tree is not None
    assert [str(p) for p in problems] == [
        f"{main}:1: file not found: {tmp_path / 'nope.yaml'}",
        f"{main}:1: warning: include 'flows/*.yaml' matches no file",
    ]


def test_an_include_cycle_is_a_problem(tmp_path):
    (tmp_path / "a.yaml").write_text("include: [b.yaml]\n", "utf-8")
    (tmp_path / "b.yaml").write_text("flows: {}\ninclude:\n  - a.yaml\n", "utf-8")
    tree, problems = load(str(tmp_path / "a.yaml"))
    assert tree is not None
    assert [str(p) for p in problems] == [
        f"{tmp_path / 'b.yaml'}:3: include cycle: a.yaml → b.yaml → a.yaml"
    ]


def test_a_glob_that_matches_the_including_file_skips_it(tmp_path):
    (tmp_path / "flows.yaml").write_text("include: ['*.yaml']\nflows: {a: [end]}\n", "utf-8")
    (tmp_path / "more.yaml").write_text("flows: {b: [end]}\n", "utf-8")
    tree, problems = load(str(tmp_path / "flows.yaml"))
    assert problems == []
    assert list(tree.root["flows"]) == ["a", "b"]


def test_an_included_file_may_not_hold_settings(tmp_path):
    (tmp_path / "flows.yaml").write_text("include: [more.yaml]\n", "utf-8")
    (tmp_path / "more.yaml").write_text("flows: {}\nsettings:\n  business: x\n", "utf-8")
    _, problems = load(str(tmp_path / "flows.yaml"))
    assert [str(p) for p in problems] == [
        f"{tmp_path / 'more.yaml'}:2: settings: belongs in the main file; an included file may "
        "hold flows, canned, intents, followups, tests"
    ]


def test_a_flow_defined_in_two_files_names_the_first(tmp_path):
    (tmp_path / "flows.yaml").write_text("flows:\n  order: [end]\ninclude: [more.yaml]\n", "utf-8")
    (tmp_path / "more.yaml").write_text("\nflows:\n  order: [end]\n", "utf-8")
    _, problems = load(str(tmp_path / "flows.yaml"))
    assert [str(p) for p in problems] == [
        f"{tmp_path / 'more.yaml'}:3: flow 'order' is defined twice (first in {tmp_path / 'flows.yaml'}:2)"
    ]


def test_a_syntax_error_in_an_included_file_points_into_that_file(tmp_path):
    (tmp_path / "flows.yaml").write_text("include: [more.yaml]\nflows: {a: [end]}\n", "utf-8")
    (tmp_path / "more.yaml").write_text("flows:\n  b:\n    - say: 'open\n", "utf-8")
    tree, problems = load(str(tmp_path / "flows.yaml"))
    assert tree is not None and list(tree.root["flows"]) == ["a"]
    assert [str(p) for p in problems] == [
        f"{tmp_path / 'more.yaml'}:3: YAML syntax: a quote or bracket that is never closed"
    ]


def test_a_missing_main_file_is_a_problem():
    tree, problems = load("/nonexistent/flows.yaml")
    assert tree is None
    assert [str(p) for p in problems] == [
        "/nonexistent/flows.yaml:1: file not found: /nonexistent/flows.yaml"
    ]


def test_load_string_reads_includes_relative_to_its_name(tmp_path):
    (tmp_path / "more.yaml").write_text("flows:\n  b: [end]\n", "utf-8")
    tree, problems = load_string("include: [more.yaml]\n", str(tmp_path / "flows.yaml"))
    assert problems == []
    assert list(tree.root["flows"]) == ["b"]
