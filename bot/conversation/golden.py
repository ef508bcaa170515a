"""Playing the golden conversations (``tests:``, read by ``bot.book.golden``) on a book.

``run`` gives the book an engine of its own over a throwaway database, offline, with the
clock at noon on a Saturday in the shop's timezone (inside most shops' hours, the same
whenever it runs), and returns each failure as a ``Problem`` at the line of the step (or of
``expect:``) that failed. ``check`` adds them to the static problems.
"""

from __future__ import annotations

import itertools
import json
import os
import tempfile
from collections.abc import Iterable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.book.compiler import load_book_files
from bot.book.golden import Golden, failure
from bot.book.loader import Problem
from bot.conversation.engine import Engine
from bot.messenger.events import Event
from store import conversations, inbox
from store.db import connect, migrate, write_tx


def check(path: str) -> tuple[Any, list[Problem], tuple[str, ...]]:
    """Compile ``path`` and play its tests: (book or None, every problem, the files read).

    The book is None when there is an error, a failing test included.
    """
    book, problems, files = load_book_files(path)
    if book is not None and book.tests:
        failures = run(book)
        if failures:
            return None, problems + failures, files
    return book, problems, files


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
    cases = tuple(book.tests if tests is None else tests)
    if not cases:
        return []
    problems: list[Problem] = []
    clock = _Clock(datetime(*_NOON, tzinfo=ZoneInfo(book.settings.timezone)).timestamp())
    with tempfile.TemporaryDirectory(prefix="barta-golden-") as tmp:
        db = connect(os.path.join(tmp, "golden.db"))
        try:
            migrate(db)
            engine = Engine(book, clock=clock)
            for n, case in enumerate(cases, 1):
                problems += _play(engine, db, case, f"golden:{n}", clock)
        finally:
            db.conn.close()
    return problems


class _Clock:
    """The engine's clock: still, moved on by hand between the customer's messages."""

    def __init__(self, start: float) -> None:
        self.now = start
        self._mids = itertools.count(1)

    def __call__(self) -> float:
        return self.now

    def tick(self) -> tuple[str, int]:
        """Half a minute later: a new message id and its timestamp (ms)."""
        self.now += 30
        return f"golden-{next(self._mids)}", int(self.now * 1000)


def _play(engine: Engine, db: Any, case: Golden, psid: str, clock: _Clock) -> list[Problem]:
    problems: list[Problem] = []
    if case.lang:
        with write_tx(db):
            conv, _ = conversations.get_or_create(db, psid, clock.now)
            db.execute(
                "UPDATE conversations SET language = ? WHERE id = ?", (case.lang, conv["id"])
            )
    last, taps = 0, list[tuple[str, str]]()
    for step in case.steps:
        mid, ts = clock.tick()
        if step.kind == "customer":
            ev = Event(kind="message", psid=psid, text=step.said, mid=mid, timestamp=ts)
        elif step.kind == "postback":
            ev = Event(kind="postback", psid=psid, payload=step.said, title=step.said, mid=mid,
                       timestamp=ts)  # fmt: skip
        else:
            action = next((a for t, a in taps if t == step.said), None)
            if action is None:
                offered = ", ".join(t for t, _ in taps) or "none"
                found = failure("no_tap", name=case.name, title=step.said, offered=offered)
                problems.append(Problem(step.file, step.line, found))
                break
            kind, payload = action.split(":", 1)
            if kind == "postback":
                ev = Event(kind="postback", psid=psid, payload=payload, title=step.said,
                           mid=mid, timestamp=ts)  # fmt: skip
            else:
                ev = Event(kind="message", psid=psid, text=step.said, payload=payload,
                           quick_reply=True, mid=mid, timestamp=ts)  # fmt: skip
        inbox.add(db, [(ev.key(), psid, ev.kind, ev.to_json())], clock.now)
        while engine.process_next(db):
            pass
        last, texts, taps = _replies(db, psid, last)
        said = "\n".join(texts)
        for want in step.bot:
            if want not in said:
                found = failure("bot_missing", name=case.name, want=want, said=_short(said))
                problems.append(Problem(step.file, step.line, found))
        for unwanted in step.not_:
            if unwanted in said:
                found = failure("bot_unwanted", name=case.name, want=unwanted, said=_short(said))
                problems.append(Problem(step.file, step.line, found))
    return problems + _expect(db, psid, case)


