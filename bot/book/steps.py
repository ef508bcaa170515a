"""The steps of a flow: the step kinds (the words of the language) and their compilers.

``STEP_KINDS`` (YAML word → compiler) and ``ANSWER_TYPES`` (the validators) are the
registries; a new step kind or answer type is one entry here plus one in the runner. Every
compiler takes the one ``Context`` of the compile (``bot.book.context``), and
``compile_steps`` walks a block of steps through ``STEP_KINDS``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.book import expr, parts
from bot.book.context import At, Context
from bot.book.loader import Map, Seq
from bot.book.messages import message
from bot.book.report import FLOW_ID, NAME, Where, kind_of, suggest
from bot.book.types import Path, ScoreRule, Step
from bot.messenger.policy import BUTTON_TEXT_LIMIT, MAX_BUTTONS, TEXT_LIMIT, TITLE_LIMIT
from bot.text.validators import VALIDATORS

ANSWER_TYPES = VALIDATORS
PRIORITIES = ("normal", "high")  # of a handoff, from a step or an intent
# An ask id is saved next to these in the names conditions and placeholders read.
RESERVED = frozenset(
    "score stage language labels qualify_score first_name name business answers"
    " true false null and or not in".split()
)


# --- blocks ----------------------------------------------------------------------------------


def compile_steps(
    c: Context, value: Any, where: Where, owner: str, prefix: str, path: Path
) -> tuple[Step, ...]:
    """A block of steps of ``owner`` (a flow, a stage's on_enter or an if branch).

    ``prefix`` and ``path`` place the block: step ids default to ``owner.prefix<n>``.
    """
    items = c.r.seq(value, where, "steps")
    if items is None:
        return ()
    out: list[Step] = []
    left: Step | None = None  # the step after which nothing in this block runs
    reported = False
    for i, item in enumerate(items):
        at = items.where(i)
        if left is not None and not reported:
            reported = True  # once per block: the steps after it are unreachable too
            if left.kind == "if":
                why = message("step.left_by_if")
            else:
                why = message("step.left_by", kind=left.kind)
            c.r.error(at, "step.unreachable", why=why, line=left.line)
        step = compile_step(c, item, at, owner, f"{prefix}{i + 1}", (*path, i))
        if step is not None:
            out.append(step)
            if left is None and ends_block(step):
                left = step
    return tuple(out)


def compile_step(
    c: Context, item: Any, where: Where, owner: str, pos: str, path: Path
) -> Step | None:
    """One step, compiled by its word's entry in ``STEP_KINDS``; None when it is unusable."""
    r = c.r
    if item == "end":
        return Step("end", f"{owner}.{pos}", *where)
    if not isinstance(item, Map):
        r.error(where, "step.wrong", kind=kind_of(item))
        return None
    kinds = [k for k in item if k in STEP_KINDS]
    if not kinds and any(k in STEP_KEYS["say"] for k in item):
        kinds = ["say"]  # cards or an image alone are a say step without text
    if not kinds:
        unknown = [
            k for k in item if k != "id" and not any(k in keys for keys in STEP_KEYS.values())
        ]
        key = unknown[0] if unknown else next(iter(item), "")
        hint = suggest(key, STEP_KINDS)
        r.error(item.where(key), "step.unknown", key=key, hint=hint, kinds=", ".join(STEP_KINDS))
        return None
    if len(kinds) > 1:
        r.error(item.where(kinds[1]), "step.two_kinds", first=kinds[0], second=kinds[1])
    kind = kinds[0]
    r.keys(item, (*kinds, "id", *STEP_KEYS[kind]), f"a {kind} step")
    step_id = f"{owner}.{pos}"
    if "id" in item:
        pattern = NAME if kind == "ask" else FLOW_ID
        given = r.word(item["id"], item.where("id"), "id", pattern)
        if given is not None:
            step_id = given
            if kind == "ask" and given in RESERVED:
                r.error(item.where("id"), "step.reserved_id", id=given)
            if given in c.ids:
                line = c.ids[given]
                r.error(item.where("id"), "step.id_twice", id=given, owner=owner, line=line)
            c.ids.setdefault(given, item.where("id")[1])
    at = At(kind, step_id, where[0], where[1], owner, pos, path)
    return STEP_KINDS[kind](c, item, at)


def condition(c: Context, value: Any, where: Where, what: str = "if") -> expr.Expr | None:
    """An ``if:`` condition, parsed; its names are checked once the book is whole."""
    if isinstance(value, bool | int | float):
        value = str(value).lower()
    if not isinstance(value, str) or not value.strip():
        c.r.error(where, "condition.wrong", what=what, kind=kind_of(value))
        return None
    try:
        parsed = expr.parse(value)
    except expr.ExprError as e:
        c.r.error(where, "condition.syntax", source=value, why=e.message, column=e.column + 1)
        return None
    c.refs.exprs.append((parsed, where))
    return parsed


def score_rules(c: Context, value: Any, where: Where) -> tuple[ScoreRule, ...]:
    r = c.r
    if isinstance(value, int) and not isinstance(value, bool):
        return (ScoreRule(None, value),)
    rules = r.seq(value, where, "score") if isinstance(value, Seq) else None
    if rules is None:
        r.error(where, "score.wrong", kind=kind_of(value))
        return ()
    out = []
    for i, item in enumerate(rules):
        at = rules.where(i)
        if not isinstance(item, Map):
            r.error(at, "score.rule", kind=kind_of(item))
            continue
        r.keys(item, ("if", "add"), "a score rule")
        cond = condition(c, item["if"], item.where("if")) if "if" in item else None
        add = r.integer(item.get("add"), item.where("add"), "add")
        if add is not None and ("if" not in item or cond is not None):
            out.append(ScoreRule(cond, add))
    return tuple(out)


# --- step kinds ------------------------------------------------------------------------------


def _step_say(c: Context, m: Map, at: At) -> Step:
    buttons = parts.read_buttons(c, m.get("buttons"), m.where("buttons"), TITLE_LIMIT, MAX_BUTTONS)
    cards = parts.read_cards(c, m.get("cards"), m.where("cards"))
    image = c.r.url(m["image"], m.where("image"), "image") if m.get("image") is not None else None
    text = None
    if m.get("say") is not None:
        limit = BUTTON_TEXT_LIMIT if buttons else TEXT_LIMIT
        text = c.r.text(m["say"], m.where("say"), "the say text", limit=limit)
    elif buttons:
        c.r.error(m.where("buttons"), "say.buttons")
    elif not (cards or image):
        c.r.error(m.where("say"), "say.empty")
    return Step(
        "say", at.id, at.file, at.line, text=text, image=image, buttons=buttons, cards=cards
    )


def _step_ask(c: Context, m: Map, at: At) -> Step:
    r = c.r
    text = r.text(m.get("ask"), m.where("ask"), "the question", limit=TEXT_LIMIT)
    choices = parts.read_choices(c, m.get("choices"), m.where("choices"))
    type_ = "text"
    if "type" in m:
        type_ = r.choice(m["type"], m.where("type"), "type", ANSWER_TYPES) or "text"
        if choices:
            r.warn(m.where("type"), "ask.type_unused")
    optional = (
        bool(r.boolean(m["optional"], m.where("optional"), "optional"))
        if "optional" in m
        else False
    )
    invalid = (
        r.text(m["invalid"], m.where("invalid"), "the invalid text") if "invalid" in m else None
    )
    score = score_rules(c, m.get("score"), m.where("score")) if "score" in m else ()
    if "id" not in m:
        r.warn((at.file, at.line), "ask.no_id", id=at.id)
    c.asks[at.id] = at.path
    return Step(
        "ask",
        at.id,
        at.file,
        at.line,
        text=text,
        choices=choices,
        type=type_,
        optional=optional,
        invalid=invalid,
        score=score,
    )


def _step_if(c: Context, m: Map, at: At) -> Step:
    cond = condition(c, m.get("if"), m.where("if"))
    if "then" not in m and "else" not in m:
        c.r.error((at.file, at.line), "if.no_then")
    then = compile_steps(
        c, m.get("then"), m.where("then"), at.owner, f"{at.pos}.then.", (*at.path, "then")
    )
    else_ = compile_steps(
        c, m.get("else"), m.where("else"), at.owner, f"{at.pos}.else.", (*at.path, "else")
    )
    return Step("if", at.id, at.file, at.line, cond=cond, then=then, else_=else_)


def _step_goto(c: Context, m: Map, at: At) -> Step:
    target = c.r.word(m.get("goto"), m.where("goto"), "goto")
    if target:
        c.refs.flow(target, m.where("goto"), "goto")
    return Step("goto", at.id, at.file, at.line, target=target)


def _step_stage(c: Context, m: Map, at: At) -> Step:
    target = c.r.word(m.get("stage"), m.where("stage"), "stage")
    if target:
        c.refs.stages.append((target, m.where("stage"), "stage"))
    return Step("stage", at.id, at.file, at.line, target=target)


def _step_handoff(c: Context, m: Map, at: At) -> Step:
    value, where = m.get("handoff"), m.where("handoff")
    text = None
    if value is False:
        c.r.error(where, "handoff.false")
    elif value is not None and value is not True:
        text = c.r.text(value, where, "the handoff text", limit=TEXT_LIMIT)
    priority = c.r.choice(m.get("priority", "normal"), m.where("priority"), "priority", PRIORITIES)
    reason = c.r.word(m["reason"], m.where("reason"), "reason") if "reason" in m else None
    return Step(
        "handoff", at.id, at.file, at.line, text=text, priority=priority or "normal", reason=reason
    )


def _step_label(c: Context, m: Map, at: At) -> Step:
    return Step(
        "label", at.id, at.file, at.line, target=c.r.word(m.get("label"), m.where("label"), "label")
    )


def _step_end(c: Context, m: Map, at: At) -> Step:
    if m.get("end") not in (None, True):
        c.r.error(m.where("end"), "end.wrong", kind=kind_of(m["end"]))
    return Step("end", at.id, at.file, at.line)


# step word -> compiler; the runner has the same words in runner.STEP_RUNNERS
STEP_KINDS: dict[str, Callable[[Context, Map, At], Step]] = {
    "say": _step_say,
    "ask": _step_ask,
    "if": _step_if,
    "goto": _step_goto,
    "stage": _step_stage,
    "handoff": _step_handoff,
    "label": _step_label,
    "end": _step_end,
}

# the keys each step kind may have besides its own word and id
STEP_KEYS: dict[str, tuple[str, ...]] = {
    "say": ("image", "buttons", "cards"),
    "ask": ("choices", "type", "optional", "invalid", "score"),
    "if": ("then", "else"),
    "goto": (),
    "stage": (),
    "handoff": ("priority", "reason"),
    "label": (),
    "end": (),
}

LEAVES = ("end", "goto", "handoff")  # the runner stops the block at these


def ends_block(step: Step) -> bool:
    """Whether nothing after this step in its block can run."""
    if step.kind in LEAVES:
        return True
    return (
        step.kind == "if"
        and bool(step.then and step.else_)
        and all(any(ends_block(s) for s in block) for block in (step.then, step.else_))
    )
