"""The words of the flows.yaml language and their compilers, for ``bot.flowbook``.

The registries are the language: ``STEP_KINDS`` (YAML word → compiler), ``ANSWER_TYPES``
(the validators), ``INTENT_ACTIONS`` and ``START_TRIGGERS``; a new step kind or answer type
is one entry here plus one in the runner. The message parts (choices, buttons, cards) are
checked against Messenger's limits here too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.book import expr
from bot.book.checks import NAME, Where, kind_of, suggest
from bot.book.loader import Map
from bot.book.types import Button, Card, Choice, Path, Step
from bot.messenger.policy import (
    BUTTON_TEXT_LIMIT,
    CARD_TEXT_LIMIT,
    MAX_BUTTONS,
    MAX_CARDS,
    PAYLOAD_FLOW,
    PAYLOAD_INTENT,
    PAYLOAD_LIMIT,
    TEXT_LIMIT,
    TITLE_LIMIT,
)
from bot.messenger.policy import MAX_QUICK_REPLIES as MAX_CHOICES
from bot.text.validators import VALIDATORS

if TYPE_CHECKING:
    from bot.book.compiler import _Compiler

# --- registries -----------------------------------------------------------------------------

ANSWER_TYPES = VALIDATORS
PRIORITIES = ("normal", "high")
# An ask id is saved next to these in the names conditions and placeholders read.
RESERVED = frozenset({"score", "stage", "language", "labels", "qualify_score", "first_name",
                      "name", "business", "answers", "true", "false", "null", "and", "or",
                      "not", "in"})  # fmt: skip

DEFAULT_STAGES = (
    ("new", {"bn": "নতুন", "en": "New intake"}),
    ("qualified", {"bn": "যোগ্য লিড", "en": "Qualified"}),
    ("proposal", {"bn": "প্রস্তাব", "en": "Proposal"}),
    ("negotiation", {"bn": "আলোচনা", "en": "Follow-up"}),
    ("converted", {"bn": "বিক্রি হয়েছে", "en": "Converted"}),
    ("post_sales", {"bn": "বিক্রয়-পরবর্তী", "en": "Post-sales"}),
    ("lost", {"bn": "হারানো", "en": "Lost"}),
)

SECTIONS = ("settings", "stages", "intents", "flows", "followups", "greeting",
            "ice_breakers", "menu", "canned")  # fmt: skip


def _no_argument(arg: str) -> str | None:
    return "takes nothing after ':'" if arg else None


def _argument(arg: str) -> str | None:
    return None if arg.strip() else "needs a value after ':'"


# start_on word -> check of what follows "word:"; a message when it is wrong
START_TRIGGERS: dict[str, Callable[[str], str | None]] = {
    "get_started": _no_argument,
    "first_message": _no_argument,
    "ice_breaker": _argument,  # ice_breaker:<id>
    "referral": _argument,  # referral:<ref> of an m.me link or an ad
    "postback": _argument,  # postback:<PAYLOAD> of a menu item or button
}


# --- intents ---------------------------------------------------------------------------------


def _intent_handoff(c: _Compiler, m: Map, i: dict) -> None:
    i["priority"] = c.r.choice(
        m.get("priority", "normal"), m.where("priority"), "priority", PRIORITIES
    )


def _intent_opt_out(c: _Compiler, m: Map, i: dict) -> None:
    pass


def _intent_goto(c: _Compiler, m: Map, i: dict) -> None:
    if m.get("goto") is None:
        c.r.error(m.where("do"), "do: goto needs goto: <flow id>")


def _intent_language(c: _Compiler, m: Map, i: dict) -> None:
    lang = m.get("language")
    if lang is None:
        c.r.error(m.where("do"), f"do: language needs language: {' or '.join(c.r.languages)}")
    else:
        i["language"] = c.r.choice(lang, m.where("language"), "language", c.r.languages)


# do: word -> what it needs besides; the engine carries them out
INTENT_ACTIONS: dict[str, Callable[[_Compiler, Map, dict], None]] = {
    "handoff": _intent_handoff,  # to the staff queue (priority: high jumps it)
    "opt_out": _intent_opt_out,  # no more follow-ups
    "goto": _intent_goto,  # start the flow in goto:
    "language": _intent_language,  # answer in language: bn|en from now on
}
# the actions whose value may also be written inside do:, as do: {goto: catalog}
INTENT_VALUES = ("goto", "language")


def intent_do(c: _Compiler, m: Map) -> tuple[str | None, Map]:
    """An intent's do: word and the map its value is read from.

    ``do: goto`` with ``goto: catalog`` beside it, ``do: {goto: catalog}`` and ``goto:
    catalog`` alone are the same action; so are the three forms of ``language``. The word
    is None when there is no action or it is wrong (the problem is reported).
    """
    r, do = c.r, m.get("do")
    if not do:
        return ("goto" if "goto" in m else "language" if "language" in m else None), m
    if not isinstance(do, Map):
        return r.choice(do, m.where("do"), "do", INTENT_ACTIONS), m
    forms = "do: is handoff, opt_out, goto (or {goto: <flow>}) or language (or {language: en})"
    word = next(iter(do))
    if len(do) > 1:
        r.error(m.where("do"), f"do: holds one action, not {len(do)}; {forms}")
        return None, m
    if word not in INTENT_VALUES:
        if word in INTENT_ACTIONS:
            r.error(do.where(word), f"do: {word} takes no value; write do: {word}")
        else:
            r.error(do.where(word), f"unknown action {word!r} in do:"
                                    f"{suggest(word, INTENT_ACTIONS)}; {forms}")  # fmt: skip
        return None, m
    if word in m:
        r.error(m.where(word), f"{word}: is given twice, inside do: and beside it; keep one")
        return None, m
    return word, do


# --- steps -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class At:
    """Where a step sits: its flow (or stage), position and path."""

    kind: str
    id: str
    file: str
    line: int
    owner: str
    pos: str
    path: Path


def _step_say(c: _Compiler, m: Map, at: At) -> Step:
    buttons = read_buttons(c, m.get("buttons"), m.where("buttons"), TITLE_LIMIT, MAX_BUTTONS)
    cards = read_cards(c, m.get("cards"), m.where("cards"))
    image = c.r.url(m["image"], m.where("image"), "image") if m.get("image") is not None else None
    text = None
    if m.get("say") is not None:
        limit = BUTTON_TEXT_LIMIT if buttons else TEXT_LIMIT
        text = c.r.text(m["say"], m.where("say"), "the say text", limit=limit)
    elif buttons:
        c.r.error(
            m.where("buttons"), "buttons need a say: text above them (Messenger requires one)"
        )
    elif not (cards or image):
        c.r.error(m.where("say"), "say: is empty; give it a text, an image or cards")
    return Step(
        "say", at.id, at.file, at.line, text=text, image=image, buttons=buttons, cards=cards
    )


def _step_ask(c: _Compiler, m: Map, at: At) -> Step:
    r = c.r
    text = r.text(m.get("ask"), m.where("ask"), "the question", limit=TEXT_LIMIT)
    choices = read_choices(c, m.get("choices"), m.where("choices"))
    type_ = "text"
    if "type" in m:
        type_ = r.choice(m["type"], m.where("type"), "type", ANSWER_TYPES) or "text"
        if choices:
            r.warn(m.where("type"), "type: is not used when the question has choices")
    optional = (
        bool(r.boolean(m["optional"], m.where("optional"), "optional"))
        if "optional" in m
        else False
    )
    invalid = (
        r.text(m["invalid"], m.where("invalid"), "the invalid text") if "invalid" in m else None
    )
    score = c.score_rules(m.get("score"), m.where("score")) if "score" in m else ()
    if "id" not in m:
        r.warn((at.file, at.line), "give this question an id so its answer is saved by name "
                                   f"(it is {at.id!r} for now, which changes when steps move)")  # fmt: skip
    c.asks[at.id] = at.path
    return Step("ask", at.id, at.file, at.line, text=text, choices=choices, type=type_,
                optional=optional, invalid=invalid, score=score)  # fmt: skip


def _step_if(c: _Compiler, m: Map, at: At) -> Step:
    cond = c.condition(m.get("if"), m.where("if"))
    if "then" not in m and "else" not in m:
        c.r.error((at.file, at.line), "an if step needs then: (and may have else:)")
    then = c.steps(m.get("then"), m.where("then"), at.owner, f"{at.pos}.then.", (*at.path, "then"))
    else_ = c.steps(m.get("else"), m.where("else"), at.owner, f"{at.pos}.else.", (*at.path, "else"))
    return Step("if", at.id, at.file, at.line, cond=cond, then=then, else_=else_)


def _step_goto(c: _Compiler, m: Map, at: At) -> Step:
    target = c.r.word(m.get("goto"), m.where("goto"), "goto")
    if target:
        c.refs.flow(target, m.where("goto"), "goto")
    return Step("goto", at.id, at.file, at.line, target=target)


def _step_stage(c: _Compiler, m: Map, at: At) -> Step:
    target = c.r.word(m.get("stage"), m.where("stage"), "stage")
    if target:
        c.refs.stages.append((target, m.where("stage"), "stage"))
    return Step("stage", at.id, at.file, at.line, target=target)


def _step_handoff(c: _Compiler, m: Map, at: At) -> Step:
    value, where = m.get("handoff"), m.where("handoff")
    text = None
    if value is False:
        c.r.error(where, "handoff: false does nothing; remove the step")
    elif value is not None and value is not True:
        text = c.r.text(value, where, "the handoff text", limit=TEXT_LIMIT)
    priority = c.r.choice(m.get("priority", "normal"), m.where("priority"), "priority", PRIORITIES)
    reason = c.r.word(m["reason"], m.where("reason"), "reason") if "reason" in m else None
    return Step(
        "handoff", at.id, at.file, at.line, text=text, priority=priority or "normal", reason=reason
    )


def _step_label(c: _Compiler, m: Map, at: At) -> Step:
    return Step(
        "label", at.id, at.file, at.line, target=c.r.word(m.get("label"), m.where("label"), "label")
    )


def _step_end(c: _Compiler, m: Map, at: At) -> Step:
    if m.get("end") not in (None, True):
        c.r.error(m.where("end"), f"write end: true (or just - end), not end: {kind_of(m['end'])}")
    return Step("end", at.id, at.file, at.line)


# step word -> compiler; the runner has the same words in runner.STEP_RUNNERS
STEP_KINDS: dict[str, Callable[[_Compiler, Map, At], Step]] = {
    "say": _step_say, "ask": _step_ask, "if": _step_if, "goto": _step_goto,
    "stage": _step_stage, "handoff": _step_handoff, "label": _step_label, "end": _step_end,
}  # fmt: skip

# the keys each step kind may have besides its own word and id
STEP_KEYS: dict[str, tuple[str, ...]] = {
    "say": ("image", "buttons", "cards"),
    "ask": ("choices", "type", "optional", "invalid", "score"),
    "if": ("then", "else"),
    "goto": (), "stage": (), "handoff": ("priority", "reason"), "label": (), "end": (),
}  # fmt: skip

LEAVES = ("end", "goto", "handoff")  # the runner stops the block at these


class Refs:
    """Names used before everything they may point at is compiled (for flowcheck)."""

    def __init__(self) -> None:
        self.flows: list[tuple[str, Where, str]] = []
        self.stages: list[tuple[str, Where, str]] = []
        self.intents: list[tuple[str, Where, str]] = []
        self.exprs: list[tuple[expr.Expr, Where]] = []
        self.postbacks: list[tuple[str, Where]] = []
        self.ice_starts: list[tuple[str, Where]] = []
        self.ice_breakers: list[tuple[str, Where]] = []
        self.targeted: set[str] = set()  # flows some goto, button, choice or intent leads to
        self.asks: set[str] = set()
        self.settings: set[str] = set()

    def flow(self, target: str, where: Where, what: str) -> None:
        self.flows.append((target, where, what))
        self.targeted.add(target)


def ends_block(step: Step) -> bool:
    """Whether nothing after this step in its block can run."""
    if step.kind in LEAVES:
        return True
    return (
        step.kind == "if"
        and bool(step.then and step.else_)
        and all(any(ends_block(s) for s in block) for block in (step.then, step.else_))
    )


# --- message parts ----------------------------------------------------------------------


def read_choices(c: _Compiler, value: Any, where: Where) -> tuple[Choice, ...]:
    r = c.r
    if value is None:
        return ()
    if not isinstance(value, Map):
        r.error(where, f"choices should be a map of key: label lines (like saree: {{bn: শাড়ি, "
                       f"en: Saree}}), not {kind_of(value)}")  # fmt: skip
        return ()
    if len(value) > MAX_CHOICES:
        r.error(where, f"{len(value)} choices; Messenger shows at most {MAX_CHOICES} quick replies")
    out = []
    for key, item in value.items():
        at = value.where(key)
        if r.word(key, at, "choice key", NAME) is None:
            continue
        extra = ("score", "goto", "label")
        label_src = item.get("label") if isinstance(item, Map) and "label" in item else item
        label = r.text(label_src, at, f"choice {key!r}", limit=TITLE_LIMIT, extra=extra)
        score, goto = 0, None
        if isinstance(item, Map):
            if "label" in item:
                r.keys(item, extra, f"choice {key!r}")
            if "score" in item:
                score = r.integer(item["score"], item.where("score"), "score") or 0
            if item.get("goto") is not None:
                goto = r.word(item["goto"], item.where("goto"), "goto")
                if goto:
                    c.refs.flow(goto, item.where("goto"), f"choice {key!r} goto")
        if label is not None:
            out.append(Choice(str(key), label, score, goto))
    return tuple(out)


def read_buttons(
    c: _Compiler, value: Any, where: Where, limit: int, most: int, what: str = "buttons"
) -> tuple[Button, ...]:
    items = c.r.seq(value, where, what)
    if items is None:
        return ()
    if len(items) > most:
        c.r.error(where, f"{len(items)} {what}; Messenger allows at most {most}")
    out = []
    for i, item in enumerate(items):
        button = read_button(c, item, items.where(i), limit)
        if button is not None:
            out.append(button)
    return tuple(out)


def read_button(c: _Compiler, item: Any, where: Where, limit: int) -> Button | None:
    r = c.r
    if not isinstance(item, Map):
        r.error(
            where,
            f"a button should be {{title: …, url: …}} or {{title: …, flow: …}}, not {kind_of(item)}",
        )
        return None
    r.keys(item, ("title", "url", "flow", "payload", "intent"), "a button")
    title = r.text(item.get("title"), item.where("title"), "the button title", limit=limit)
    given = [k for k in ("url", "flow", "payload", "intent") if item.get(k) is not None]
    if len(given) != 1:
        r.error(where, "a button needs exactly one of url:, flow:, payload: or intent:"
                       + (f" (it has {', '.join(given)})" if given else ""))  # fmt: skip
        return None
    key = given[0]
    at = item.where(key)
    url = payload = None
    if key == "url":
        url = r.url(item["url"], at, "url")
    elif key == "flow":
        target = r.word(item["flow"], at, "flow")
        if target:
            c.refs.flow(target, at, "button flow")
            payload = f"{PAYLOAD_FLOW}{target}"
    elif key == "intent":
        target = r.word(item["intent"], at, "intent")
        if target:
            c.refs.intents.append((target, at, "button intent"))
            payload = f"{PAYLOAD_INTENT}{target}"
    else:
        payload = r.word(item["payload"], at, "payload")
        if payload and len(payload) > PAYLOAD_LIMIT:
            r.error(at, f"payload is {len(payload)} characters; Messenger allows {PAYLOAD_LIMIT}")
        elif payload:
            c.refs.postbacks.append((payload, at))
    if title is None or (url is None and payload is None):
        return None
    return Button(title, url=url, payload=payload)


def read_cards(c: _Compiler, value: Any, where: Where) -> tuple[Card, ...]:
    r = c.r
    items = r.seq(value, where, "cards")
    if items is None:
        return ()
    if len(items) > MAX_CARDS:
        r.error(where, f"{len(items)} cards; Messenger shows at most {MAX_CARDS} in a carousel")
    out = []
    for i, item in enumerate(items):
        at = items.where(i)
        if not isinstance(item, Map):
            r.error(
                at,
                f"a card should be a map with title:, subtitle:, image:, price:, buttons:, not {kind_of(item)}",
            )
            continue
        r.keys(item, ("title", "subtitle", "image", "price", "buttons"), "a card")
        title = r.text(
            item.get("title"), item.where("title"), "the card title", limit=CARD_TEXT_LIMIT
        )
        subtitle = image = price = None
        if item.get("subtitle") is not None:
            subtitle = r.text(
                item["subtitle"],
                item.where("subtitle"),
                "the card subtitle",
                limit=CARD_TEXT_LIMIT,
            )
        if item.get("image") is not None:
            image = r.url(item["image"], item.where("image"), "image")
        if item.get("price") is not None:
            p = item["price"]
            if isinstance(p, bool) or not isinstance(p, int | float) or p < 0:
                r.error(
                    item.where("price"), f"price should be a number like 4500, not {kind_of(p)}"
                )
            else:
                price = float(p)
        buttons = read_buttons(
            c, item.get("buttons"), item.where("buttons"), TITLE_LIMIT, MAX_BUTTONS
        )
        if title is not None:
            out.append(Card(title, subtitle, image, price, buttons))
    return tuple(out)