def _short(text: str, most: int = 160) -> str:
    text = " / ".join(line for line in text.splitlines() if line.strip())
    if not text:
        return failure("silent")
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
        return [Problem(*where, failure("no_conversation", name=case.name))]
    cid, stage, language, answers_json = row
    out = []

    def fail(what: str, got: Any, want: Any) -> None:
        out.append(Problem(*where, failure("expect", name=case.name, what=what,
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


# --- saving a conversation just played as a test ---------------------------------------------

KEY_PHRASE = 40  # characters of a bot reply kept as its key phrase


def _q(text: Any) -> str:
    """A YAML double-quoted string (JSON's quoting is YAML's)."""
    return json.dumps(str(text), ensure_ascii=False)


def _phrase(text: str) -> str:
    """A bot reply's key phrase: its first line, cut at a space near ``KEY_PHRASE``."""
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    if len(first) <= KEY_PHRASE:
        return first
    cut = first[:KEY_PHRASE]
    return cut[: cut.rfind(" ")] if " " in cut[10:] else cut


def _offered(body: Any) -> set[str]:
    msg = (body or {}).get("message") or {}
    titles = {q.get("title") for q in msg.get("quick_replies") or [] if q.get("title")}
    payload = (msg.get("attachment") or {}).get("payload") or {}
    for b in payload.get("buttons") or []:
        titles.add(b.get("title"))
    for el in payload.get("elements") or []:
        for b in el.get("buttons") or []:
            titles.add(b.get("title"))
    return {t for t in titles if t}


def record(db: Any, psid: str, name: str, default_lang: str | None = None) -> str:
    """The conversation of ``psid`` as a ``tests:`` item (YAML text, indented for a
    ``tests:`` list): the customer's lines and taps, a key phrase of the bot's first reply
    to each, and expect: stage, handoff and the answers saved."""
    conv = conversations.by_psid(db, psid)
    if conv is None:
        raise ValueError("nothing was played yet")
    lines = conversations.timeline(db, conv["id"], 0)
    out = [f"  - name: {_q(name)}"]
    if conv["language"] and conv["language"] != default_lang:
        out.append(f"    lang: {conv['language']}")
    out.append("    steps:")
    offered: set[str] = set()
    steps = 0
    step_has_bot = True
    for line in lines:
        if line["sender"] == "customer" and line["direction"] == "in":
            payload = (line["data"] or {}).get("payload")
            text = line["text"] or ""
            if payload and text in offered:
                out.append(f"      - tap: {_q(text)}")
            elif payload:
                out.append(f"      - postback: {_q(payload)}")
            elif text:
                out.append(f"      - customer: {_q(text)}")
            else:
                continue
            steps += 1
            step_has_bot = False
            offered = set()
        elif line["sender"] in ("bot", "followup") and line["direction"] == "out":
            offered |= _offered(line["body"])
            if not step_has_bot and steps and line["text"]:
                phrase = _phrase(line["text"])
                if phrase:
                    out.append(f"        bot: [{_q(phrase)}]")
                    step_has_bot = True
    if not steps:
        raise ValueError("the customer said nothing yet")
    expect = [f"stage: {conv['stage']}"]
    open_ = db.execute(
        "SELECT 1 FROM queue WHERE conversation_id = ? AND status IN ('waiting', 'claimed')",
        (conv["id"],),
    ).fetchone()
    expect.append(f"handoff: {'true' if open_ else 'false'}")
    answers = conv["answers"] if isinstance(conv["answers"], dict) else {}
    plain = {k: v for k, v in answers.items() if isinstance(v, str | int | float) and v is not None}
    if plain:
        inner = ", ".join(f"{k}: {_q(v) if isinstance(v, str) else v}" for k, v in plain.items())
        expect.append(f"answers: {{{inner}}}")
    out.append("    expect: {" + ", ".join(expect) + "}")
    return "\n".join(out) + "\n"
