"""Golden conversations: the ``tests:`` of flows files, read with the book and played on it.

``read`` turns the ``tests:`` list into frozen ``Golden`` cases (every shape problem at its
file:line, like any other section); ``run`` plays them on a compiled book with an engine of
its own over a throwaway database, offline, and returns each failure as a ``Problem`` at
the line of the step (or of ``expect:``) that failed. ``python app.py test`` and ``check``
print them; the running server refuses new flows whose tests fail (bot.runtime).
"""

from __future__ import annotations

import itertools
import json
import os
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

from bot.book.loader import Map, Problem
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


# --- playing them ---------------------------------------------------------------------------

# Saturday 2 January 2027, 12:00 in the book's time zone: inside the demo's business hours,
# so a test says the same thing whenever it runs.
_NOON = (2027, 1, 2, 12, 0)


def _replies(db: Any, psid: str, after: int) -> tuple[int, list[str], list[tuple[str, str]]]:
    """Texts (and tappable titles) of the bot's messages to ``psid`` after outbox row ``after``."""
    rows = db.execute(
        "SELECT id, body FROM outbox WHERE psid = ? AND id > ? ORDER BY id", (psid, after)
    ).fetchall()
    texts: list[str] = []
    taps: list[tuple[str, str]] = []
    for row_id, body in rows:
        after = row_id
        msg = json.loads(body).get("message", {})
        if "text" in msg:
            texts.append(msg["text"])
        attachment = msg.get("attachment") or {}
        payload = attachment.get("payload") or {}
        if payload.get("text"):
            texts.append(payload["text"])
        for b in payload.get("buttons") or []:
            texts.append(b.get("title", ""))
            if b.get("payload"):
                taps.append((b["title"], "postback:" + b["payload"]))
        for el in payload.get("elements") or []:
            texts.append(f"{el.get('title', '')} {el.get('subtitle', '')}")
            for b in el.get("buttons") or []:
                texts.append(b.get("title", ""))
                if b.get("payload"):
                    taps.append((b["title"], "postback:" + b["payload"]))
        for q in msg.get("quick_replies") or []:
            if q.get("content_type") == "text":
                texts.append(q["title"])
                taps.append((q["title"], "quick:" + q["payload"]))
    return after, texts, taps


def run(book: Any, tests: Iterable[Golden] | None = None) -> list[Problem]:
    """Play ``tests`` (default: the book's own) on ``book``; a Problem per failure."""
    from bot.conversation.engine import Engine
    from bot.messenger.events import Event
    from store import conversations, inbox
    from store.db import connect, migrate, write_tx

    cases = tuple(book.tests if tests is None else tests)
    if not cases:
        return []
    problems: list[Problem] = []
    now = [datetime(*_NOON, tzinfo=ZoneInfo(book.settings.timezone)).timestamp()]
    with tempfile.TemporaryDirectory(prefix="barta-golden-") as tmp:
        db = connect(os.path.join(tmp, "golden.db"))
        try:
            migrate(db)
            engine = Engine(book, clock=lambda: now[0])
            mids = itertools.count(1)
            for n, case in enumerate(cases, 1):
                psid = f"golden:{n}"
                if case.lang:
                    with write_tx(db):
                        conv, _ = conversations.get_or_create(db, psid, now[0])
                        db.execute(
                            "UPDATE conversations SET language = ? WHERE id = ?",
                            (case.lang, conv["id"]),
                        )
                last, taps = 0, list[tuple[str, str]]()
                for step in case.steps:
                    now[0] += 30
                    mid = f"golden-{next(mids)}"
                    ts = int(now[0] * 1000)
                    if step.kind == "customer":
                        ev = Event(kind="message", psid=psid, text=step.said, mid=mid, timestamp=ts)
                    elif step.kind == "postback":
                        ev = Event(kind="postback", psid=psid, payload=step.said, title=step.said,
                                   mid=mid, timestamp=ts)  # fmt: skip
                    else:
                        action = next((a for t, a in taps if t == step.said), None)
                        if action is None:
                            offered = ", ".join(t for t, _ in taps) or "none"
                            problems.append(Problem(step.file, step.line, message(
                                "tests.no_tap", name=case.name, title=step.said, offered=offered)))  # fmt: skip
                            break
                        kind, payload = action.split(":", 1)
                        if kind == "postback":
                            ev = Event(kind="postback", psid=psid, payload=payload,
                                       title=step.said, mid=mid, timestamp=ts)  # fmt: skip
                        else:
                            ev = Event(kind="message", psid=psid, text=step.said, payload=payload,
                                       quick_reply=True, mid=mid, timestamp=ts)  # fmt: skip
                    inbox.add(db, [(ev.key(), psid, ev.kind, ev.to_json())], now[0])
                    while engine.process_next(db):
                        pass
                    last, texts, taps = _replies(db, psid, last)
                    said = "\n".join(texts)
                    for want in step.bot:
                        if want not in said:
                            problems.append(Problem(step.file, step.line, message(
                                "tests.bot_missing", name=case.name, want=want,
                                said=_short(said))))  # fmt: skip
                    for unwanted in step.not_:
                        if unwanted in said:
                            problems.append(Problem(step.file, step.line, message(
                                "tests.bot_unwanted", name=case.name, want=unwanted,
                                said=_short(said))))  # fmt: skip
                problems += _expect(db, psid, case)
        finally:
            db.conn.close()
    return problems


def _short(text: str, most: int = 160) -> str:
    text = " / ".join(line for line in text.splitlines() if line.strip())
    if not text:
        return message("tests.silent")
    return text if len(text) <= most else text[: most - 1] + "…"


def _expect(db: Any, psid: str, case: Golden) -> list[Problem]:
    expect = case.expect
    if not expect:
        return []
    where = (case.file, case.expect_line)
    row = db.execute(
        "SELECT id, stage, language, answers FROM conversations WHERE psid = ?", (psid,)
    ).fetchone()
    if row is None:
        return [Problem(*where, message("tests.no_conversation", name=case.name))]
    cid, stage, language, answers_json = row
    out = []

    def fail(what: str, got: Any, want: Any) -> None:
        out.append(Problem(*where, message("tests.expect", name=case.name, what=what,
                                           got=got, want=want)))  # fmt: skip

    if "stage" in expect and stage != expect["stage"]:
        fail("stage", stage, expect["stage"])
    if "language" in expect and language != expect["language"]:
        fail("language", language, expect["language"])
    if "handoff" in expect:
        open_ = db.execute(
            "SELECT 1 FROM queue WHERE conversation_id = ? AND status IN ('waiting', 'claimed')",
            (cid,),
        ).fetchone()
        if bool(open_) != bool(expect["handoff"]):
            fail("handoff", "true" if open_ else "false", str(bool(expect["handoff"])).lower())
    answers = json.loads(answers_json or "{}") if isinstance(answers_json, str) else {}
    for key, want in (expect.get("answers") or {}).items():
        if not _same(answers.get(key), want):
            fail(f"answers.{key}", answers.get(key), want)
    return out


def _same(have: Any, want: Any) -> bool:
    if have is None:
        return want is None
    if isinstance(want, bool) or isinstance(have, bool):
        return str(have).lower() == str(want).lower()
    if isinstance(want, int | float) and isinstance(have, int | float):
        return float(have) == float(want)
    return str(have) == str(want)
