"""bot/stages.py: the default legal moves, custom stages, refusals that name the legal moves."""

from __future__ import annotations

import itertools
from pathlib import Path
from types import SimpleNamespace

import pytest

from bot.book.compiler import book_from_string, load_book
from bot.conversation.stages import StageMachine
from bot.errors import StageError

ROOT = Path(__file__).resolve().parents[2]
DEFAULT = ["new", "qualified", "proposal", "negotiation", "converted", "post_sales", "lost"]
ORDER = DEFAULT[:-1]


def expected_legal(src: str, dest: str) -> bool:
    if src == dest:
        return False
    if dest == "lost":
        return True
    if src == "lost":
        return dest == "new"
    if src == "negotiation" and dest == "proposal":
        return True
    if src == "post_sales" and dest in ("new", "qualified"):
        return True  # a returning buyer's new purchase
    return ORDER.index(dest) > ORDER.index(src)


@pytest.fixture(scope="module")
def machine():
    return StageMachine(DEFAULT)


@pytest.mark.parametrize(("src", "dest"), list(itertools.product(DEFAULT, DEFAULT)))
def test_every_pair_of_default_stages(machine, src, dest):
    legal = expected_legal(src, dest)
    assert machine.can_move(src, dest) is legal
    assert (dest in machine.legal_moves(src)) is legal
    if legal:
        assert machine.check_move(src, dest) == dest
    else:
        with pytest.raises(StageError) as e:
            machine.check_move(src, dest)
        assert e.value.legal == machine.legal_moves(src)


def test_negotiation_may_go_back_to_proposal(machine):
    assert machine.check_move("negotiation", "proposal") == "proposal"


def test_lost_may_only_reopen_to_new(machine):
    assert machine.legal_moves("lost") == ["new"]


def test_converted_to_qualified_is_refused_with_the_legal_moves(machine):
    with pytest.raises(StageError) as e:
        machine.check_move("converted", "qualified")
    assert (e.value.current, e.value.target, e.value.legal) == (
        "converted",
        "qualified",
        ["post_sales", "lost"],
    )
    assert str(e.value) == (
        "cannot move a lead from converted to qualified; legal moves from converted: post_sales, lost"
    )


@pytest.mark.parametrize(
    ("current", "target", "message"),
    [
        ("new", "শিপড", "unknown stage 'শিপড'; legal moves from new: qualified, proposal, negotiation, "
         "converted, post_sales, lost"),
        ("archived", "new", "unknown stage 'archived'; stages are new, qualified, proposal, negotiation, "
         "converted, post_sales, lost"),
    ],
)  # fmt: skip
def test_an_unknown_stage_is_refused(machine, current, target, message):
    assert machine.can_move(current, target) is False
    with pytest.raises(StageError, match=message):
        machine.check_move(current, target)


def test_legal_moves_are_in_pipeline_order(machine):
    assert machine.legal_moves("new") == [
        "qualified",
        "proposal",
        "negotiation",
        "converted",
        "post_sales",
        "lost",
    ]
    assert machine.legal_moves("post_sales") == ["new", "qualified", "lost"]


def test_no_model_is_ever_registered(machine):
    lead = SimpleNamespace(stage="proposal")
    assert machine.fire(lead, "negotiation") is True
    assert lead.stage == "negotiation"
    with pytest.raises(StageError):
        machine.fire(SimpleNamespace(stage="converted"), "new")
    assert machine.machine.models == []


def test_triggers_are_named_after_their_destination(machine):
    assert sorted(machine.machine.get_triggers("lost")) == ["to_new"]
    assert machine.machine.auto_transitions is False


def test_custom_stages_join_the_defaults_before_the_default_written_after_them():
    book = book_from_string(
        """
settings: {business: দোকান, languages: [bn]}
stages:
  new: নতুন
  qualified: যোগ্য
  sample_sent: নমুনা পাঠানো
  converted: বিক্রি
  lost: হারানো
flows:
  welcome: {start_on: [get_started], steps: [end]}
"""
    )
    machine = StageMachine(book)
    assert machine.stages == (
        "new", "qualified", "proposal", "negotiation", "sample_sent", "converted", "post_sales",
        "lost",
    )  # fmt: skip
    assert machine.legal_moves("negotiation") == [
        "proposal", "sample_sent", "converted", "post_sales", "lost",
    ]  # fmt: skip
    assert machine.legal_moves("sample_sent") == ["converted", "post_sales", "lost"]
    assert not machine.can_move("converted", "sample_sent")
    assert machine.legal_moves("lost") == ["new"]
    assert book.stage("qualified").name == {"bn": "যোগ্য"}


PARTIAL = """
settings: {business: {bn: দোকান, en: Shop}}
stages:
%s
flows:
  welcome:
    start_on: [get_started]
    steps:
      - stage: qualified
      - stage: negotiation
      - end
"""


def test_a_partial_stages_map_renames_and_keeps_every_default_stage():
    book = book_from_string(PARTIAL % "  new: {bn: নতুন লিড, en: New lead}")
    assert [s.id for s in book.stages] == DEFAULT
    assert book.stage("new").name == {"bn": "নতুন লিড", "en": "New lead"}
    assert book.stage("qualified").name == {"bn": "যোগ্য লিড", "en": "Qualified"}
    machine = StageMachine(book)
    for src, dest in itertools.product(DEFAULT, DEFAULT):
        assert machine.can_move(src, dest) is expected_legal(src, dest)


def test_a_default_stage_may_get_on_enter_in_its_own_place():
    book = book_from_string(
        PARTIAL % "  converted:\n    name: {bn: বিক্রি, en: Sold}\n    on_enter:\n"
        "      - say: {bn: ধন্যবাদ, en: Thanks}"
    )
    assert [s.id for s in book.stages] == DEFAULT
    converted = book.stage("converted")
    assert converted.name == {"bn": "বিক্রি", "en": "Sold"}
    assert [step.text for step in converted.on_enter] == [{"bn": "ধন্যবাদ", "en": "Thanks"}]


def test_an_owner_stage_written_alone_goes_after_post_sales_and_keeps_the_default_moves():
    book = book_from_string(
        PARTIAL % "  new: {bn: নতুন লিড, en: New lead}\n  repeat: {bn: আবার ক্রেতা, en: Repeat buyer}"
    )
    machine = StageMachine(book)
    assert machine.stages == (*DEFAULT[:-1], "repeat", "lost")
    assert book.stage("repeat").name == {"bn": "আবার ক্রেতা", "en": "Repeat buyer"}
    for src, dest in itertools.product(DEFAULT, DEFAULT):
        assert machine.can_move(src, dest) is expected_legal(src, dest)
    assert machine.legal_moves("post_sales") == ["new", "qualified", "repeat", "lost"]
    assert machine.legal_moves("repeat") == ["lost"]
    assert machine.legal_moves("lost") == ["new"]


def test_the_cake_shop_keeps_advance_paid_between_negotiation_and_converted():
    book, problems = load_book(str(ROOT / "flows" / "examples" / "cake_shop.yaml"))
    assert book is not None, problems
    machine = StageMachine(book)
    assert machine.stages == (*DEFAULT[:4], "advance_paid", *DEFAULT[4:])
    assert machine.legal_moves("advance_paid") == ["converted", "post_sales", "lost"]
