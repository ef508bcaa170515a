"""flows.yaml compiled once into a frozen FlowBook, with every problem found on the way.

The compiler walks the line-marked tree from ``bot.book.loader`` against the registries in
``bot.book.steps`` (the words of the language) and builds the frozen objects of
``bot.book.types``. ``bot.book.checks`` holds the readers and the checks that need the whole
book. Everything a caller needs is importable from here.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from bot.book import checks, expr, loader
from bot.book import steps as parts
from bot.book.checks import FLOW_ID, NAME, Report, Where, kind_of, suggest
from bot.book.loader import Map, Problem, Seq
from bot.book.steps import (
    ANSWER_TYPES,
    DEFAULT_STAGES,
    INTENT_ACTIONS,
    RESERVED,
    SECTIONS,
    START_TRIGGERS,
    STEP_KEYS,
    STEP_KINDS,
    At,
    Refs,
    ends_block,
)  # fmt: skip
from bot.book.types import (
    Button,
    Card,
    Choice,
    Flow,
    FlowBook,
    Followup,
    Intent,
    Path,
    ScoreRule,
    Settings,
    Stage,
    Step,
    Text,
)  # fmt: skip
from bot.errors import FlowError
from bot.messenger.policy import (
    GREETING_LIMIT,
    MAX_ICE_BREAKERS,
    MAX_MENU,
    MENU_TITLE_LIMIT,
    TEXT_LIMIT,
)

__all__ = [
    "ANSWER_TYPES", "INTENT_ACTIONS", "START_TRIGGERS", "STEP_KINDS", "Button", "Card",
    "Choice", "Flow", "FlowBook", "Followup", "Intent", "Problem", "ScoreRule", "Settings",
    "Stage", "Step", "book_from_string", "check", "check_string", "load_book",
]  # fmt: skip


class _Compiler:
    """One pass over the tree: typed, frozen objects out, every problem into ``r``."""

    def __init__(self, r: Report) -> None:
        self.r = r
        self.refs = Refs()
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
        reported = False
        for i, item in enumerate(items):
            at = items.where(i)
            if left is not None and not reported:
                reported = True  # once per block: the steps after it are unreachable too
                why = (
                    "every branch of the if step" if left.kind == "if" else f"the {left.kind} step"
                )
                self.r.error(at, f"this step is never reached: {why} on line {left.line} leaves "
                                 "the flow; move it above, or remove it")  # fmt: skip
            step = self.step(item, at, owner, f"{prefix}{i + 1}", (*path, i))
            if step is not None:
                out.append(step)
                if left is None and ends_block(step):
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
        at = At(kind, step_id, where[0], where[1], owner, pos, path)
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
            do, given = parts.intent_do(self, m)  # given: the map the action's value is in
            if do is not None:
                INTENT_ACTIONS[do](self, given, fields)
            elif say is None and not m.get("do"):
                r.error(at, f"intent {name!r} does nothing: give it say: or do:")
            src = given if "goto" in given else m
            goto = (
                r.word(src["goto"], src.where("goto"), "goto")
                if src.get("goto") is not None
                else None
            )
            if goto:
                self.refs.flow(goto, src.where("goto"), f"intent {name!r} goto")
            if iid is not None:
                seen.setdefault(iid, at[1])
                out.append(Intent(iid, tuple(str(w).strip() for w in words if str(w).strip()), say,
                                  do, goto, fields["priority"] or "normal", at[0], at[1],
                                  fields["language"]))  # fmt: skip
        return tuple(out)

    def stages(self, value: Any, where: Where) -> tuple[Stage, ...]:
        """The default stages with the owner's ``stages:`` merged in.

        An entry with a default id renames that stage (and may give it on_enter) in its
        place; a new id is the owner's own stage, placed before the next default stage
        written after it, or else after post_sales (lost stays last). So a partial map
        never drops a default stage, and the default moves of DESIGN.md stay as they are.
        """
        r = self.r
        merged = {sid: Stage(sid, MappingProxyType(name)) for sid, name in DEFAULT_STAGES}
        m = r.map(value, where, "stages")
        if m is None:
            return tuple(merged.values())
        given: dict[str, Stage] = {}
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
            if name is None:
                name = (
                    merged[sid].name if sid in merged else MappingProxyType({r.languages[0]: sid})
                )
            given[sid] = Stage(sid, name, on_enter)
        if not given:
            r.error(where, "stages: is empty; leave it out for the default stages")
        order = list(merged)
        written = list(given)
        for i, sid in enumerate(written):
            if sid in merged:
                continue
            before = next((s for s in written[i + 1 :] if s in merged and s not in ("new", "lost")),
                          "lost")  # fmt: skip
            order.insert(order.index(before), sid)
        merged.update(given)
        return tuple(merged[sid] for sid in order)

    def book(self, tree: loader.Tree) -> FlowBook:
        """The whole tree; problems go to ``self.r``."""
        r, root = self.r, tree.root
        r.keys(root, ("include", *SECTIONS), "the main file")
        where = root.where

        settings_map = r.map(root.get("settings"), where("settings"), "settings")
        langs = settings_map.get("languages") if settings_map else None
        r.languages = checks.languages(
            langs, settings_map.where("languages") if settings_map else where("settings"), r
        )
        settings = Settings(**checks.settings(settings_map, where("settings"), r, _timezones))
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
            found = checks.followup(item, items.where(i), r, i)  # type: ignore[union-attr]
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
            found = checks.ice_breaker(item, items.where(i), r)  # type: ignore[union-attr]
            if found is None:
                continue
            if any(x["id"] == found["id"] for x in ice):
                r.error(items.where(i), f"ice breaker id {found['id']!r} is used twice")  # type: ignore[union-attr]
                continue
            self.refs.ice_breakers.append((found["id"], items.where(i)))  # type: ignore[union-attr]
            ice.append(found)
        menu = parts.read_buttons(
            self, root.get("menu"), where("menu"), MENU_TITLE_LIMIT, MAX_MENU, "menu items"
        )
        canned: dict[str, Text] = {}
        canned_map = r.map(root.get("canned"), where("canned"), "canned")
        for key, value in (canned_map or {}).items():
            text = r.text(value, canned_map.where(key), f"canned reply {key!r}", limit=TEXT_LIMIT)  # type: ignore[union-attr]
            if text is not None:
                canned[str(key)] = text

        book = FlowBook(settings, stages, intents, MappingProxyType(flows), tuple(followups),
                        greeting, tuple(ice), menu, MappingProxyType(canned), tree.files)  # fmt: skip
        checks.cross_check(book, self.refs, r)
        return book


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
