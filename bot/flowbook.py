"""flows.yaml compiled once into a frozen FlowBook, with every problem found on the way.

The registries below are the language: ``STEP_KINDS`` (YAML word → compiler),
``ANSWER_TYPES`` (the validators), ``INTENT_ACTIONS`` and ``START_TRIGGERS``. The compiler
walks the line-marked tree from ``bot.loader`` against these same dicts, so a new step kind
or answer type is one entry here plus one in the runner. ``bot.flowcheck`` holds the
readers and the checks that need the whole book.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from bot import expr, flowcheck, loader
from bot.errors import FlowError
from bot.flowcheck import FLOW_ID, NAME, Report, Where, kind_of, suggest
from bot.loader import Map, Problem, Seq
from bot.validators import VALIDATORS

__all__ = [
    "ANSWER_TYPES", "INTENT_ACTIONS", "START_TRIGGERS", "STEP_KINDS", "Button", "Card",
    "Choice", "Flow", "FlowBook", "Followup", "Intent", "Problem", "ScoreRule", "Settings",
    "Stage", "Step", "book_from_string", "check", "check_string", "load_book",
]  # fmt: skip

Text = Mapping[str, str]  # language -> text, a MappingProxyType
Path = tuple[int | str, ...]  # see Flow.asks
EMPTY: Mapping[str, Any] = MappingProxyType({})


@dataclass(frozen=True)
class Choice:
    key: str
    label: Text
    score: int = 0
    goto: str | None = None  # a flow to start after this choice


@dataclass(frozen=True)
class Button:
    title: Text
    url: str | None = None
    payload: str | None = None  # "FLOW:<id>" for `flow: <id>`, "INTENT:<id>" for `intent: <id>`


@dataclass(frozen=True)
class Card:
    title: Text
    subtitle: Text | None = None
    image: str | None = None
    price: float | None = None
    buttons: tuple[Button, ...] = ()


@dataclass(frozen=True)
class ScoreRule:
    cond: expr.Expr | None  # None: always
    add: int


@dataclass(frozen=True)
class Step:
    kind: str  # one of STEP_KINDS
    id: str  # the YAML id:, else "<flow>.<n>" with n the 1-based position, like "3" or "5.then.1"
    file: str
    line: int
    text: Text | None = None  # say / ask / handoff text
    image: str | None = None
    buttons: tuple[Button, ...] = ()
    cards: tuple[Card, ...] = ()
    choices: tuple[Choice, ...] = ()
    type: str = "text"
    optional: bool = False
    invalid: Text | None = None
    score: tuple[ScoreRule, ...] = ()  # run after an ask is answered; the first that holds adds
    cond: expr.Expr | None = None
    then: tuple[Step, ...] = ()
    else_: tuple[Step, ...] = ()
    target: str | None = None  # goto → flow id; stage → stage id; label → label name
    priority: str = "normal"  # handoff priority
    reason: str | None = None  # handoff reason (the runner falls back to the flow id)


@dataclass(frozen=True)
class Flow:
    id: str
    start_on: tuple[str, ...]
    steps: tuple[Step, ...]
    file: str
    line: int
    # ask id -> path to it: 0-based indexes into ``steps``, with "then"/"else" naming the
    # branch of an if step: (4,) is steps[4]; (5, "then", 1) is steps[5].then[1];
    # (5, "else", 0, "then", 2) is steps[5].else_[0].then[2].
    asks: Mapping[str, Path] = field(default_factory=lambda: EMPTY)

    def at(self, path: Path) -> Step:
        """The step a path from ``asks`` leads to."""
        step = self.steps[path[0]]  # type: ignore[index]
        for i in range(1, len(path), 2):
            block = step.then if path[i] == "then" else step.else_
            step = block[path[i + 1]]  # type: ignore[index]
        return step


@dataclass(frozen=True)
class Intent:
    id: str
    match: tuple[str, ...]
    say: Text | None
    do: str | None  # one of INTENT_ACTIONS
    goto: str | None
    priority: str
    file: str
    line: int
    language: str | None = None  # for do: language


@dataclass(frozen=True)
class Stage:
    id: str
    name: Text
    on_enter: tuple[Step, ...] = ()


@dataclass(frozen=True)
class Followup:
    id: str
    stage: str | None
    after: float  # seconds
    say: Text
    answer: Mapping[str, Any] | None = None
    label: str | None = None
    file: str = ""
    line: int = 0


@dataclass(frozen=True)
class Settings:
    business: Text
    languages: tuple[str, ...]
    timezone: str = "Asia/Dhaka"
    currency: str = "BDT"
    hours: Mapping[str, Any] | None = (
        None  # {"days": ("sat", …), "open": "10:00", "close": "21:00"}
    )
    qualify_score: int = 50
    max_retries: int = 2
    followup_limit: int = 2
    quiet_hours: tuple[str, ...] = ("22:00", "08:00")  # () when there are none
    response_target_minutes: int = 15
    extra: Mapping[str, Any] = field(
        default_factory=lambda: EMPTY
    )  # other settings: {placeholders} and if: names


@dataclass(frozen=True)
class FlowBook:
    settings: Settings
    stages: tuple[Stage, ...]
    intents: tuple[Intent, ...]
    flows: Mapping[str, Flow]
    followups: tuple[Followup, ...]
    greeting: Text | None
    ice_breakers: tuple[Mapping[str, Any], ...]  # {"id": str, "question": Text}
    menu: tuple[Button, ...]
    canned: Mapping[str, Text]
    files: tuple[str, ...]
    _starts: Mapping[str, tuple[Flow, ...]] = field(
        default_factory=lambda: EMPTY, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        starts: dict[str, list[Flow]] = {}
        for flow in self.flows.values():
            for trigger in flow.start_on:
                starts.setdefault(trigger, []).append(flow)
        object.__setattr__(
            self, "_starts", MappingProxyType({k: tuple(v) for k, v in starts.items()})
        )

    def stage(self, id: str) -> Stage:
        """The stage with this id; KeyError when there is none."""
        for s in self.stages:
            if s.id == id:
                return s
        raise KeyError(id)

    def flows_for(self, trigger: str) -> list[Flow]:
        """Flows whose start_on includes ``trigger``, in file order."""
        return list(self._starts.get(trigger, ()))


# --- registries -----------------------------------------------------------------------------

ANSWER_TYPES = VALIDATORS
PRIORITIES = ("normal", "high")
TEXT_LIMIT, BUTTON_TEXT_LIMIT, TITLE_LIMIT, CARD_TEXT_LIMIT = 2000, 640, 20, 80
MENU_TITLE_LIMIT, GREETING_LIMIT, PAYLOAD_LIMIT = 30, 160, 1000
MAX_CHOICES, MAX_BUTTONS, MAX_CARDS, MAX_ICE_BREAKERS, MAX_MENU = 13, 3, 10, 4, 20
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


# --- steps -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _At:
    """Where a step sits: its flow (or stage), position and path."""

    kind: str
    id: str
    file: str
    line: int
    owner: str
    pos: str
    path: Path


def _step_say(c: _Compiler, m: Map, at: _At) -> Step:
    buttons = c.buttons(m.get("buttons"), m.where("buttons"), TITLE_LIMIT, MAX_BUTTONS)
    cards = c.cards(m.get("cards"), m.where("cards"))
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


def _step_ask(c: _Compiler, m: Map, at: _At) -> Step:
    r = c.r
    text = r.text(m.get("ask"), m.where("ask"), "the question", limit=TEXT_LIMIT)
    choices = c.choices(m.get("choices"), m.where("choices"))
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


def _step_if(c: _Compiler, m: Map, at: _At) -> Step:
    cond = c.condition(m.get("if"), m.where("if"))
    if "then" not in m and "else" not in m:
        c.r.error((at.file, at.line), "an if step needs then: (and may have else:)")
    then = c.steps(m.get("then"), m.where("then"), at.owner, f"{at.pos}.then.", (*at.path, "then"))
    else_ = c.steps(m.get("else"), m.where("else"), at.owner, f"{at.pos}.else.", (*at.path, "else"))
    return Step("if", at.id, at.file, at.line, cond=cond, then=then, else_=else_)


def _step_goto(c: _Compiler, m: Map, at: _At) -> Step:
    target = c.r.word(m.get("goto"), m.where("goto"), "goto")
    if target:
        c.refs.flow(target, m.where("goto"), "goto")
    return Step("goto", at.id, at.file, at.line, target=target)


def _step_stage(c: _Compiler, m: Map, at: _At) -> Step:
    target = c.r.word(m.get("stage"), m.where("stage"), "stage")
    if target:
        c.refs.stages.append((target, m.where("stage"), "stage"))
    return Step("stage", at.id, at.file, at.line, target=target)


def _step_handoff(c: _Compiler, m: Map, at: _At) -> Step:
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


def _step_label(c: _Compiler, m: Map, at: _At) -> Step:
    return Step(
        "label", at.id, at.file, at.line, target=c.r.word(m.get("label"), m.where("label"), "label")
    )


def _step_end(c: _Compiler, m: Map, at: _At) -> Step:
    if m.get("end") not in (None, True):
        c.r.error(m.where("end"), f"write end: true (or just - end), not end: {kind_of(m['end'])}")
    return Step("end", at.id, at.file, at.line)


# step word -> compiler; the runner has the same words in runner.STEP_RUNNERS
STEP_KINDS: dict[str, Callable[[_Compiler, Map, _At], Step]] = {
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


class _Refs:
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


class _Compiler:
    """One pass over the tree: typed, frozen objects out, every problem into ``r``."""

    def __init__(self, r: Report) -> None:
        self.r = r
        self.refs = _Refs()
        self.asks: dict[str, Path] = {}  # of the flow being compiled
        self.ids: dict[str, int] = {}  # step ids of the flow being compiled -> line

    # --- steps -------------------------------------------------------------------------

    def steps(
        self, value: Any, where: Where, owner: str, prefix: str, path: Path
    ) -> tuple[Step, ...]:
        items = self.r.seq(value, where, "steps")
        if items is None:
            return ()
        out: list[Step] = []
        left: Step | None = None  # the step after which nothing in this block runs
        warned = False
        for i, item in enumerate(items):
            at = items.where(i)
            if left is not None and not warned:
                warned = True
                why = (
                    "every branch of the if step" if left.kind == "if" else f"the {left.kind} step"
                )
                self.r.warn(at, f"this step is never reached: {why} on line {left.line} leaves "
                                "the flow")  # fmt: skip
            step = self.step(item, at, owner, f"{prefix}{i + 1}", (*path, i))
            if step is not None:
                out.append(step)
                if left is None and _leaves(step):
                    left = step
        return tuple(out)

    def step(self, item: Any, where: Where, owner: str, pos: str, path: Path) -> Step | None:
        r = self.r
        if item == "end":
            return Step("end", f"{owner}.{pos}", *where)
        if not isinstance(item, Map):
            r.error(where, f"a step should be a map like `say: …` or `ask: …`, not {kind_of(item)}")
            return None
        kinds = [k for k in item if k in STEP_KINDS]
        if not kinds and any(k in STEP_KEYS["say"] for k in item):
            kinds = ["say"]  # cards or an image alone are a say step without text
        if not kinds:
            unknown = [
                k for k in item if k != "id" and not any(k in keys for keys in STEP_KEYS.values())
            ]
            key = unknown[0] if unknown else next(iter(item), "")
            r.error(item.where(key), f"unknown step kind {key!r}{suggest(key, STEP_KINDS)}; a step is "
                                     f"one of {', '.join(STEP_KINDS)}")  # fmt: skip
            return None
        if len(kinds) > 1:
            r.error(item.where(kinds[1]), f"one step cannot be both {kinds[0]} and {kinds[1]}: make "
                                          "them two steps, each starting with '- '")  # fmt: skip
        kind = kinds[0]
        r.keys(item, (*kinds, "id", *STEP_KEYS[kind]), f"a {kind} step")
        step_id = f"{owner}.{pos}"
        if "id" in item:
            pattern = NAME if kind == "ask" else FLOW_ID
            given = r.word(item["id"], item.where("id"), "id", pattern)
            if given is not None:
                step_id = given
                if kind == "ask" and given in RESERVED:
                    r.error(item.where("id"), f"id {given!r} is a built-in name; choose another")
                if given in self.ids:
                    r.error(item.where("id"), f"id {given!r} is used twice in {owner} (first on "
                                              f"line {self.ids[given]})")  # fmt: skip
                self.ids.setdefault(given, item.where("id")[1])
        at = _At(kind, step_id, where[0], where[1], owner, pos, path)
        return STEP_KINDS[kind](self, item, at)

    def condition(self, value: Any, where: Where, what: str = "if") -> expr.Expr | None:
        if isinstance(value, bool | int | float):
            value = str(value).lower()
        if not isinstance(value, str) or not value.strip():
            self.r.error(
                where, f'{what}: needs a condition like "budget >= 5000", not {kind_of(value)}'
            )
            return None
        try:
            parsed = expr.parse(value)
        except expr.ExprError as e:
            self.r.error(
                where, f"cannot read the condition {value!r}: {e.message} at column {e.column + 1}"
            )
            return None
        self.refs.exprs.append((parsed, where))
        return parsed

    def score_rules(self, value: Any, where: Where) -> tuple[ScoreRule, ...]:
        r = self.r
        if isinstance(value, int) and not isinstance(value, bool):
            return (ScoreRule(None, value),)
        rules = r.seq(value, where, "score") if isinstance(value, Seq) else None
        if rules is None:
            r.error(
                where,
                f"score should be a number or a list of {{if: …, add: …}} rules, not {kind_of(value)}",
            )
            return ()
        out = []
        for i, item in enumerate(rules):
            at = rules.where(i)
            if not isinstance(item, Map):
                r.error(at, f'a score rule should be {{if: "…", add: 10}}, not {kind_of(item)}')
                continue
            r.keys(item, ("if", "add"), "a score rule")
            cond = self.condition(item["if"], item.where("if")) if "if" in item else None
            add = r.integer(item.get("add"), item.where("add"), "add")
            if add is not None and ("if" not in item or cond is not None):
                out.append(ScoreRule(cond, add))
        return tuple(out)

    def choices(self, value: Any, where: Where) -> tuple[Choice, ...]:
        r = self.r
        if value is None:
            return ()
        if not isinstance(value, Map):
            r.error(where, f"choices should be a map of key: label lines (like saree: {{bn: শাড়ি, "
                           f"en: Saree}}), not {kind_of(value)}")  # fmt: skip
            return ()
        if len(value) > MAX_CHOICES:
            r.error(
                where, f"{len(value)} choices; Messenger shows at most {MAX_CHOICES} quick replies"
            )
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
                        self.refs.flow(goto, item.where("goto"), f"choice {key!r} goto")
            if label is not None:
                out.append(Choice(str(key), label, score, goto))
        return tuple(out)

    def buttons(
        self, value: Any, where: Where, limit: int, most: int, what: str = "buttons"
    ) -> tuple[Button, ...]:
        items = self.r.seq(value, where, what)
        if items is None:
            return ()
        if len(items) > most:
            self.r.error(where, f"{len(items)} {what}; Messenger allows at most {most}")
        out = []
        for i, item in enumerate(items):
            button = self.button(item, items.where(i), limit)
            if button is not None:
                out.append(button)
        return tuple(out)

    def button(self, item: Any, where: Where, limit: int) -> Button | None:
        r = self.r
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
                self.refs.flow(target, at, "button flow")
                payload = f"FLOW:{target}"
        elif key == "intent":
            target = r.word(item["intent"], at, "intent")
            if target:
                self.refs.intents.append((target, at, "button intent"))
                payload = f"INTENT:{target}"
        else:
            payload = r.word(item["payload"], at, "payload")
            if payload and len(payload) > PAYLOAD_LIMIT:
                r.error(
                    at, f"payload is {len(payload)} characters; Messenger allows {PAYLOAD_LIMIT}"
                )
            elif payload:
                self.refs.postbacks.append((payload, at))
        if title is None or (url is None and payload is None):
            return None
        return Button(title, url=url, payload=payload)

    def cards(self, value: Any, where: Where) -> tuple[Card, ...]:
        r = self.r
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
            buttons = self.buttons(
                item.get("buttons"), item.where("buttons"), TITLE_LIMIT, MAX_BUTTONS
            )
            if title is not None:
                out.append(Card(title, subtitle, image, price, buttons))
        return tuple(out)

    # --- sections ----------------------------------------------------------------------

    def flow(self, fid: Any, value: Any, where: Where) -> Flow | None:
        r = self.r
        if r.word(fid, where, "flow id", FLOW_ID) is None:
            return None
        self.asks, self.ids = {}, {}
        start_on: list[str] = []
        if isinstance(value, Seq):
            steps_value, steps_where = value, where
        elif isinstance(value, Map):
            r.keys(value, ("start_on", "steps", "description"), f"flow {fid!r}")
            start_on = self.start_on(value.get("start_on"), value.where("start_on"))
            if "steps" not in value:
                r.error(where, f"flow {fid!r} has no steps:")
            steps_value, steps_where = value.get("steps"), value.where("steps")
        else:
            r.error(
                where,
                f"flow {fid!r} should be a map with start_on: and steps:, not {kind_of(value)}",
            )
            return None
        if isinstance(steps_value, Seq) and not steps_value:
            r.error(steps_where, f"flow {fid!r} has no steps")
        steps = self.steps(steps_value, steps_where, fid, "", ())
        self.refs.asks.update(self.asks)
        return Flow(
            fid, tuple(start_on), steps, where[0], where[1], MappingProxyType(dict(self.asks))
        )

    def start_on(self, value: Any, where: Where) -> list[str]:
        r = self.r
        if value is None:
            return []
        items = [(value, where)] if isinstance(value, str) else None
        if isinstance(value, Seq):
            items = [(v, value.where(i)) for i, v in enumerate(value)]
        if items is None:
            r.error(
                where,
                f"start_on should be a list like [get_started, first_message], not {kind_of(value)}",
            )
            return []
        out = []
        for item, at in items:
            if not isinstance(item, str):
                r.error(at, f"start_on items should be words, not {kind_of(item)}")
                continue
            word, colon, arg = item.partition(":")
            check = START_TRIGGERS.get(word.strip())
            if check is None:
                r.error(at, f"unknown start_on {item!r}{suggest(word, START_TRIGGERS)}; use get_started, "
                            "first_message, ice_breaker:<id>, referral:<ref> or postback:<PAYLOAD>")  # fmt: skip
                continue
            wrong = check(arg.strip())
            if wrong:
                r.error(at, f"start_on {item!r}: {word} {wrong}")
                continue
            trigger = f"{word.strip()}:{arg.strip()}" if colon else word.strip()
            if word.strip() == "ice_breaker":
                self.refs.ice_starts.append((arg.strip(), at))
            out.append(trigger)
        return out

    def intents(self, value: Any, where: Where) -> tuple[Intent, ...]:
        r = self.r
        items = r.seq(value, where, "intents")
        out: list[Intent] = []
        seen: dict[str, int] = {}
        for i, m in enumerate(items or ()):
            at = items.where(i)  # type: ignore[union-attr]
            if not isinstance(m, Map):
                r.error(
                    at,
                    f"an intent should be a map with id:, match: and say: or do:, not {kind_of(m)}",
                )
                continue
            r.keys(m, ("id", "match", "say", "do", "goto", "priority", "language"), "an intent")
            iid = r.word(m["id"], m.where("id"), "intent id", FLOW_ID) if "id" in m else None
            if "id" not in m:
                r.error(at, "give this intent an id (staff see it as the reason of a handoff)")
            if iid in seen:
                r.error(
                    m.where("id"), f"intent id {iid!r} is used twice (first on line {seen[iid]})"
                )
            name = iid or f"intent {i + 1}"
            match = m.get("match")
            words = (
                [match] if isinstance(match, str | int) and not isinstance(match, bool) else match
            )
            if not isinstance(words, list) or not [w for w in words if str(w).strip()]:
                r.error(m.where("match") if "match" in m else at,
                        f"intent {name!r} matches nothing: give match: a word or a list of words")  # fmt: skip
                words = []
            say = (
                r.text(m["say"], m.where("say"), "the intent's say text", limit=TEXT_LIMIT)
                if "say" in m
                else None
            )
            fields: dict[str, Any] = {"priority": "normal", "language": None}
            do = m.get("do") or ("goto" if "goto" in m else "language" if "language" in m else None)
            if do is not None:
                if r.choice(do, m.where("do"), "do", INTENT_ACTIONS):
                    INTENT_ACTIONS[do](self, m, fields)
                else:
                    do = None
            elif say is None:
                r.error(at, f"intent {name!r} does nothing: give it say: or do:")
            goto = r.word(m["goto"], m.where("goto"), "goto") if m.get("goto") is not None else None
            if goto:
                self.refs.flow(goto, m.where("goto"), f"intent {name!r} goto")
            if iid is not None:
                seen.setdefault(iid, at[1])
                out.append(Intent(iid, tuple(str(w).strip() for w in words if str(w).strip()), say,
                                  do, goto, fields["priority"] or "normal", at[0], at[1],
                                  fields["language"]))  # fmt: skip
        return tuple(out)

    def stages(self, value: Any, where: Where) -> tuple[Stage, ...]:
        r = self.r
        if value is None:
            return tuple(Stage(sid, MappingProxyType(name)) for sid, name in DEFAULT_STAGES)
        m = r.map(value, where, "stages")
        if m is None:
            return self.stages(None, where)
        out = []
        for sid, item in m.items():
            at = m.where(sid)
            if r.word(sid, at, "stage id", NAME) is None:
                continue
            on_enter: tuple[Step, ...] = ()
            if isinstance(item, Map) and ("name" in item or "on_enter" in item):
                r.keys(item, ("name", "on_enter"), f"stage {sid!r}")
                name = r.text(item.get("name"), item.where("name"), f"the name of stage {sid!r}")
                self.ids = {}
                on_enter = self.steps(
                    item.get("on_enter"), item.where("on_enter"), sid, "on_enter.", ()
                )
                for step in on_enter:
                    if step.kind != "say":
                        r.error((step.file, step.line), f"on_enter may only say (it is sent when staff "
                                f"move a lead), not {step.kind}; to ask something, say it with a "
                                "button: {title: …, flow: <id>}")  # fmt: skip
            else:
                name = r.text(item, at, f"the name of stage {sid!r}")
            out.append(Stage(sid, name or MappingProxyType({r.languages[0]: sid}), on_enter))
        if not out:
            r.error(where, "stages: is empty; leave it out for the default stages")
            return self.stages(None, where)
        if "new" not in m:
            r.error(where, "stages needs new: (every lead starts there)")
        return tuple(out)

    def book(self, tree: loader.Tree) -> FlowBook:
        """The whole tree; problems go to ``self.r``."""
        r, root = self.r, tree.root
        r.keys(root, ("include", *SECTIONS), "the main file")
        where = root.where

        settings_map = r.map(root.get("settings"), where("settings"), "settings")
        langs = settings_map.get("languages") if settings_map else None
        r.languages = flowcheck.languages(
            langs, settings_map.where("languages") if settings_map else where("settings"), r
        )
        settings = Settings(**flowcheck.settings(settings_map, where("settings"), r, _timezones))
        self.refs.settings = {f for f in Settings.__dataclass_fields__ if f != "extra"} | set(
            settings.extra
        )

        stages = self.stages(root.get("stages"), where("stages"))
        intents = self.intents(root.get("intents"), where("intents"))
        flows: dict[str, Flow] = {}
        flow_map = r.map(root.get("flows"), where("flows"), "flows")
        if not flow_map:
            r.error(where("flows"), "flows: is missing or empty; a bot needs at least one flow")
        for fid, value in (flow_map or {}).items():
            flow = self.flow(fid, value, flow_map.where(fid))  # type: ignore[union-attr]
            if flow is not None:
                flows[flow.id] = flow
        if flows and not any(
            t in f.start_on for f in flows.values() for t in ("get_started", "first_message")
        ):
            r.warn(where("flows"), "no flow has start_on: [get_started, first_message], so a new "
                                   "customer gets no welcome")  # fmt: skip

        followups: list[Followup] = []
        items = r.seq(root.get("followups"), where("followups"), "followups")
        for i, item in enumerate(items or ()):
            found = flowcheck.followup(item, items.where(i), r, i)  # type: ignore[union-attr]
            if found is None:
                continue
            fu = Followup(**found)
            same = next((f for f in followups if f.id == fu.id), None)
            if same is not None:
                r.error((fu.file, fu.line), f"follow-up id {fu.id!r} is used twice (first on line "
                                            f"{same.line}); give each one its own id:")  # fmt: skip
                continue
            if fu.stage:
                self.refs.stages.append((fu.stage, (fu.file, fu.line), "follow-up stage"))
            followups.append(fu)

        greeting = None
        if root.get("greeting") is not None:
            greeting = r.text(root["greeting"], where("greeting"), "the greeting")
            for lang, s in (greeting or {}).items():
                if len(s) > GREETING_LIMIT:
                    r.warn(where("greeting"), f"the {lang} greeting is {len(s)} characters; Messenger "
                                              f"shows {GREETING_LIMIT}, so it is cut")  # fmt: skip
        ice: list[Mapping[str, Any]] = []
        items = r.seq(root.get("ice_breakers"), where("ice_breakers"), "ice_breakers")
        if items is not None and len(items) > MAX_ICE_BREAKERS:
            r.error(
                where("ice_breakers"),
                f"{len(items)} ice breakers; Messenger shows at most {MAX_ICE_BREAKERS}",
            )
        for i, item in enumerate(items or ()):
            found = flowcheck.ice_breaker(item, items.where(i), r)  # type: ignore[union-attr]
            if found is None:
                continue
            if any(x["id"] == found["id"] for x in ice):
                r.error(items.where(i), f"ice breaker id {found['id']!r} is used twice")  # type: ignore[union-attr]
                continue
            self.refs.ice_breakers.append((found["id"], items.where(i)))  # type: ignore[union-attr]
            ice.append(found)
        menu = self.buttons(
            root.get("menu"), where("menu"), MENU_TITLE_LIMIT, MAX_MENU, "menu items"
        )
        canned: dict[str, Text] = {}
        canned_map = r.map(root.get("canned"), where("canned"), "canned")
        for key, value in (canned_map or {}).items():
            text = r.text(value, canned_map.where(key), f"canned reply {key!r}", limit=TEXT_LIMIT)  # type: ignore[union-attr]
            if text is not None:
                canned[str(key)] = text

        book = FlowBook(settings, stages, intents, MappingProxyType(flows), tuple(followups),
                        greeting, tuple(ice), menu, MappingProxyType(canned), tree.files)  # fmt: skip
        flowcheck.cross_check(book, self.refs, r)
        return book


def _leaves(step: Step) -> bool:
    """Whether nothing after this step in its block can run."""
    if step.kind in LEAVES:
        return True
    return (
        step.kind == "if"
        and bool(step.then and step.else_)
        and all(any(_leaves(s) for s in block) for block in (step.then, step.else_))
    )


def _timezones(name: str | None) -> Any:
    if name is None:
        return zoneinfo.available_timezones()
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


# --- the API -------------------------------------------------------------------------------


def _build(tree: loader.Tree | None, found: list[Problem]) -> tuple[FlowBook | None, list[Problem]]:
    if tree is None:
        return None, found
    r = Report()
    r.problems.extend(found)
    book = _Compiler(r).book(tree)
    order = {f: i for i, f in enumerate(tree.files)}
    problems = sorted(
        dict.fromkeys(r.problems), key=lambda p: (order.get(p.file, len(order)), p.line)
    )
    return (None if r.failed else book), problems


def load_book(path: str) -> tuple[FlowBook | None, list[Problem]]:
    """Compile ``path`` and its includes; the book is None when there is any error."""
    return _build(*loader.load(path))


def check(path: str) -> list[Problem]:
    """Every problem in ``path`` and its includes, errors and warnings, by file and line."""
    return load_book(path)[1]


def check_string(yaml_text: str, name: str = "flows.yaml") -> list[Problem]:
    """Every problem in YAML text in hand (for tests and the simulator)."""
    return _build(*loader.load_string(yaml_text, name))[1]


def book_from_string(yaml_text: str, name: str = "flows.yaml") -> FlowBook:
    """A FlowBook from YAML text (for tests); raises FlowError listing every error."""
    book, problems = _build(*loader.load_string(yaml_text, name))
    if book is None:
        errors = [str(p) for p in problems if p.severity == "error"]
        raise FlowError(f"{len(errors)} error(s) in {name}:\n" + "\n".join(errors), problems)
    return book
