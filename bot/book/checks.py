"""Checking flows.yaml: owner-facing problem messages, typed readers, cross-references.

``Report`` collects every problem with its ``file:line``; its readers turn raw YAML values
into typed ones or say exactly what is wrong. ``cross_check`` runs once the whole book is
compiled: gotos, stages, intents, names in conditions and ``{placeholders}``, and flows or
ice breakers nobody can reach. Nothing here stops at the first problem.
"""

from __future__ import annotations

import difflib
import re
import string
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

from bot.book.loader import Map, Problem, Seq
from bot.messenger.policy import (
    GET_STARTED,
    PAYLOAD_ICE,
    PAYLOAD_LANG,
    SCHEDULER_MARGIN,
    WINDOW,
)

Where = tuple[str, int]

LANGUAGE_NAMES = {"bn": "Bangla", "en": "English"}
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
FLOW_ID = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_-]*")
_BENGALI = re.compile(r"[\u0980-\u09ff]")
_LANG_CODE = re.compile(r"[a-z]{2,3}")
# Placeholders the runner fills besides answers and settings.
PLACEHOLDERS = frozenset({"first_name", "name", "business", "score", "qualify_score"})
# Names an if: condition may read besides answers and settings.
EXPR_NAMES = frozenset({"score", "stage", "language", "qualify_score", "labels"})


def suggest(word: Any, options: Iterable[str], cutoff: float = 0.6) -> str:
    """' (did you mean x?)' when ``word`` is a near miss of one of ``options``, else ''."""
    close = difflib.get_close_matches(str(word), list(options), n=1, cutoff=cutoff)
    return f" (did you mean {close[0]}?)" if close else ""


def kind_of(value: Any) -> str:
    """How an owner would describe what they wrote."""
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, Map):
        return "a map"
    if isinstance(value, Seq):
        return "a list"
    if value is None:
        return "nothing"
    return repr(value)


def _comma_hint(key: Any, value: Any) -> str:
    """Text cut at a comma inside { } turns into a key with no value: say so."""
    if value is None and isinstance(key, str) and (" " in key or not key.isascii()):
        return " (inside { }, a comma starts a new key: put text that has commas in quotes)"
    return ""


