"""Golden conversations: `python app.py test`, `check` playing them, their shape checks."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from bot.book.compiler import check_string
from bot.cli import cli
from bot.conversation.golden import check

ROOT = Path(__file__).resolve().parents[2]

FLOWS = """\
settings:
  business: Test
flows:
  welcome:
    start_on: [first_message]
    steps:
      - say: {bn: "স্বাগতম!", en: "Welcome!"}
      - id: need
        ask: {bn: "কী খুঁজছেন?", en: "What do you need?"}
        choices:
          saree: {bn: শাড়ি, en: Saree}
          kurti: {bn: কুর্তি, en: Kurti}
tests:
  - name: bangla choice
    steps:
      - customer: "হ্যালো"
        bot: ["স্বাগতম"]
      - tap: শাড়ি
    expect: {answers: {need: saree}, handoff: false, stage: new}
"""

FAILING = """\
  - name: wrong
    lang: en
    steps:
      - customer: "hello"
        bot: ["Bonjour"]
    expect: {stage: new, handoff: true}
"""


def _write(tmp_path, text: str) -> str:
    path = tmp_path / "flows.yaml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_passing_tests_exit_0(tmp_path):
    path = _write(tmp_path, FLOWS)
    result = CliRunner().invoke(cli, ["test", path])
    assert result.exit_code == 0, result.output
    assert "1 test(s) passed" in result.output


def test_a_failure_is_reported_at_its_step_and_expect_lines_and_exits_1(tmp_path):
    path = _write(tmp_path, FLOWS + FAILING)
    result = CliRunner().invoke(cli, ["test", path])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert (
        f"{path}:23: test 'wrong': the bot's reply does not contain 'Bonjour'; it said: "
        "Welcome! / What do you need? / Saree / Kurti"
    ) in lines
    assert f"{path}:25: test 'wrong': handoff is 'false', expected 'true'" in lines


def test_check_plays_the_tests_and_a_failure_is_an_error(tmp_path):
    path = _write(tmp_path, FLOWS + FAILING)
    problems = check(path)[1]
    assert [p.line for p in problems if p.is_error] == [23, 25]
    result = CliRunner().invoke(cli, ["check", path])
    assert result.exit_code == 1


def test_a_tap_on_a_button_that_is_not_there(tmp_path):
    text = FLOWS.replace("      - tap: শাড়ি", "      - tap: জুতা")
    result = CliRunner().invoke(cli, ["test", _write(tmp_path, text)])
    assert result.exit_code == 1
    assert ":18: test 'bangla choice': the bot offered no button 'জুতা' to tap" in result.output


def test_shape_problems_are_at_their_lines():
    text = FLOWS + (
        "  - name: bangla choice\n"  # 20
        "    steps: []\n"  # 21
        "  - name: bad\n"  # 22
        "    steps:\n"
        "      - bot: [hi]\n"  # 24
        "    expect: {stage: sold}\n"  # 25
    )
    found = [str(p) for p in check_string(text)]
    assert "flows.yaml:20: test 'bangla choice' is written twice (first on line 14)" in found
    assert (
        "flows.yaml:21: test 'bangla choice' has no steps: give at least one '- customer: …'"
        in found
    )
    assert (
        "flows.yaml:24: each test step needs exactly one of customer:, tap: or postback:" in found
    )
    assert any(p.startswith("flows.yaml:25: expect stage 'sold' is not a stage") for p in found)


def test_the_demo_and_the_examples_pass_their_tests():
    for name in ("flows.yaml", "flows/examples/cake_shop.yaml", "flows/examples/tutoring.yaml"):
        result = CliRunner().invoke(cli, ["test", str(ROOT / name)])
        assert result.exit_code == 0, result.output
        count = re.search(r"(\d+) test\(s\) passed", result.output)
        assert count and int(count.group(1)) >= 12, result.output  # a dozen each at least


def test_a_number_from_settings_has_bangla_digits_for_bangla_customers(tmp_path):
    text = """\
settings:
  business: Test
  delivery_charge: 70
flows:
  welcome:
    start_on: [first_message]
    steps:
      - say: {bn: "ডেলিভারি চার্জ {delivery_charge} টাকা", en: "Delivery is Tk {delivery_charge}"}
tests:
  - name: Bangla
    lang: bn
    steps:
      - customer: "হ্যালো"
        bot: ["ডেলিভারি চার্জ ৭০ টাকা"]
  - name: English
    lang: en
    steps:
      - customer: "hello"
        bot: ["Delivery is Tk 70"]
"""
    result = CliRunner().invoke(cli, ["test", _write(tmp_path, text)])
    assert result.exit_code == 0, result.output
