"""flows.yaml compiled once into a frozen FlowBook, with every problem found on the way.

The compiler walks the line-marked tree from ``bot.book.loader`` against the registries in
``bot.book.steps`` (the words of the language) and builds the frozen objects of
``bot.book.types``; it builds the one ``Context`` the step, intent and part compilers take.
``bot.book.readers`` reads the plain sections and ``bot.book.checks`` checks the whole book.
Everything a caller needs is importable from here.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from bot.book import checks, golden, loader, parts, readers, steps
from bot.book.attachments import compile_attachments
from bot.book.comments import compile_comments
from bot.book.context import Context
from bot.book.intents import INTENT_ACTIONS, compile_intents
from bot.book.loader import Map, Problem, Seq
from bot.book.messages import message
from bot.book.report import FLOW_ID, NAME, Report, Where, each, kind_of, pairs, suggest
from bot.book.steps import ANSWER_TYPES, STEP_KINDS
from bot.book.types import (
    Button,
    Card,
    Choice,
    Flow,
    FlowBook,
    Followup,
    Intent,
    ScoreRule,
    Settings,
    Stage,
    Step,
    Text,
)
from bot.errors import FlowError
from bot.messenger.policy import (
    GREETING_LIMIT,
    MAX_ICE_BREAKERS,
    MAX_MENU,
    MENU_TITLE_LIMIT,
    TEXT_LIMIT,
)

__all__ = [
    "ANSWER_TYPES",
    "INTENT_ACTIONS",
    "START_TRIGGERS",
    "STEP_KINDS",
    "Button",
    "Card",
    "Choice",
    "Flow",
    "FlowBook",
    "Followup",
    "Intent",
    "Problem",
    "ScoreRule",
    "Settings",
    "Stage",
    "Step",
    "book_from_string",
    "check",
    "check_string",
    "load_book",
]


DEFAULT_STAGES = (
    ("new", {"bn": "নতুন", "en": "New intake"}),
    ("qualified", {"bn": "যোগ্য লিড", "en": "Qualified"}),
    ("proposal", {"bn": "প্রস্তাব", "en": "Proposal"}),
    ("negotiation", {"bn": "আলোচনা", "en": "Follow-up"}),
    ("converted", {"bn": "বিক্রি হয়েছে", "en": "Converted"}),
    ("post_sales", {"bn": "বিক্রয়-পরবর্তী", "en": "Post-sales"}),
    ("lost", {"bn": "হারানো", "en": "Lost"}),
)

SECTIONS = tuple(
    "settings stages intents flows followups greeting ice_breakers menu canned tests attachments"
    " comments".split()
)


def _no_argument(arg: str) -> str | None:
    return message("start_on.takes_nothing") if arg else None


def _argument(arg: str) -> str | None:
    return None if arg.strip() else message("start_on.needs_value")


# start_on word -> check of what follows "word:"; a message when it is wrong
START_TRIGGERS: dict[str, Callable[[str], str | None]] = {
    "get_started": _no_argument,
    "first_message": _no_argument,
    "ice_breaker": _argument,  # ice_breaker:<id>
    "referral": _argument,  # referral:<ref> of an m.me link or an ad
    "postback": _argument,  # postback:<PAYLOAD> of a menu item or button
}


# --- sections ----------------------------------------------------------------------


def compile_flow(c: Context, fid: Any, value: Any, where: Where) -> Flow | None:
    r = c.r
    if r.word(fid, where, "flow id", FLOW_ID) is None:
        return None
    c.start_flow()
    start_on: list[str] = []
    title: Text | None = None
    steps_value: Any
    if isinstance(value, Seq):
        steps_value, steps_where = value, where
    elif isinstance(value, Map):
        r.keys(value, ("title", "start_on", "steps", "description"), f"flow {fid!r}")
        start_on = read_start_on(c, value.get("start_on"), value.where("start_on"))
        if "title" in value:  # what staff read instead of the flow's id
            title = r.text(value.get("title"), value.where("title"), f"the title of flow {fid!r}")
        if "steps" not in value:
            r.error(where, "flow.no_steps_key", flow=fid)
        steps_value, steps_where = value.get("steps"), value.where("steps")
    else:
        r.error(where, "flow.wrong", flow=fid, kind=kind_of(value))
        return None
    if isinstance(steps_value, Seq) and not steps_value:
        r.error(steps_where, "flow.no_steps", flow=fid)
    body = steps.compile_steps(c, steps_value, steps_where, fid, "", ())
    c.refs.asks.update(c.asks)
    asks = MappingProxyType(dict(c.asks))
    return Flow(fid, tuple(start_on), body, where[0], where[1], asks, title)


def read_start_on(c: Context, value: Any, where: Where) -> list[str]:
    r = c.r
    if value is None:
        return []
    items = [(value, where)] if isinstance(value, str) else None
    if isinstance(value, Seq):
        items = [(v, value.where(i)) for i, v in enumerate(value)]
    if items is None:
        r.error(where, "start_on.wrong", kind=kind_of(value))
        return []
    out = []
    for item, at in items:
        if not isinstance(item, str):
            r.error(at, "start_on.item", kind=kind_of(item))
            continue
        word, colon, arg = item.partition(":")
        check = START_TRIGGERS.get(word.strip())
        if check is None:
            r.error(at, "start_on.unknown", item=item, hint=suggest(word, START_TRIGGERS))
            continue
        wrong = check(arg.strip())
        if wrong:
            r.error(at, "start_on.argument", item=item, word=word, wrong=wrong)
            continue
        trigger = f"{word.strip()}:{arg.strip()}" if colon else word.strip()
        if word.strip() == "ice_breaker":
            c.refs.ice_starts.append((arg.strip(), at))
        out.append(trigger)
    return out


def compile_stages(c: Context, value: Any, where: Where) -> tuple[Stage, ...]:
    """The default stages with the owner's ``stages:`` merged in.

    An entry with a default id renames that stage (and may give it on_enter) in its
    place; a new id is the owner's own stage, placed before the next default stage
    written after it, or else after post_sales (lost stays last). So a partial map
    never drops a default stage, and the default moves of DESIGN.md stay as they are.
    """
    r = c.r
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
            c.ids = {}
            on_enter = steps.compile_steps(
                c, item.get("on_enter"), item.where("on_enter"), sid, "on_enter.", ()
            )
            for step in on_enter:
                if step.kind != "say":
                    r.error((step.file, step.line), "stage.on_enter", kind=step.kind)
        else:
            name = r.text(item, at, f"the name of stage {sid!r}")
        if name is None:
            name = merged[sid].name if sid in merged else MappingProxyType({r.languages[0]: sid})
        given[sid] = Stage(sid, name, on_enter)
    if not given:
        r.error(where, "stages.empty")
    order = list(merged)
    written = list(given)
    for i, sid in enumerate(written):
        if sid in merged:
            continue
        before = next(
            (s for s in written[i + 1 :] if s in merged and s not in ("new", "lost")), "lost"
        )
        order.insert(order.index(before), sid)
    merged.update(given)
    return tuple(merged[sid] for sid in order)


def compile_book(c: Context, tree: loader.Tree) -> FlowBook:
    """The whole tree; problems go to ``c.r``."""
    r, root = c.r, tree.root
    r.keys(root, ("include", *SECTIONS), "the main file")
    where = root.where

    settings_map = r.map(root.get("settings"), where("settings"), "settings")
    langs = settings_map.get("languages") if settings_map else None
    r.languages = readers.languages(
        langs, settings_map.where("languages") if settings_map else where("settings"), r
    )
    settings = Settings(**readers.settings(settings_map, where("settings"), r, _timezones))
    c.refs.settings = {f for f in Settings.__dataclass_fields__ if f != "extra"} | set(
        settings.extra
    )

    stages = compile_stages(c, root.get("stages"), where("stages"))
    intents = compile_intents(c, root.get("intents"), where("intents"))
    flows: dict[str, Flow] = {}
    flow_map = r.map(root.get("flows"), where("flows"), "flows")
    if not flow_map:
        r.error(where("flows"), "flows.missing")
    for fid, value, at in pairs(flow_map):
        flow = compile_flow(c, fid, value, at)
        if flow is not None:
            flows[flow.id] = flow
    if flows and not any(
        t in f.start_on for f in flows.values() for t in ("get_started", "first_message")
    ):
        r.warn(where("flows"), "flows.no_welcome")

    followups: list[Followup] = []
    items = r.seq(root.get("followups"), where("followups"), "followups")
    for i, item, at in each(items):
        found = readers.followup(item, at, r, i)
        if found is None:
            continue
        fu = Followup(**found)
        same = next((f for f in followups if f.id == fu.id), None)
        if same is not None:
            r.error((fu.file, fu.line), "followup.twice", id=fu.id, line=same.line)
            continue
        if fu.stage:
            c.refs.stages.append((fu.stage, (fu.file, fu.line), "follow-up stage"))
        followups.append(fu)

    greeting = None
    if root.get("greeting") is not None:
        greeting = r.text(root["greeting"], where("greeting"), "the greeting")
        for lang, s in (greeting or {}).items():
            if len(s) > GREETING_LIMIT:
                r.warn(
                    where("greeting"),
                    "greeting.long",
                    lang=lang,
                    length=len(s),
                    limit=GREETING_LIMIT,
                )
    ice: list[Mapping[str, Any]] = []
    items = r.seq(root.get("ice_breakers"), where("ice_breakers"), "ice_breakers")
    if items is not None and len(items) > MAX_ICE_BREAKERS:
        r.error(where("ice_breakers"), "ice_breakers.many", count=len(items), most=MAX_ICE_BREAKERS)
    for _, item, at in each(items):
        breaker = readers.ice_breaker(item, at, r)
        if breaker is None:
            continue
        if any(x["id"] == breaker["id"] for x in ice):
            r.error(at, "ice_breaker.twice", id=breaker["id"])
            continue
        c.refs.ice_breakers.append((breaker["id"], at))
        ice.append(breaker)
    menu = parts.read_buttons(
        c, root.get("menu"), where("menu"), MENU_TITLE_LIMIT, MAX_MENU, "menu items"
    )
    canned: dict[str, Text] = {}
    canned_map = r.map(root.get("canned"), where("canned"), "canned")
    for key, value, at in pairs(canned_map):
        text = r.text(value, at, f"canned reply {key!r}", limit=TEXT_LIMIT)
        if text is not None:
            canned[str(key)] = text

    book = FlowBook(
        settings,
        stages,
        intents,
        MappingProxyType(flows),
        tuple(followups),
        greeting,
        tuple(ice),
        menu,
        MappingProxyType(canned),
        tree.files,
        tests=golden.read(root.get("tests"), where("tests"), r, [s.id for s in stages]),
        attachments=compile_attachments(c, root.get("attachments"), where("attachments")),
        comments=compile_comments(c, root.get("comments"), where("comments")),
    )
    checks.cross_check(book, c.refs, r)
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
    book = compile_book(Context(r), tree)
    order = {f: i for i, f in enumerate(tree.files)}
    problems = sorted(
        dict.fromkeys(r.problems), key=lambda p: (order.get(p.file, len(order)), p.line)
    )
    return (None if r.failed else book), problems


def load_book(path: str) -> tuple[FlowBook | None, list[Problem]]:
    """Compile ``path`` and its includes; the book is None when there is any error."""
    return _build(*loader.load(path))


def load_book_files(path: str) -> tuple[FlowBook | None, list[Problem], tuple[str, ...]]:
    """Like ``load_book``, with the files read (for the watcher of the running server)."""
    tree, found = loader.load(path)
    book, problems = _build(tree, found)
    files = tree.files if tree is not None else ()
    return book, problems, files


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
        errors = [str(p) for p in problems if p.is_error]
        raise FlowError(f"{len(errors)} error(s) in {name}:\n" + "\n".join(errors), problems)
    return book