class Report:
    """Every problem found, and readers that report what they cannot read."""

    def __init__(self, languages: tuple[str, ...] = ("bn", "en")) -> None:
        self.problems: list[Problem] = []
        self.languages = languages
        self.texts: list[tuple[Mapping[str, str], Where]] = []  # for the placeholder check

    def error(self, where: Where, message: str) -> None:
        self.problems.append(Problem(where[0], where[1], message))

    def warn(self, where: Where, message: str) -> None:
        self.problems.append(Problem(where[0], where[1], message, "warning"))

    @property
    def failed(self) -> bool:
        return any(p.severity == "error" for p in self.problems)

    # --- shapes --------------------------------------------------------------------------

    def keys(self, m: Map, allowed: Iterable[str], what: str) -> None:
        """An error at each unknown key's own line, with a did-you-mean."""
        allowed = list(allowed)
        for key in m:
            if key not in allowed:
                self.error(m.where(key), f"unknown key {key!r} in {what}{suggest(key, allowed)}; "
                           f"it may have: {', '.join(allowed)}{_comma_hint(key, m[key])}")  # fmt: skip

    def map(self, value: Any, where: Where, what: str) -> Map | None:
        if value is None:
            return None
        if not isinstance(value, Map):
            self.error(where, f"{what} should be a map (key: value lines), not {kind_of(value)}")
            return None
        return value

    def seq(self, value: Any, where: Where, what: str) -> Seq | None:
        if value is None:
            return None
        if not isinstance(value, Seq):
            self.error(
                where, f"{what} should be a list (lines starting with '- '), not {kind_of(value)}"
            )
            return None
        return value

    # --- scalars -------------------------------------------------------------------------

    def integer(
        self, value: Any, where: Where, what: str, minimum: int | None = None
    ) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(where, f"{what} should be a whole number, not {kind_of(value)}")
            return None
        if minimum is not None and value < minimum:
            self.error(where, f"{what} should be at least {minimum}, not {value}")
            return None
        return value

    def boolean(self, value: Any, where: Where, what: str) -> bool | None:
        if not isinstance(value, bool):
            self.error(where, f"{what} should be true or false, not {kind_of(value)}")
            return None
        return value

    def word(
        self, value: Any, where: Where, what: str, pattern: re.Pattern | None = None
    ) -> str | None:
        """A non-empty string (numbers are taken as text); ``pattern`` must match all of it."""
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not value.strip():
            self.error(where, f"{what} should be a word, not {kind_of(value)}")
            return None
        if pattern is not None and not pattern.fullmatch(value):
            fixed = re.sub(r"[^A-Za-z0-9_]+", "_", value).strip("_") or "name"
            self.error(where, f"{what} {value!r} should be a simple name: English letters, digits "
                              f"and _ (for example {fixed})")  # fmt: skip
            return None
        return value

    def url(self, value: Any, where: Where, what: str) -> str | None:
        if not isinstance(value, str) or not re.match(r"https?://\S+$", value):
            self.error(
                where,
                f"{what} should be a web address starting with https://, not {kind_of(value)}",
            )
            return None
        return value

    def choice(self, value: Any, where: Where, what: str, options: Iterable[str]) -> str | None:
        options = list(options)
        if not isinstance(value, str) or value not in options:
            self.error(where, f"{what} should be one of {', '.join(options)}, not "
                              f"{kind_of(value)}{suggest(value, options)}")  # fmt: skip
            return None
        return value

    # --- texts ---------------------------------------------------------------------------

    def text(
        self,
        value: Any,
        where: Where,
        what: str,
        *,
        limit: int | None = None,
        extra: Iterable[str] = (),
    ) -> Mapping[str, str] | None:
        """A text: a plain string (the same in every language) or one string per language.

        ``extra`` keys (a choice's ``score``, ``goto``) may sit beside the languages; the
        caller reads them.
        """
        langs = self.languages
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)
        if isinstance(value, str):
            if not value.strip():
                self.error(where, f"{what} is empty")
                return None
            if len(langs) > 1 and "en" in langs and _BENGALI.search(value):
                self.warn(where, f"{what} is only in Bangla; English-speaking customers get it as "
                                 "it is (write {bn: …, en: …})")  # fmt: skip
            self._limit(value, where, what, limit, None)
            out = MappingProxyType({langs[0]: value})
            self.texts.append((out, where))
            return out
        if not isinstance(value, Map):
            self.error(where, f"{what} should be text, or {{bn: …, en: …}}, not {kind_of(value)}")
            return None
        texts: dict[str, str] = {}
        extra = tuple(extra)
        for key, item in value.items():
            at = value.where(key)
            if key in extra:
                continue
            if key not in langs:
                if (
                    isinstance(key, str)
                    and _LANG_CODE.fullmatch(key)
                    and not suggest(key, extra, 0.7)
                ):
                    self.warn(at, f"a {key!r} text in {what}, but {key} is not in settings.languages: "
                                  "it is never shown")  # fmt: skip
                else:
                    self.error(at, f"unknown key {key!r} in {what}{suggest(key, [*langs, *extra])}"
                                   f"{_comma_hint(key, item)}")  # fmt: skip
                continue
            if isinstance(item, int | float) and not isinstance(item, bool):
                item = str(item)
            if not isinstance(item, str) or not item.strip():
                self.error(at, f"the {key} text of {what} should be text, not {kind_of(item)}")
                continue
            self._limit(item, at, what, limit, key)
            texts[key] = item
        for lang in langs:
            if lang not in value:
                name = LANGUAGE_NAMES.get(lang, lang)
                self.error(where, f"{what} has no {name} text ({lang}:); settings.languages is "
                                  f"[{', '.join(langs)}], so every text needs each of them")  # fmt: skip
        if not texts:
            return None
        out = MappingProxyType(texts)
        self.texts.append((out, where))
        return out

    def _limit(self, s: str, where: Where, what: str, limit: int | None, lang: str | None) -> None:
        if limit is not None and len(s) > limit:
            in_lang = f" in {lang}" if lang else ""
            self.error(where, f"{what} is {len(s)} characters{in_lang}; Messenger allows {limit}")


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
        r.error(where, f"languages should be a list like [bn, en], not {kind_of(value)}")
        return BARTA_LANGUAGES
    out: list[str] = []
    for lang in items:
        if lang in out:
            r.error(where, f"language {lang!r} is listed twice")
            continue
        if lang not in BARTA_LANGUAGES:
            r.warn(where, f"language {lang!r}{suggest(lang, BARTA_LANGUAGES)}: Barta speaks bn and en, "
                          "so its own messages to these customers will be in English")  # fmt: skip
        out.append(lang)
    return tuple(out)


