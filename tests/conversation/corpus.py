"""The conversation corpus: multi-turn cases as data, played through the signed webhook.

Each ``tests/corpus/<category>.yaml`` holds a list of cases in the shape of flows.yaml's
``tests:`` (DESIGN.md), with two additions for the framework's own corpus::

    - name: salam at the first question
      flows: flows.yaml            # optional; a path from the repository root (default: the demo)
      lang: bn                     # optional: the conversation's language before the first step
      steps:
        - customer: "আসসালামু আলাইকুম"   # or  tap: "<quick reply title>"  or  postback: PAYLOAD
          bot: ["ওয়ালাইকুম"]          # each must appear in the bot's replies to this step
        - postback: ICE_BREAKER:shop   # title: what the button showed (an ice breaker's question)
          title: "I'd like to buy something"
        - staff: resolve               # or release: staff close the open handoff
          not: ["বুঝতে পারিনি"]        # none may appear
      expect: {stage: new, handoff: false, answers: {need: saree}, language: bn, priority: high,
               reason: wants to order}

``handoff: true`` means a handoff is open after the last step (``reason``: its reason);
``answers`` is a subset.
``bench/corpus.py`` prints the pass rate per category; tests/conversation/test_corpus.py
requires every case to pass.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "corpus"
DEMO = ROOT / "flows.yaml"


@dataclass
class Case:
    category: str
    name: str
    steps: list[dict[str, Any]]
    expect: dict[str, Any] = field(default_factory=dict)
    flows: Path = DEMO
    lang: str | None = None


def load_cases(folder: Path = CORPUS) -> list[Case]:
    cases = []
    for path in sorted(folder.glob("*.yaml")):
        for item in yaml.safe_load(path.read_text("utf-8")) or []:
            cases.append(
                Case(
                    category=path.stem,
                    name=item["name"],
                    steps=item["steps"],
                    expect=item.get("expect") or {},
                    flows=ROOT / item["flows"] if item.get("flows") else DEMO,
                    lang=item.get("lang"),
                )
            )
    return cases


_psids = itertools.count(1)


def play(case: Case, make_customer) -> list[str]:
    """Play one case; the list of what went wrong (empty when it passes).

    ``make_customer(flows_path, psid)`` returns a tests.conftest.Customer on an app built
    over those flows.
    """
    psid = f"70{next(_psids):014d}"
    who = make_customer(case.flows, psid)
    problems: list[str] = []
    if case.lang:
        db = who.runtime.db()
        db.execute(
            "INSERT INTO conversations (psid, language, created_at, updated_at) VALUES (?, ?, 0, 0)",
            (psid, case.lang),
        )
        db.conn.commit()
    for n, step in enumerate(case.steps, 1):
        if "customer" in step:
            said = str(step["customer"])
            replies = who.says(said)
        elif "tap" in step:
            said = str(step["tap"])
            payload = _quick_payload(who, said)
            if payload is None:
                problems.append(f"step {n}: no quick reply titled {said!r}")
                break
            replies = who.taps(payload, said)
        elif "staff" in step:
            said = f"staff: {step['staff']}"
            if not _close_handoff(who, str(step["staff"])):
                problems.append(f"step {n}: no open handoff to {step['staff']}")
                break
            replies = who.replies()
        else:
            said = str(step["postback"])
            replies = who.postback(said, title=str(step.get("title") or ""))
        text = "\n".join(replies)
        for want in step.get("bot") or []:
            if str(want) not in text:
                problems.append(f"step {n} ({said!r}): expected {want!r} in {text!r}")
        for unwanted in step.get("not") or []:
            if str(unwanted) in text:
                problems.append(f"step {n} ({said!r}): did not expect {unwanted!r} in {text!r}")
    problems += _check_expect(case.expect, who)
    return problems


def _close_handoff(who, how: str) -> bool:
    """Staff resolve (or release) the conversation's open handoff; False when none is open."""
    from bot.staff import actions

    conv = who.conversation()
    db = who.runtime.db()
    row = db.execute(
        "SELECT id FROM queue WHERE conversation_id = ? AND status IN ('waiting', 'claimed')",
        (conv["id"],),
    ).fetchone()
    if row is None:
        return False
    close = {"resolve": actions.resolve, "release": actions.release}[how]
    close(who.runtime, row[0], "corpus")
    return True


def _quick_payload(who, title: str) -> str | None:
    for body in reversed(who.outbox()):
        for q in body.get("message", {}).get("quick_replies") or []:
            if q.get("title") == title:
                return q.get("payload")
    return None


def _check_expect(expect: dict[str, Any], who) -> list[str]:
    conv = who.conversation()
    problems = []
    if conv is None:
        return ["no conversation was stored"] if expect else []
    if "stage" in expect and conv["stage"] != expect["stage"]:
        problems.append(f"stage {conv['stage']!r}, expected {expect['stage']!r}")
    if "language" in expect and conv["language"] != expect["language"]:
        problems.append(f"language {conv['language']!r}, expected {expect['language']!r}")
    answers = conv["answers"] if isinstance(conv["answers"], dict) else json.loads(conv["answers"])
    for key, value in (expect.get("answers") or {}).items():
        if answers.get(key) != value:
            problems.append(f"answer {key} = {answers.get(key)!r}, expected {value!r}")
    db = who.runtime.db()
    row = db.execute(
        "SELECT priority, reason FROM queue WHERE conversation_id = ? "
        "AND status IN ('waiting', 'claimed')",
        (conv["id"],),
    ).fetchone()
    if "handoff" in expect and bool(row) != bool(expect["handoff"]):
        problems.append(f"handoff open: {bool(row)}, expected {expect['handoff']}")
    if "reason" in expect and (row[1] if row else None) != expect["reason"]:
        problems.append(
            f"handoff reason {row[1] if row else None!r}, expected {expect['reason']!r}"
        )
    if "priority" in expect:
        got = None if row is None else ("high" if row[0] else "normal")
        if got != expect["priority"]:
            problems.append(f"handoff priority {got!r}, expected {expect['priority']!r}")
    return problems
