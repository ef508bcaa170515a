"""Golden conversations: the ``tests:`` of flows files, read with the book.

``read`` turns the ``tests:`` list into frozen ``Golden`` cases (every shape problem at its
file:line, like any other section). ``bot.conversation.golden`` plays them on the compiled
book; ``python app.py test`` and ``check`` print the failures, and the running server
refuses new flows whose tests fail (bot.runtime).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from bot.book.loader import Map
from bot.book.messages import message
from bot.book.report import Report, Where, each, kind_of

STEP_KEYS = ("customer", "tap", "postback", "bot", "not")
SAYS = ("customer", "tap", "postback")
EXPECT_KEYS = ("stage", "handoff", "answers", "language")
TEST_KEYS = ("name", "lang", "steps", "expect")


@dataclass(frozen=True)
class GoldenStep:
    kind: str  # customer | tap | postback
    said: str
    bot: tuple[str, ...]
    not_: tuple[str, ...]
    file: str
    line: int


@dataclass(frozen=True)
class Golden:
    name: str
    lang: str | None
    steps: tuple[GoldenStep, ...]
    expect: Mapping[str, Any]
    file: str
    line: int
    expect_line: int


def _strings(value: Any, where: Where, r: Report, what: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return (str(value),)
    items = r.seq(value, where, what)
    out = []
    for _, item, at in each(items):
        if isinstance(item, str | int | float) and not isinstance(item, bool):
            out.append(str(item))
        else:
            r.error(at, "tests.string", what=what, kind=kind_of(item))
    return tuple(out)


def read(value: Any, where: Where, r: Report, stages: Iterable[str] = ()) -> tuple[Golden, ...]:
    """The ``tests:`` list as Golden cases; shape problems go to ``r``."""
    items = r.seq(value, where, "tests")
    out: list[Golden] = []
    names: dict[str, int] = {}
    stage_ids = list(stages)
    for i, item, at in each(items):
        m = r.map(item, at, "a test")
        if m is None:
            continue
        r.keys(m, TEST_KEYS, "a test")
        name = m.get("name")
        if not isinstance(name, str) or not name.strip():
            r.error(at, "tests.name")
            name = f"test {i + 1}"
        elif name in names:
            r.error(at, "tests.twice", name=name, line=names[name])
        names.setdefault(name, at[1])
        lang = m.get("lang")
        if lang is not None and lang not in r.languages:
            r.error(m.where("lang"), "tests.lang", lang=lang, langs=", ".join(r.languages))
            lang = None
        steps: list[GoldenStep] = []
        seq = r.seq(m.get("steps"), m.where("steps"), f"the steps of test {name!r}")
        if not seq:
            r.error(m.where("steps"), "tests.no_steps", name=name)
        for _, step, step_at in each(seq):
            sm = r.map(step, step_at, "a test step")
            if sm is None:
                continue
            r.keys(sm, STEP_KEYS, "a test step")
            given = [k for k in SAYS if k in sm]
            if len(given) != 1:
                r.error(step_at, "tests.step_says")
                continue
            kind = given[0]
            said = sm[kind]
            if not isinstance(said, str | int | float) or isinstance(said, bool):
                r.error(sm.where(kind), "tests.string", what=kind, kind=kind_of(said))
                continue
            bot = _strings(sm.get("bot"), sm.where("bot"), r, "bot")
            not_ = _strings(sm.get("not"), sm.where("not"), r, "not")
            steps.append(GoldenStep(kind, str(said), bot, not_, *step_at))
        expect = r.map(m.get("expect"), m.where("expect"), "expect") or Map()
        for key in expect:
            if key not in EXPECT_KEYS:
                r.error(
                    expect.where(key)
                    if isinstance(expect, Map) and hasattr(expect, "file")
                    else at,
                    "key.unknown",
                    key=key,
                    what="expect",
                    hint="",
                    allowed=", ".join(EXPECT_KEYS),
                    comma="",
                )
        stage = expect.get("stage")
        if stage is not None and stage_ids and stage not in stage_ids:
            r.error(expect.where("stage"), "tests.stage", stage=stage, stages=", ".join(stage_ids))
        if "handoff" in expect and not isinstance(expect["handoff"], bool):
            r.error(expect.where("handoff"), "tests.handoff", kind=kind_of(expect["handoff"]))
        if "answers" in expect and not isinstance(expect["answers"], Map):
            r.error(
                expect.where("answers"),
                "map.wrong",
                what="answers",
                kind=kind_of(expect["answers"]),
            )
        expect_line = m.where("expect")[1] if "expect" in m else at[1]
        out.append(
            Golden(
                name,
                lang,
                tuple(steps),
                MappingProxyType(dict(expect)),
                at[0],
                at[1],
                expect_line,
            )
        )
    return tuple(out)


# --- the words of a failure (played by bot.conversation.golden) -----------------------------


def failure(kind: str, **fields: object) -> str:
    """The owner-facing text of a failed test: ``kind`` is the part after ``tests.``."""
    texts = {
        "no_tap": lambda: message("tests.no_tap", **fields),
        "bot_missing": lambda: message("tests.bot_missing", **fields),
        "bot_unwanted": lambda: message("tests.bot_unwanted", **fields),
        "silent": lambda: message("tests.silent"),
        "no_conversation": lambda: message("tests.no_conversation", **fields),
        "expect": lambda: message("tests.expect", **fields),
    }
    return texts[kind]()
