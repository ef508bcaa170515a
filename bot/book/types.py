"""The frozen objects flows.yaml compiles into (``bot.book.compiler`` builds them).

A FlowBook is built once per load and shared by every thread: nothing in it changes after
the compiler is done, so the runner and the engine read it without locks.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from bot.book import expr

Text = Mapping[str, str]  # language -> text, a MappingProxyType
Path = tuple[int | str, ...]  # see Flow.asks
EMPTY: Mapping[str, Any] = MappingProxyType({})


@dataclass(frozen=True)
class Choice:
    key: str
    label: Text
    score: int = 0
    goto: str | None = None  # a flow to start after this choice
    match: tuple[str, ...] = ()  # more ways customers say it (flows.yaml `match:`)


# What a type: district question saves beside its own answer, as <id>_area and <id>_zone.
DISTRICT_PARTS = ("area", "zone")


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
    title: Text | None = None  # what the workspace shows staff instead of the id

    def at(self, path: Path) -> Step:
        """The step a path from ``asks`` leads to."""
        step = self.steps[int(path[0])]
        for i in range(1, len(path), 2):
            block = step.then if path[i] == "then" else step.else_
            step = block[int(path[i + 1])]
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
    use: str | None = None  # the built-in it is (bot.book.builtins), for `- use: <name>`
    stage: str | None = None  # move the lead here when the move is legal (discount)
    capture: str | None = None  # "payment_ref": save the payment reference the message gives


@dataclass(frozen=True)
class AttachmentRule:
    """What the bot does when a customer sends an attachment of one kind (``attachments:``)."""

    kind: str  # image | video | audio | file | sticker | like | location | other
    say: Text | None  # None: Barta's own words; an empty mapping: say nothing
    do: str  # handoff | reply


@dataclass(frozen=True)
class CommentRule:
    """Which Page comments get what (``comments:``, bot.book.comments): the first rule
    that fits a comment answers it."""

    match: tuple[str, ...]  # words or phrases; empty: every comment
    posts: tuple[str, ...]  # post or media ids; empty: every post
    skip_posts: tuple[str, ...]  # posts the owner turned it off for
    channels: tuple[str, ...]  # facebook | instagram
    reply: Mapping[str, tuple[str, ...]]  # public reply variants by language (one at random)
    private: Text | None  # the one private message
    flow: str | None  # runs when the customer answers the private message
    hide_phone: bool  # hide the comment when it shows a phone number
    file: str = ""
    line: int = 0


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
    # {"days": ("sat", …), "open": "10:00", "close": "21:00"}
    hours: Mapping[str, Any] | None = None
    qualify_score: int = 50
    max_retries: int = 2
    followup_limit: int = 2
    quiet_hours: tuple[str, ...] = ("22:00", "08:00")  # () when there are none
    response_target_minutes: int = 15
    # the other settings, for {placeholders} and if: names
    extra: Mapping[str, Any] = field(default_factory=lambda: EMPTY)


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
    date_answers: frozenset[str] = field(default=frozenset(), repr=False, compare=False)
    district_answers: frozenset[str] = field(default=frozenset(), repr=False, compare=False)
    tests: tuple[Any, ...] = field(default=(), repr=False, compare=False)  # bot.book.golden
    # the owner's attachments: section, by kind (bot.book.attachments); Barta's defaults else
    attachments: Mapping[str, AttachmentRule] = field(default_factory=lambda: EMPTY)
    comments: tuple[CommentRule, ...] = ()  # the comments: section (bot.book.comments)

    def __post_init__(self) -> None:
        starts: dict[str, list[Flow]] = {}
        for flow in self.flows.values():
            for trigger in flow.start_on:
                starts.setdefault(trigger, []).append(flow)
        object.__setattr__(
            self, "_starts", MappingProxyType({k: tuple(v) for k, v in starts.items()})
        )
        # ids of type: date questions, so texts show their answers as dates (runner.render)
        dates = {
            k for f in self.flows.values() for k, p in f.asks.items() if f.at(p).type == "date"
        }
        object.__setattr__(self, "date_answers", frozenset(dates))
        # ids of type: district questions: each also saves <id>_area and <id>_zone
        places = {
            k for f in self.flows.values() for k, p in f.asks.items() if f.at(p).type == "district"
        }
        object.__setattr__(self, "district_answers", frozenset(places))

    def derived_answers(self) -> frozenset[str]:
        """Answer names saved beside a question's own: ``<id>_area``, ``<id>_zone``."""
        return frozenset(f"{k}_{part}" for k in self.district_answers for part in DISTRICT_PARTS)

    def stage(self, id: str) -> Stage:
        """The stage with this id; KeyError when there is none."""
        for s in self.stages:
            if s.id == id:
                return s
        raise KeyError(id)

    def flows_for(self, trigger: str) -> list[Flow]:
        """Flows whose start_on includes ``trigger``, in file order."""
        return list(self._starts.get(trigger, ()))