def clock_time(value: Any, where: Where, r: Report, what: str) -> str | None:
    if not isinstance(value, str) or not _TIME.fullmatch(value.strip()):
        r.error(where, f'{what} should be a time like "10:00" (24-hour), not {kind_of(value)}')
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
        r.error(m.where("days"), f"days should be a list like [sat, sun, mon], not {kind_of(days)}")
        days = list(DAYS)
    good = []
    for d in days:
        if d not in DAYS:
            r.error(m.where("days"), f"unknown day {d!r}{suggest(str(d).lower()[:3], DAYS)}; days are "
                                     f"{', '.join(DAYS)}")  # fmt: skip
        elif d not in good:
            good.append(d)
    open_ = clock_time(m.get("open"), m.where("open"), r, "open")
    close = clock_time(m.get("close"), m.where("close"), r, "close")
    if open_ and close and open_ == close:
        r.error(
            m.where("close"), "open and close are the same time; leave hours out if you never close"
        )
    if not (open_ and close):
        return None
    return MappingProxyType({"days": tuple(good), "open": open_, "close": close})


def settings(m: Map | None, where: Where, r: Report, timezones: Any) -> dict[str, Any]:
    """settings: → keyword arguments of flowbook.Settings (languages already in ``r``).

    ``timezones(name)`` says whether a zone exists; ``timezones(None)`` lists them all.
    """
    out: dict[str, Any] = {
        "languages": r.languages,
        "business": MappingProxyType({r.languages[0]: ""}),
    }
    if m is None or "business" not in m:
        r.error(where, "settings needs business: (the shop's name, used as {business})")
    elif (business := r.text(m["business"], m.where("business"), "business")) is not None:
        out["business"] = business
    if m is None:
        return out
    w = m.where
    if "timezone" in m:
        tz = m["timezone"]
        if not isinstance(tz, str) or not timezones(tz):
            r.error(w("timezone"), f"unknown timezone {kind_of(tz)}{suggest(tz, timezones(None), 0.8)} "
                                   "(for Bangladesh: Asia/Dhaka)")  # fmt: skip
        else:
            out["timezone"] = tz
    if "currency" in m:
        cur = m["currency"]
        if not isinstance(cur, str) or not _CURRENCY.fullmatch(cur):
            r.error(
                w("currency"),
                f"currency should be a three-letter code like BDT, not {kind_of(cur)}",
            )
        else:
            out["currency"] = cur
    if m.get("hours") is not None:
        out["hours"] = hours(m["hours"], w("hours"), r)
    for key, least in (("qualify_score", 0), ("max_retries", 1), ("followup_limit", 0),
                       ("response_target_minutes", 1)):  # fmt: skip
        if key in m:
            value = r.integer(m[key], w(key), key, least)
            if value is not None:
                out[key] = value
    if "quiet_hours" in m:
        q = m["quiet_hours"]
        if q in (None, False) or q == []:
            out["quiet_hours"] = ()
        elif isinstance(q, list) and len(q) == 2:
            times = [clock_time(t, w("quiet_hours"), r, "quiet_hours") for t in q]
            if all(times):
                out["quiet_hours"] = tuple(times)
        else:
            r.error(
                w("quiet_hours"),
                f'quiet_hours should be ["22:00", "08:00"] (from, to), not {kind_of(q)}',
            )
    known = ("business", "languages", "timezone", "currency", "hours", "qualify_score", "max_retries",
             "followup_limit", "quiet_hours", "response_target_minutes")  # fmt: skip
    extra: dict[str, Any] = {}
    for key, value in m.items():
        if key in known:
            continue
        at = w(key)
        if not isinstance(key, str) or not NAME.fullmatch(key):
            r.error(at, f"setting {key!r} should be a simple name (English letters, digits, _) so it can "
                        "be used as a {placeholder}")  # fmt: skip
            continue
        near = suggest(key, known, 0.8)
        if near:
            r.warn(at, f"unknown setting {key!r}{near}; it is kept as a value for {{placeholders}}")
        if isinstance(value, Map):
            value = r.text(value, at, f"setting {key}")
        elif isinstance(value, Seq):
            value = tuple(value)
        extra[key] = value
    out["extra"] = MappingProxyType(extra)
    return out


