"""Tests for bot/expr.py: the safe if: expression language."""

import pytest

from bot.book.expr import ExprError, parse

ENV = {
    "budget": 6000,
    "need": "saree",
    "score": 45,
    "qualify_score": 50,
    "language": "bn",
    "labels": ["vip", "dhaka"],
    "phone": None,
    "wants_delivery": True,
    "budget_text": "৬,০০০",
    "answers": {"budget": 2000, "size": {"chest": 40}},
    "color": "লাল",
}


@pytest.mark.parametrize(
    ("src", "expected"),
    [
        ("budget >= 5000", True),
        ("budget >= ৫০০০", True),
        ("budget < 5000", False),
        ("budget == 6000", True),
        ("budget != 6000", False),
        ("score >= qualify_score", False),
        ("score + 5 >= qualify_score", True),
        ("budget / 2 == 3000", True),
        ("budget * 2 - 2000 == 10000", True),
        ("-score < 0", True),
        ("need == 'saree'", True),
        ('need == "saree"', True),
        ("color == 'লাল'", True),
        ("need in ['saree', 'kurti']", True),
        ("need not in ['saree', 'kurti']", False),
        ("'vip' in labels", True),
        ("'gold' in labels", False),
        ("'sar' in need", True),
        ("budget >= 5000 and need in ['saree', 'kurti']", True),
        ("budget >= 9000 or need == 'saree'", True),
        ("not (budget >= 9000)", True),
        ("not budget >= 9000", True),
        ("wants_delivery == true", True),
        ("wants_delivery", True),
        ("not wants_delivery", False),
        ("(score >= 40 or budget > 1) and language == 'bn'", True),
        ("answers.budget >= 1500", True),
        ("answers.size.chest == 40", True),
        ("True AND need == 'saree'", True),  # keywords ignore case
        ("[1, 2] == [1, 2]", True),
        ("1.5 < 2", True),
        ("'a' < 'b'", True),
    ],
)
def test_evaluate(src, expected):
    assert parse(src).evaluate(ENV) == expected


@pytest.mark.parametrize(
    ("src", "expected"),
    [
        ("budget_text >= 5000", True),  # an answer stored as text with Bengali digits
        ("budget_text == 6000", True),
        ("'5000' < budget", True),
        ("6000 in ['6000', '7000']", True),
        ("budget_text in [6000]", True),
        ("'abc' == 5", False),
        ("'abc' != 5", True),
    ],
)
def test_numbers_and_numeric_strings_compare(src, expected):
    assert parse(src).evaluate(ENV) is expected


@pytest.mark.parametrize(
    ("src", "expected"),
    [
        ("missing == null", True),
        ("missing != null", False),
        ("phone == null", True),
        ("null == phone", True),
        ("budget != null", True),
        ("missing >= 5000", False),
        ("missing < 5000", False),
        ("missing == 'saree'", False),
        ("missing != 'saree'", False),
        ("missing in ['saree']", False),
        ("missing not in ['saree']", False),
        ("'vip' in missing", False),
        ("not missing", True),
        ("missing", None),
        ("missing.deeper.still == 1", False),
        ("need.deeper == null", True),
    ],
)
def test_missing_names_are_none_and_compare_false(src, expected):
    assert parse(src).evaluate(ENV) is expected


@pytest.mark.parametrize(
    "src",
    [
        "need > 5",
        "labels >= 2",
        "budget / 0 == 1",
        "need - 1 == 0",
        "[1] < 2",
        "5 in 5",
        "labels in labels",
    ],
)
def test_type_mismatches_are_false_not_errors(src):
    assert parse(src).evaluate(ENV) is False


def test_evaluate_never_raises_on_odd_environments():
    class Boom:
        def __bool__(self):
            raise RuntimeError("no truth")

        def __eq__(self, other):
            raise RuntimeError("no equality")

        __hash__ = object.__hash__

    env = {"x": Boom(), "d": {"k": Boom()}}
    for src in ["x", "not x", "x == 1", "x in [1, 2]", "x and 1", "d.k or 1", "x + 1 > 0"]:
        parse(src).evaluate(env)


@pytest.mark.parametrize(
    ("src", "names"),
    [
        ("budget >= 5000 and need in ['saree']", {"budget", "need"}),
        ("answers.budget > 1", {"answers.budget", "answers"}),
        ("score >= qualify_score", {"score", "qualify_score"}),
        ("1 == 1", set()),
    ],
)
def test_names_lists_what_the_expression_reads(src, names):
    assert parse(src).names == names


def test_parse_keeps_source_and_is_cached():
    e = parse("budget >= 5000")
    assert e.source == "budget >= 5000"
    assert parse("budget >= 5000") is e


@pytest.mark.parametrize(
    ("src", "message", "column"),
    [
        ("budget = 5", "unknown operator '=' (did you mean '=='?)", 7),
        ("a && b", "unknown operator '&&' (did you mean 'and'?)", 2),
        ("a || b", "unknown operator '||' (did you mean 'or'?)", 2),
        ("!a", "unknown operator '!' (did you mean 'not'?)", 0),
        ("a <> b", "unknown operator '<>' (did you mean '!='?)", 2),
        ("score >= 5 budget", "unexpected 'budget'", 11),
        ("(a == 1", "unclosed '('", 0),
        ("a == (1 + (2)", "unclosed '('", 5),
        ("a in [1, 2", "unclosed '['", 5),
        ("a == 1)", "unmatched ')'", 6),
        ("need == 'saree", "unclosed string '", 8),
        ("", "empty expression", 0),
        ("   ", "empty expression", 0),
        ("a < b < c", "comparisons cannot be chained; join them with 'and'", 6),
        ("need == শাড়ি", "unexpected 'শাড়ি' (put text in quotes: 'শাড়ি')", 8),
        ("a @ b", "unexpected character '@'", 2),
        ("not", "expression ends too early", 3),
        ("a ==", "expression ends too early", 4),
        ("1..2 > 1", "bad number '1..2'", 0),
        ("a. == 1", "bad name 'a.'", 0),
        ("[1 2]", "expected ',' or ']' but found '2'", 3),
        ("and a", "unexpected 'and'", 0),
    ],
)
def test_parse_errors_name_the_problem_and_column(src, message, column):
    with pytest.raises(ExprError) as err:
        parse(src)
    assert err.value.message == message
    assert err.value.column == column
    assert str(err.value) == f"{message} at column {column}"


def test_expr_error_is_a_value_error():
    with pytest.raises(ValueError):
        parse("a = 1")


@pytest.mark.parametrize("src", ["__import__('os')", "budget.__class__", "open('x')"])
def test_python_is_not_evaluated(src):
    try:
        e = parse(src)
    except ExprError:
        return
    assert e.evaluate(ENV) in (None, False)
