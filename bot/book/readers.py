"""Readers of the sections that are plain values: settings:, followups:, ice_breakers:.

Each turns the raw YAML of one section (or one item) into the keyword arguments of its
frozen type in ``bot.book.types``, reporting what is wrong to the Report.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from bot.book.loader import Map, Seq
from bot.book.report import NAME, Report, Where, kind_of, suggest
from bot.messenger.policy import SCHEDULER_MARGIN, WINDOW

# --- durations -------------------------------------------------------------------------------

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_PART = re.compile(r"(\d+(?:\.\d+)?)\s*([smhd])")


def seconds(value: Any) -> float | None:
    """'3h' → 10800.0; '1h30m', '90s', '1d' too; None when it is not a duration."""
    if not isinstance(value, str):
        return None
    s = value.strip().lower().translate(str.maketrans("০১২৩৪৫৬৭৮৯", "0123456789"))
    if not s or _PART.sub("", s).strip():
        return None
    return sum(float(n) * _UNITS[u] for n, u in _PART.findall(s))


# --- settings ----------------------------------------------------------------------------------

DAYS = ("sat", "sun", "mon", "tue", "wed", "thu", "fri")
_TIME = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")
_CURRENCY = re.compile(r"[A-Z]{3}")
BARTA_LANGUAGES = ("bn", "en")  # the languages Barta's own texts exist in


def languages(value: Any, where: Where, r: Report) -> tuple[str, ...]:
    """settings.languages, read before any text (texts are checked against it)."""
    if value is None:
        return BARTA_LANGUAGES
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, Seq | list) or not items or not all(isinstance(v, str) for v in items):
        r.error(where, "languages.wrong", kind=kind_of(value))
        return BARTA_LANGUAGES
    out: list[str] = []
    for lang in items:
        if lang in out:
            r.error(where, "languages.twice", lang=lang)
            continue
        if lang not in BARTA_LANGUAGES:
            r.warn(where, "languages.foreign", lang=lang, hint=suggest(lang, BARTA_LANGUAGES))
        out.append(lang)
    return tuple(out)


def clock_time(value: Any, where: Where, r: Report, what: str) -> str | None:
    if not isinstance(value, str) or not _TIME.fullmatch(value.strip()):
        r.error(where, "time.wrong", what=what, kind=kind_of(value))
        return None
    h, m = _TIME.fullmatch(value.strip()).groups()  # type: ignore[union-attr]
    return f"{int(h):02d}:{m}"


def hours(value: Any, where: Where, r: Report) -> Mapping[str, Any] | None:
    m = r.map(value, where, "hours")
    if m is None:
        return None
    r.keys(m, ("days", "open", "close"), "hours")
    days = m.get("days", list(DAYS))
    if not isinstance(days, list) or not days:
        r.error(m.where("days"), "days.wrong", kind=kind_of(days))
        days = list(DAYS)
    good = []
    for d in days:
        if d not in DAYS:
            hint = suggest(str(d).lower()[:3], DAYS)
            r.error(m.where("days"), "days.unknown", day=d, hint=hint, days=", ".join(DAYS))
        elif d not in good:
            good.append(d)
    open_ = clock_time(m.get("open"), m.where("open"), r, "open")
    close = clock_time(m.get("close"), m.where("close"), r, "close")
    if open_ and close and open_ == close:
        r.error(m.where("close"), "hours.same")
    if not (open_ and close):
        return None
    return MappingProxyType({"days": tuple(good), "open": open_, "close": close})


def settings(m: Map | None, where: Where, r: Report, timezones: Any) -> dict[str, Any]:
    """settings: → keyword arguments of ``types.Settings`` (languages already in ``r``).

    ``timezones(name)`` says whether a zone exists; ``timezones(None)`` lists them all.
    """
    out: dict[str, Any] = {
        "languages": r.languages,
        "business": MappingProxyType({r.languages[0]: ""}),
    }
    if m is None or "business" not in m:
        r.error(where, "settings.business")
    elif (business := r.text(m["business"], m.where("business"), "business")) is not None:
        out["business"] = business
    if m is None:
        return out
    w = m.where
    if "timezone" in m:
        tz = m["timezone"]
        if not isinstance(tz, str) or not timezones(tz):
            hint = suggest(tz, timezones(None), 0.8)
            r.error(w("timezone"), "settings.timezone", kind=kind_of(tz), hint=hint)
        else:
            out["timezone"] = tz
    if "currency" in m:
        cur = m["currency"]
        if not isinstance(cur, str) or not _CURRENCY.fullmatch(cur):
            r.error(w("currency"), "settings.currency", kind=kind_of(cur))
        else:
            out["currency"] = cur
    if m.get("hours") is not None:
        out["hours"] = hours(m["hours"], w("hours"), r)
    for key, least in (
        ("qualify_score", 0),
        ("max_retries", 1),
        ("followup_limit", 0),
        ("response_target_minutes", 1),
    ):
        if key in m:
            number = r.integer(m[key], w(key), key, least)
            if number is not None:
                out[key] = number
    if "quiet_hours" in m:
        q = m["quiet_hours"]
        if q in (None, False) or q == []:
            out["quiet_hours"] = ()
        elif isinstance(q, list) and len(q) == 2:
            times = [clock_time(t, w("quiet_hours"), r, "quiet_hours") for t in q]
            if all(times):
                out["quiet_hours"] = tuple(times)
        else:
            r.error(w("quiet_hours"), "settings.quiet_hours", kind=kind_of(q))
    known = tuple(
        "business languages timezone currency hours"
        " qualify_score max_retries followup_limit quiet_hours response_target_minutes".split()
    )
    extra: dict[str, Any] = {}
    for key, value in m.items():
        if key in known:
            continue
        at = w(key)
        if not isinstance(key, str) or not NAME.fullmatch(key):
            r.error(at, "settings.name", key=key)
            continue
        near = suggest(key, known, 0.8)
        if near:
            r.warn(at, "settings.unknown", key=key, hint=near)
        if isinstance(value, Map):
            value = r.text(value, at, f"setting {key}")
        elif isinstance(value, Seq):
            value = tuple(value)
        extra[key] = value
    out["extra"] = MappingProxyType(extra)
    return out


# --- follow-ups, ice breakers, canned -------------------------------------------------------


def followup(m: Any, where: Where, r: Report, index: int) -> dict[str, Any] | None:
    """One followups: item → keyword arguments of ``types.Followup`` (stage checked later)."""
    if not isinstance(m, Map):
        r.error(where, "followup.wrong", kind=kind_of(m))
        return None
    r.keys(m, ("id", "stage", "after", "say", "answer", "label"), "a follow-up")
    fid = r.word(m["id"], m.where("id"), "follow-up id", NAME) if "id" in m else None
    stage = r.word(m["stage"], m.where("stage"), "stage") if m.get("stage") is not None else None
    after = seconds(m.get("after"))
    if "after" not in m:
        r.error(where, "followup.no_after")
    elif after is None:
        r.error(m.where("after"), "followup.after_wrong", kind=kind_of(m["after"]))
    elif after <= 0:
        r.error(m.where("after"), "followup.after_zero")
        after = None
    elif after >= WINDOW:
        r.error(m.where("after"), "followup.after_window", after=m["after"])
        after = None
    elif after > WINDOW - SCHEDULER_MARGIN:
        r.warn(m.where("after"), "followup.after_margin", after=m["after"])
    say = r.text(m.get("say"), m.where("say"), "the follow-up text", limit=2000)
    answer = None
    if m.get("answer") is not None:
        a = r.map(m["answer"], m.where("answer"), "answer")
        if a is not None:
            answer = MappingProxyType(
                {k: tuple(v) if isinstance(v, list) else v for k, v in a.items()}
            )
    label = r.word(m["label"], m.where("label"), "label") if m.get("label") is not None else None
    if after is None or say is None:
        return None
    if fid is None:
        fid = f"{stage or 'any'}_{m['after']}".replace(" ", "")
    return {
        "id": fid,
        "stage": stage,
        "after": after,
        "say": say,
        "answer": answer,
        "label": label,
        "file": where[0],
        "line": where[1],
    }


def ice_breaker(m: Any, where: Where, r: Report) -> Mapping[str, Any] | None:
    if not isinstance(m, Map):
        r.error(where, "ice_breaker.wrong", kind=kind_of(m))
        return None
    r.keys(m, ("id", "question"), "an ice breaker")
    iid = r.word(m.get("id"), m.where("id"), "ice breaker id", NAME)
    question = r.text(m.get("question"), m.where("question"), "the ice breaker question")
    if iid is None or question is None:
        return None
    return MappingProxyType({"id": iid, "question": question})
