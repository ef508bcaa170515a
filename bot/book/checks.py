"""Checks that need the whole compiled book: references, names, placeholders, reachability.

``cross_check`` runs once the book is compiled: gotos, stages, intents, names in conditions
and ``{placeholders}``, and flows or ice breakers nobody can reach. Nothing here stops at
the first problem.
"""

from __future__ import annotations

import re
import string
from typing import Any

from bot.book.report import Report, suggest
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


def cross_check(book: Any, refs: Any, report: Report) -> None:
    """Checks that need the whole book: references, names, placeholders, reachability."""
    flows, stages = book.flows, [s.id for s in book.stages]
    intents = [i.id for i in book.intents]
    for target, where, what in refs.flows:
        if target not in flows:
            report.error(where, f"{what}: no flow named {target!r}{suggest(target, flows)}")
    for target, where, what in refs.stages:
        if target not in stages:
            report.error(where, f"{what}: no stage named {target!r}{suggest(target, stages)}; "
                                f"stages are {', '.join(stages)}")  # fmt: skip
    for target, where, what in refs.intents:
        if target not in intents:
            report.error(where, f"{what}: no intent named {target!r}{suggest(target, intents)}")

    answers = set(refs.asks)
    settings = set(refs.settings)
    known = answers | settings | EXPR_NAMES
    for ex, where in refs.exprs:
        for name in sorted(ex.names):
            if "." in name:
                root, _, rest = name.partition(".")
                if root == "answers" and rest.split(".")[0] not in answers:
                    report.error(where, f"the condition {ex.source!r} reads answers.{rest}, but no "
                                        f"question has that id{suggest(rest, answers)}")  # fmt: skip
                continue
            if name not in known and name != "answers":
                report.error(where, f"the condition {ex.source!r} uses {name!r}, which is no question "
                                    f"id, setting or built-in name{suggest(name, known)}; it can use "
                                    "question ids, score, stage, language, labels and settings")  # fmt: skip

    fillable = answers | settings | PLACEHOLDERS
    for text, where in report.texts:
        for lang, s in text.items():
            names, broken = placeholders(s)
            if broken:
                report.warn(where, f"a lone {{ or }} in the {lang} text; it is shown as written "
                                   "(write {{ or }} for a brace)")  # fmt: skip
            for name in names:
                if not name:
                    report.warn(where, f"an empty {{}} in the {lang} text")
                elif name not in fillable:
                    report.warn(where, f"{{{name}}} in the {lang} text is no question id or setting"
                                       f"{suggest(name, fillable)}; it is shown as written")  # fmt: skip

    ice_ids = [str(i.get("id")) for i in book.ice_breakers]
    for flow in flows.values():
        if not flow.start_on and flow.id not in refs.targeted:
            report.warn((flow.file, flow.line), f"flow {flow.id!r} can never start: it has no "
                        "start_on, and no goto, button, choice or intent leads to it")  # fmt: skip
    for trigger, where in refs.ice_starts:
        if trigger not in ice_ids:
            report.warn(where, f"start_on ice_breaker:{trigger}, but there is no ice breaker with "
                               f"id {trigger!r}{suggest(trigger, ice_ids)}")  # fmt: skip
    for ice_id, where in refs.ice_breakers:
        if not book.flows_for(f"ice_breaker:{ice_id}"):
            report.warn(where, f"ice breaker {ice_id!r} starts no flow; add ice_breaker:{ice_id} "
                               "to a flow's start_on")  # fmt: skip
    for payload, where in refs.postbacks:
        if payload != GET_STARTED and not payload.startswith((PAYLOAD_LANG, PAYLOAD_ICE)):
            if not book.flows_for(f"postback:{payload}"):
                report.warn(where, f"payload {payload!r} starts no flow; add postback:{payload} to "
                                   "a flow's start_on, or write flow: <id> instead")  # fmt: skip
    for fu in book.followups:
        for key in fu.answer or {}:
            if key not in answers:
                report.error((fu.file, fu.line), f"follow-up {fu.id!r}: answer: {key!r} is no "
                                                 f"question id{suggest(key, answers)}")  # fmt: skip
    _overlapping_intents(book, report)


def _overlapping_intents(book: Any, report: Report) -> None:
    first: dict[str, Any] = {}
    for intent in book.intents:
        for word in intent.match:
            key = " ".join(word.lower().split())
            earlier = first.setdefault(key, intent)
            if earlier is not intent:
                report.warn((intent.file, intent.line), f"intent {intent.id!r}: {word!r} is also "
                            f"matched by intent {earlier.id!r} (line {earlier.line}), which is "
                            "tried first")  # fmt: skip
