"""Interpreting flow steps into Actions. Pure: no database, no network, no clock of its own.

The engine hands a ``Turn`` (the conversation's state for one message) to ``start_flow``,
``resume`` or ``answer``; they walk the steps and return the Actions to carry out. Position is
kept by name (flow id, ask id), so an edited flows.yaml never points into the wrong step.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeAlias

from bot.book.types import FlowBook, Step
from bot.conversation import choices
from bot.conversation.render import render
from bot.conversation.turn import Action, Ask, Handoff, Label, Move, Say, Turn

# The Turn, its Actions and the texts live in turn.py and render.py; engine.py still takes
# them from here (``runner.render``, ``from bot.conversation.runner import OptOut``).
from bot.conversation.turn import OptOut as OptOut
from bot.i18n import pick
from bot.text import validators

log = logging.getLogger(__name__)

MAX_STEPS = 200  # a goto loop in an owner's flows must not hang the engine


def env(book: FlowBook, turn: Turn) -> dict[str, Any]:
    """The names an ``if:`` expression may use."""
    s = book.settings
    out: dict[str, Any] = dict(s.extra)
    out.update(turn.answers)
    out["score"] = turn.score
    out["stage"] = turn.stage
    out["language"] = turn.language
    # every setting check accepts as a name is a name here too
    out["qualify_score"] = s.qualify_score
    out["max_retries"] = s.max_retries
    out["followup_limit"] = s.followup_limit
    out["currency"] = s.currency
    out["timezone"] = s.timezone
    out["business"] = pick(s.business, turn.language, s.languages[0])
    out["labels"] = sorted(turn.labels)
    return out


# --- walking the steps -------------------------------------------------------------------


@dataclass(frozen=True)
class Stop:
    """Wait here: a question was asked, or the flow handed off or ended."""


@dataclass(frozen=True)
class Push:
    """Run this block (an ``if`` branch), then carry on after the step."""

    block: tuple[Step, ...]


@dataclass(frozen=True)
class Goto:
    """Leave this flow for another."""

    flow: str


STOP = Stop()
Next: TypeAlias = Stop | Push | Goto | None  # what a step tells the walk; None: the next step
StepRunner: TypeAlias = Callable[[FlowBook, Turn, Step, list[Action]], Next]
Frame: TypeAlias = list[Any]  # [block, index of the next step in it]


def _find(steps: tuple[Step, ...], step_id: str) -> list[tuple[tuple[Step, ...], int]] | None:
    """The stack of (block, index) down to the step with ``step_id``."""
    for i, step in enumerate(steps):
        if step.id == step_id:
            return [(steps, i)]
        for block in (step.then, step.else_):
            if block:
                inner = _find(block, step_id)
                if inner is not None:
                    return [(steps, i), *inner]
    return None


def start_flow(
    book: FlowBook, turn: Turn, flow_id: str, out: list[Action] | None = None
) -> list[Action]:
    """Run a flow from its first step until a question, an end or a handoff."""
    out = [] if out is None else out
    flow = book.flows.get(flow_id)
    if flow is None:
        log.warning("flow %r does not exist (any more); nothing to start", flow_id)
        return out
    turn.flow, turn.step = flow_id, None
    _walk(book, turn, flow_id, [[flow.steps, 0]], out)
    return out


def resume(book: FlowBook, turn: Turn, out: list[Action] | None = None) -> list[Action]:
    """Carry on after the question just answered."""
    out = [] if out is None else out
    flow = book.flows.get(turn.flow or "")
    path = _find(flow.steps, turn.step) if flow and turn.step else None
    if path is None:
        # The flow or the question was edited away while the customer was in it.
        log.warning("step %r of flow %r no longer exists; restarting", turn.step, turn.flow)
        if flow is None:
            turn.flow = turn.step = None
            return out
        return start_flow(book, turn, flow.id, out)
    assert flow is not None  # a path was found in it
    stack: list[Frame] = [[block, i + 1] for block, i in path]
    turn.step = None
    _walk(book, turn, flow.id, stack, out)
    return out


def _walk(book: FlowBook, turn: Turn, flow_id: str, stack: list[Frame], out: list[Action]) -> None:
    budget = MAX_STEPS
    while stack:
        budget -= 1
        if budget < 0:
            log.error("flow %r ran %s steps without stopping; stopped", flow_id, MAX_STEPS)
            turn.flow = turn.step = None
            return
        frame = stack[-1]
        block, i = frame
        if i >= len(block):
            stack.pop()
            continue
        frame[1] = i + 1
        step = block[i]
        result = STEP_RUNNERS[step.kind](book, turn, step, out)
        if result is None:
            continue
        if isinstance(result, Stop):
            return
        if isinstance(result, Push):
            stack.append([result.block, 0])
        else:
            target = book.flows.get(result.flow)
            if target is None:
                log.warning("goto %r: no such flow", result.flow)
                break
            _done(turn, flow_id)
            flow_id = target.id
            turn.flow, turn.step = flow_id, None
            stack = [[target.steps, 0]]
    _done(turn, flow_id)
    turn.flow = turn.step = None


def _done(turn: Turn, flow_id: str) -> None:
    done = turn.state.setdefault("done", [])
    if flow_id not in done:
        done.append(flow_id)


def _say(book: FlowBook, turn: Turn, step: Step, out: list[Action]) -> Next:
    out.append(
        Say(
            text=render(book, turn, step.text),
            image=step.image,
            buttons=step.buttons,
            cards=step.cards,
        )
    )
    return None


def _ask(book: FlowBook, turn: Turn, step: Step, out: list[Action]) -> Next:
    out.append(Ask(step=step, text=render(book, turn, step.text)))
    turn.step = step.id
    return STOP


def _if(book: FlowBook, turn: Turn, step: Step, out: list[Action]) -> Next:
    ok = bool(step.cond.evaluate(env(book, turn))) if step.cond is not None else False
    block = step.then if ok else step.else_
    return Push(block) if block else None


def _goto(book: FlowBook, turn: Turn, step: Step, out: list[Action]) -> Next:
    return Goto(step.target or "")


def _stage(book: FlowBook, turn: Turn, step: Step, out: list[Action]) -> Next:
    target = step.target or ""
    if turn.stage == target:
        return None
    if not turn.can_move(turn.stage, target):
        # An owner's flow cannot know every path a lead took; a move that is no longer
        # legal (e.g. back to qualified from proposal) is skipped, not forced.
        log.info("flow stage move %s -> %s is not legal; skipped", turn.stage, target)
        return None
    out.append(Move(target, cause=f"flow {turn.flow}"))
    turn.stage = target
    return None


def _handoff(book: FlowBook, turn: Turn, step: Step, out: list[Action]) -> Next:
    text = render(book, turn, step.text) if step.text else None
    out.append(
        Handoff(text=text, reason=step.reason or turn.flow or "handoff", priority=step.priority)
    )
    return STOP


def _label(book: FlowBook, turn: Turn, step: Step, out: list[Action]) -> Next:
    name = step.target or ""
    if name not in turn.labels:
        turn.labels.add(name)
        out.append(Label(name))
    return None


def _end(book: FlowBook, turn: Turn, step: Step, out: list[Action]) -> Next:
    _done(turn, turn.flow or "")
    turn.flow = turn.step = None
    return STOP


STEP_RUNNERS: dict[str, StepRunner] = {
    "say": _say, "ask": _ask, "if": _if, "goto": _goto, "stage": _stage,
    "handoff": _handoff, "label": _label, "end": _end,
}  # fmt: skip


# --- answers -----------------------------------------------------------------------------


def pending_step(book: FlowBook, turn: Turn) -> Step | None:
    """The question waiting for an answer, or None."""
    flow = book.flows.get(turn.flow or "")
    if flow is None or not turn.step:
        return None
    path = _find(flow.steps, turn.step)
    if path is None:
        return None
    block, i = path[-1]
    return block[i]


def choose(step: Step, text: str | None, payload: str | None) -> str | None:
    """Which choice a tap or a typed answer picks (``choices.choose``)."""
    return choices.choose(step, text, payload)


def find_step(book: FlowBook, flow_id: str | None, step_id: str | None) -> Step | None:
    """The step with this id in this flow, or None when either is gone."""
    flow = book.flows.get(flow_id or "")
    path = _find(flow.steps, step_id) if flow is not None and step_id else None
    if path is None:
        return None
    block, i = path[-1]
    return block[i]


_NOTHING = object()


def read_answer(
    book: FlowBook, turn: Turn, step: Step, text: str | None, payload: str | None
) -> Any:
    """The value an answer to ``step`` would save (None to skip an optional question), or
    ``NOTHING`` when it is not a valid answer. Changes nothing."""
    if step.choices:
        key = choose(step, text, payload)
        return _NOTHING if key is None else key
    raw = text if text is not None else payload
    if raw is None:
        return _NOTHING
    if step.optional and validators.is_skip(raw):
        return None
    ctx = validators.Context(
        now=turn.now or datetime.now().astimezone(),
        timezone=book.settings.timezone,
        language=turn.language,
    )
    value = validators.validate(step.type, raw, ctx)
    return _NOTHING if value is None else value


NOTHING = _NOTHING


def answer(book: FlowBook, turn: Turn, step: Step, text: str | None, payload: str | None) -> bool:
    """Validate an answer to ``step``; when it is valid save it, score it and say True."""
    value = read_answer(book, turn, step, text, payload)
    if value is _NOTHING:
        return False
    save(book, turn, step, value)
    return True


def save(book: FlowBook, turn: Turn, step: Step, value: Any) -> None:
    """Save a valid answer to ``step`` and score it; answering again replaces the score."""
    gained = 0
    if step.choices:
        gained = next(c for c in step.choices if c.key == value).score
    if step.type == "district" and isinstance(value, Mapping):
        # One place, three names: the district, the Dhaka area (absent when none), the zone.
        turn.answers[f"{step.id}_area"] = value.get("area")
        if value.get("area") is None:
            turn.answers.pop(f"{step.id}_area", None)
        turn.answers[f"{step.id}_zone"] = value.get("zone")
        value = value.get("district")
    turn.answers[step.id] = value
    turn.retries = 0
    turn.state["last"] = [turn.flow, step.id]  # the answer a correction ("না না, …") changes
    environment = env(book, turn)
    for rule in step.score:
        if rule.cond is None or rule.cond.evaluate(environment):
            gained += rule.add
            break  # the first rule that holds scores: rules read as tiers, highest first
    scores = turn.state.setdefault("scores", {})
    turn.score += gained - scores.get(step.id, 0)  # answering again replaces, never adds
    scores[step.id] = gained