# --- follow-ups, ice breakers, canned -------------------------------------------------------


def followup(m: Any, where: Where, r: Report, index: int) -> dict[str, Any] | None:
    """One followups: item → keyword arguments of flowbook.Followup (stage checked later)."""
    if not isinstance(m, Map):
        r.error(where, f"a follow-up should be a map with after: and say:, not {kind_of(m)}")
        return None
    r.keys(m, ("id", "stage", "after", "say", "answer", "label"), "a follow-up")
    fid = r.word(m["id"], m.where("id"), "follow-up id", NAME) if "id" in m else None
    stage = r.word(m["stage"], m.where("stage"), "stage") if m.get("stage") is not None else None
    after = seconds(m.get("after"))
    if "after" not in m:
        r.error(
            where, "a follow-up needs after: (how long after the customer's last message: 3h, 30m)"
        )
    elif after is None:
        r.error(m.where("after"), f"after: should be a time like 3h, 30m, 1d or 90s, not "
                                  f"{kind_of(m['after'])}")  # fmt: skip
    elif after <= 0:
        r.error(m.where("after"), "after: should be more than 0")
        after = None
    elif after >= WINDOW:
        r.error(m.where("after"), f"after: {m['after']} is 24 hours or more: Messenger lets a page write "
                "only within 24 hours of the customer's last message. The message tags that allowed "
                "later messages were withdrawn in April 2026, and HUMAN_AGENT is only for a person's "
                "own replies, so this follow-up could never be sent; use less than 24h (e.g. 20h)")  # fmt: skip
        after = None
    elif after > WINDOW - SCHEDULER_MARGIN:
        r.warn(m.where("after"), f"after: {m['after']} is so close to Messenger's 24-hour window that "
                                 "it is never sent (the scheduler keeps 10 minutes spare); use 23h")  # fmt: skip
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
    return {"id": fid, "stage": stage, "after": after, "say": say, "answer": answer,
            "label": label, "file": where[0], "line": where[1]}  # fmt: skip


def ice_breaker(m: Any, where: Where, r: Report) -> Mapping[str, Any] | None:
    if not isinstance(m, Map):
        r.error(where, f"an ice breaker should be {{id: …, question: …}}, not {kind_of(m)}")
        return None
    r.keys(m, ("id", "question"), "an ice breaker")
    iid = r.word(m.get("id"), m.where("id"), "ice breaker id", NAME)
    question = r.text(m.get("question"), m.where("question"), "the ice breaker question")
    if iid is None or question is None:
        return None
    return MappingProxyType({"id": iid, "question": question})


# --- the whole book ----------------------------------------------------------------------------


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
