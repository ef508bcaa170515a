"""The intents: section: what customers may say anywhere, and the actions it starts.

``INTENT_ACTIONS`` (the do: words) is a registry like ``bot.book.steps.STEP_KINDS``; the
engine carries the actions out.
"""

from __future__ import annotations

from collections.abc import Callable
from types import MappingProxyType
from typing import Any

from bot.book.builtins import BUILTINS, Builtin
from bot.book.context import Context
from bot.book.loader import Map
from bot.book.messages import message
from bot.book.report import FLOW_ID, Where, each, kind_of, suggest
from bot.book.steps import PRIORITIES
from bot.book.types import Intent
from bot.messenger.policy import TEXT_LIMIT


def _intent_handoff(c: Context, m: Map, i: dict[str, Any]) -> None:
    i["priority"] = c.r.choice(
        m.get("priority", "normal"), m.where("priority"), "priority", PRIORITIES
    )


def _intent_opt_out(c: Context, m: Map, i: dict[str, Any]) -> None:
    pass


def _intent_goto(c: Context, m: Map, i: dict[str, Any]) -> None:
    if m.get("goto") is None:
        c.r.error(m.where("do"), "do.goto")


def _intent_language(c: Context, m: Map, i: dict[str, Any]) -> None:
    lang = m.get("language")
    if lang is None:
        c.r.error(m.where("do"), "do.language", langs=" or ".join(c.r.languages))
    else:
        i["language"] = c.r.choice(lang, m.where("language"), "language", c.r.languages)


# do: word -> what it needs besides; the engine carries them out
INTENT_ACTIONS: dict[str, Callable[[Context, Map, dict[str, Any]], None]] = {
    "handoff": _intent_handoff,  # to the staff queue (priority: high jumps it)
    "opt_out": _intent_opt_out,  # no more follow-ups
    "goto": _intent_goto,  # start the flow in goto:
    "language": _intent_language,  # answer in language: bn|en from now on
}
# the actions whose value may also be written inside do:, as do: {goto: catalog}
INTENT_VALUES = ("goto", "language")


def intent_do(c: Context, m: Map) -> tuple[str | None, Map]:
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
    forms = message("do.forms")
    word = next(iter(do))
    if len(do) > 1:
        r.error(m.where("do"), "do.many", count=len(do), forms=forms)
        return None, m
    if word not in INTENT_VALUES:
        if word in INTENT_ACTIONS:
            r.error(do.where(word), "do.no_value", word=word)
        else:
            hint = suggest(word, INTENT_ACTIONS)
            r.error(do.where(word), "do.unknown", word=word, hint=hint, forms=forms)
        return None, m
    if word in m:
        r.error(m.where(word), "do.twice", word=word)
        return None, m
    return word, do


def compile_intents(c: Context, value: Any, where: Where) -> tuple[Intent, ...]:
    """The intents: section; their names go to ``c.refs`` for the cross checks."""
    r = c.r
    items = r.seq(value, where, "intents")
    out: list[Intent] = []
    seen: dict[str, tuple[str, int]] = {}
    for i, m, at in each(items):
        if not isinstance(m, Map):
            r.error(at, "intent.wrong", kind=kind_of(m))
            continue
        r.keys(m, ("id", "use", "match", "say", "do", "goto", "priority", "language"), "an intent")
        if "use" in m:
            it = _use(c, m, at)
            if it is not None:
                if it.id in seen:
                    first_file, first_line = seen[it.id]
                    if first_file == at[0]:
                        r.error(at, "intent.twice", id=it.id, line=first_line)
                    else:
                        r.error(at, "intent.twice_file", id=it.id, file=first_file, line=first_line)
                seen.setdefault(it.id, (at[0], at[1]))
                out.append(it)
            continue
        iid = r.word(m["id"], m.where("id"), "intent id", FLOW_ID) if "id" in m else None
        if "id" not in m:
            r.error(at, "intent.no_id")
        if iid in seen:
            first_file, first_line = seen[iid]
            if first_file == m.where("id")[0]:
                r.error(m.where("id"), "intent.twice", id=iid, line=first_line)
            else:
                r.error(
                    m.where("id"), "intent.twice_file", id=iid, file=first_file, line=first_line
                )
        name = iid or f"intent {i + 1}"
        match = m.get("match")
        words = [match] if isinstance(match, str | int) and not isinstance(match, bool) else match
        if not isinstance(words, list) or not [w for w in words if str(w).strip()]:
            r.error(m.where("match") if "match" in m else at, "intent.no_match", name=name)
            words = []
        say = (
            r.text(m["say"], m.where("say"), "the intent's say text", limit=TEXT_LIMIT)
            if "say" in m
            else None
        )
        fields: dict[str, Any] = {"priority": "normal", "language": None}
        do, given = intent_do(c, m)  # given: the map the action's value is in
        if do is not None:
            INTENT_ACTIONS[do](c, given, fields)
        elif say is None and not m.get("do"):
            r.error(at, "intent.nothing", name=name)
        src = given if "goto" in given else m
        goto = (
            r.word(src["goto"], src.where("goto"), "goto") if src.get("goto") is not None else None
        )
        if goto:
            c.refs.flow(goto, src.where("goto"), f"intent {name!r} goto")
        if iid is not None:
            seen.setdefault(iid, (at[0], at[1]))
            out.append(
                Intent(
                    iid,
                    tuple(str(w).strip() for w in words if str(w).strip()),
                    say,
                    do,
                    goto,
                    fields["priority"] or "normal",
                    at[0],
                    at[1],
                    fields["language"],
                )
            )
    return tuple(out)


