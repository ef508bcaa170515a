"""Checks that need the whole compiled book: references, names, placeholders, reachability.

``cross_check`` runs once the book is compiled: gotos, stages, intents, names in conditions
and ``{placeholders}``, and flows or ice breakers nobody can reach. Nothing here stops at
the first problem.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterator

from bot.book.context import Refs
from bot.book.report import Report, suggest
from bot.book.types import FlowBook, Intent, Step
from bot.messenger.policy import GET_STARTED, PAYLOAD_ICE, PAYLOAD_LANG

# Placeholders the runner fills besides answers and settings.
PLACEHOLDERS = frozenset({"first_name", "name", "business", "score", "qualify_score"})
# Names an if: condition may read besides answers and settings.
EXPR_NAMES = frozenset({"score", "stage", "language", "qualify_score", "labels"})


def placeholders(text: str) -> tuple[list[str], bool]:
    """The ``{names}`` in a text (roots only), and whether its braces are broken."""
    try:
        fields = [f for _, f, _, _ in string.Formatter().parse(text) if f is not None]
    except ValueError:
        return [], True
    return [re.split(r"[.\[!:]", f, maxsplit=1)[0] for f in fields], False


def cross_check(book: FlowBook, refs: Refs, report: Report) -> None:
    """Checks that need the whole book: references, names, placeholders, reachability."""
    flows, stages = book.flows, [s.id for s in book.stages]
    intents = [i.id for i in book.intents]
    for target, where, what in refs.flows:
        if target not in flows:
            hint = suggest(target, flows)
            report.error(where, "ref.flow", what=what, target=target, hint=hint)
    for target, where, what in refs.stages:
        if target not in stages:
            report.error(
                where,
                "ref.stage",
                what=what,
                target=target,
                hint=suggest(target, stages),
                stages=", ".join(stages),
            )
    for target, where, what in refs.intents:
        if target not in intents:
            hint = suggest(target, intents)
            report.error(where, "ref.intent", what=what, target=target, hint=hint)

    answers = set(refs.asks) | book.derived_answers()  # a district's _area and _zone too
    settings = set(refs.settings)
    known = answers | settings | EXPR_NAMES
    for ex, where in refs.exprs:
        for name in sorted(ex.names):
            if "." in name:
                root, _, rest = name.partition(".")
                if root == "answers" and rest.split(".")[0] not in answers:
                    hint = suggest(rest, answers)
                    report.error(where, "condition.answers", source=ex.source, rest=rest, hint=hint)
                continue
            if name not in known and name != "answers":
                hint = suggest(name, known)
                report.error(where, "condition.name", source=ex.source, name=name, hint=hint)

    fillable = answers | settings | PLACEHOLDERS
    for text, where in report.texts:
        for lang, s in text.items():
            names, broken = placeholders(s)
            if broken:
                report.warn(where, "placeholder.brace", lang=lang)
            for name in names:
                if not name:
                    report.warn(where, "placeholder.empty", lang=lang)
                elif name not in fillable:
                    hint = suggest(name, fillable)
                    report.error(where, "placeholder.unknown", name=name, lang=lang, hint=hint)
            if _wrapped_in_curly(s):
                report.warn(where, "text.curly", lang=lang)

    ice_ids = [str(i.get("id")) for i in book.ice_breakers]
    for flow in flows.values():
        if not flow.start_on and flow.id not in refs.targeted:
            report.warn((flow.file, flow.line), "flow.unreachable", flow=flow.id)
    for trigger, where in refs.ice_starts:
        if trigger not in ice_ids:
            hint = suggest(trigger, ice_ids)
            report.warn(where, "ice_breaker.no_such", trigger=trigger, hint=hint)
    for ice_id, where in refs.ice_breakers:
        if not book.flows_for(f"ice_breaker:{ice_id}"):
            report.warn(where, "ice_breaker.no_flow", id=ice_id)
    for payload, where in refs.postbacks:
        if payload != GET_STARTED and not payload.startswith((PAYLOAD_LANG, PAYLOAD_ICE)):
            if not book.flows_for(f"postback:{payload}"):
                report.warn(where, "payload.no_flow", payload=payload)
    for fu in book.followups:
        for key in fu.answer or {}:
            if key not in answers:
                hint = suggest(key, answers)
                report.error((fu.file, fu.line), "followup.answer", id=fu.id, key=key, hint=hint)
    _overlapping_intents(book, report)
    _labels_in_conditions(book, refs, report)
    _long_flows(book, report)


CURLY = "“”‘’"
MAX_QUESTIONS = 15
# name == 'literal' (or !=): the owner's id on the left is plain ASCII (a question id)
_COMPARISON = re.compile(r"([A-Za-z_][A-Za-z0-9_.]*)\s*(?:==|!=)\s*(['\"])(.*?)\2")


_MEMBERSHIP = re.compile(r"([A-Za-z_][A-Za-z0-9_.]*)\s+(?:not\s+)?in\s*\[([^\]]*)\]")
_QUOTED = re.compile(r"(['\"])(.*?)\1")


def _wrapped_in_curly(s: str) -> bool:
    s = s.strip()
    return len(s) > 1 and s[0] in CURLY and s[-1] in CURLY


def _all_steps(steps: tuple[Step, ...]) -> Iterator[Step]:
    for step in steps:
        yield step
        yield from _all_steps(step.then)
        yield from _all_steps(step.else_)


def _labels_in_conditions(book: FlowBook, refs: Refs, report: Report) -> None:
    """``if: "product == 'থ্রি-পিস'"`` compares with a label; a choice saves its key."""
    choices: dict[str, dict[str, list[str]]] = {}  # ask id -> key -> labels
    for flow in book.flows.values():
        for step in _all_steps(flow.steps):
            if step.kind == "ask" and step.choices:
                keys = choices.setdefault(step.id, {})
                for ch in step.choices:
                    keys.setdefault(ch.key, []).extend(ch.label.values())
    for ex, where in refs.exprs:
        compared = [(name, literal) for name, _, literal in _COMPARISON.findall(ex.source)]
        for name, items in _MEMBERSHIP.findall(ex.source):
            compared += [(name, literal) for _, literal in _QUOTED.findall(items)]
        for name, literal in compared:
            name = name.removeprefix("answers.")
            found = choices.get(name)
            if not found or literal in found:
                continue
            wanted = " ".join(literal.split()).casefold()
            key = next(
                (
                    k
                    for k, labels in found.items()
                    if any(" ".join(x.split()).casefold() == wanted for x in labels)
                ),
                None,
            )
            if key is not None:
                report.error(where, "condition.label", name=name, label=literal, key=key)


def _long_flows(book: FlowBook, report: Report) -> None:
    for flow in book.flows.values():
        count = sum(1 for step in _all_steps(flow.steps) if step.kind == "ask")
        if count > MAX_QUESTIONS:
            report.warn((flow.file, flow.line), "flow.many_questions", flow=flow.id, count=count)


def _overlapping_intents(book: FlowBook, report: Report) -> None:
    first: dict[str, Intent] = {}
    for intent in book.intents:
        for word in intent.match:
            key = " ".join(word.lower().split())
            earlier = first.setdefault(key, intent)
            if earlier is not intent:
                report.warn(
                    (intent.file, intent.line),
                    "intent.overlap",
                    id=intent.id,
                    word=word,
                    earlier=earlier.id,
                    line=earlier.line,
                )