def _use(c: Context, m: Map, at: Where) -> Intent | None:
    """``- use: <built-in>``: Barta's words and defaults, with the owner's additions.

    The owner's ``match:`` words join the built-in's; ``say:``, ``do:`` and ``priority:``
    replace its defaults; ``id:`` names it (the built-in's name otherwise).
    """
    r = c.r
    name = m["use"]
    b = BUILTINS.get(name) if isinstance(name, str) else None
    if b is None:
        hint = suggest(str(name), BUILTINS)
        r.error(
            m.where("use"), "intent.use_unknown", name=name, hint=hint, names=", ".join(BUILTINS)
        )
        return None
    iid = r.word(m["id"], m.where("id"), "intent id", FLOW_ID) if "id" in m else b.name
    if iid is None:
        return None
    extra = m.get("match")
    owner: list[Any] = []
    if isinstance(extra, str | int) and not isinstance(extra, bool):
        owner = [extra]
    elif isinstance(extra, list):
        owner = extra
    elif extra is not None:
        r.error(m.where("match"), "intent.no_match", name=iid)
    words = (*b.match, *(str(w).strip() for w in owner if str(w).strip()))
    say = (
        r.text(m["say"], m.where("say"), "the intent's say text", limit=TEXT_LIMIT)
        if "say" in m
        else _default_say(c, b)
    )
    fields: dict[str, Any] = {"priority": b.priority, "language": None}
    do, given = b.do, m
    if m.get("do") or "goto" in m or "language" in m:
        do, given = intent_do(c, m)
        if do is not None and do != "handoff":
            INTENT_ACTIONS[do](c, given, fields)
    if do == "handoff" and "priority" in m:
        fields["priority"] = r.choice(m["priority"], m.where("priority"), "priority", PRIORITIES)
    src = given if "goto" in given else m
    goto = r.word(src["goto"], src.where("goto"), "goto") if src.get("goto") is not None else None
    if goto:
        c.refs.flow(goto, src.where("goto"), f"intent {iid!r} goto")
    return Intent(
        iid,
        words,
        say,
        do,
        goto,
        fields["priority"] or "normal",
        at[0],
        at[1],
        fields["language"],
        use=b.name,
        stage=b.stage,
        capture=b.capture,
    )


def _default_say(c: Context, b: Builtin) -> Any:
    """The built-in's text in the book's languages (a setting it names must be defined)."""
    defined = dict.fromkeys(c.refs.settings, True)
    text = b.default_say(defined)
    if text is None:
        return None
    langs = c.r.languages
    return MappingProxyType({lang: text.get(lang, text["en"]) for lang in langs})


def builtin_intent(name: str) -> Intent:
    """A built-in the framework adds when the owner did not list it (``angry``)."""
    b = BUILTINS[name]
    return Intent(
        b.name,
        b.match,
        b.say,
        b.do,
        None,
        b.priority,
        "",
        0,
        use=b.name,
        stage=b.stage,
        capture=b.capture,
    )
