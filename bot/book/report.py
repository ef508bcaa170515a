"""The Report every problem in flows.yaml goes to, and its readers of raw YAML values.

``Report`` collects each problem with its ``file:line``; its readers turn raw YAML values
into typed ones or say exactly what is wrong (and go on: nothing stops at the first problem).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator, Mapping
from types import MappingProxyType
from typing import Any

from bot.book.loader import Map, Problem, Seq
from bot.book.messages import message

Where = tuple[str, int]

LANGUAGE_NAMES = {"bn": "Bangla", "en": "English"}
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
FLOW_ID = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_-]*")
_BENGALI = re.compile(r"[\u0980-\u09ff]")
_LANG_CODE = re.compile(r"[a-z]{2,3}")


def suggest(word: Any, options: Iterable[str], cutoff: float = 0.6) -> str:
    """' (did you mean x?)' when ``word`` is a near miss of one of ``options``, else ''."""
    close = difflib.get_close_matches(str(word), list(options), n=1, cutoff=cutoff)
    return message("hint.did_you_mean", word=close[0]) if close else ""


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


def each(items: Seq | None) -> Iterator[tuple[int, Any, Where]]:
    """(index, item, where) of each item of a list that may be missing."""
    if items is not None:
        for i, item in enumerate(items):
            yield i, item, items.where(i)


def pairs(m: Map | None) -> Iterator[tuple[Any, Any, Where]]:
    """(key, value, where) of each entry of a map that may be missing."""
    if m is not None:
        for key, value in m.items():
            yield key, value, m.where(key)


CURLY = "“”‘’"


def _article(what: str) -> str:
    """'a ask step' → 'an ask step'."""
    if what.startswith("a ") and what[2:3].lower() in tuple("aeio"):
        return "an " + what[2:]
    return what


def _comma_hint(key: Any, value: Any) -> str:
    """Text cut at a comma inside { } turns into a key with no value: say so."""
    if value is None and isinstance(key, str) and (" " in key or not key.isascii()):
        return message("hint.comma")
    return ""


class Report:
    """Every problem found, and readers that report what they cannot read."""

    def __init__(self, languages: tuple[str, ...] = ("bn", "en")) -> None:
        self.problems: list[Problem] = []
        self.languages = languages
        self.texts: list[tuple[Mapping[str, str], Where]] = []  # for the placeholder check

    def error(self, where: Where, message_id: str, /, **fields: object) -> None:
        """Message ``message_id`` of ``bot.book.messages``, filled with ``fields``, as an error."""
        if message_id == "condition.syntax" and any(q in str(fields.get("source")) for q in CURLY):
            found = message("condition.curly", source=fields["source"])
            self.problems.append(Problem(where[0], where[1], found))
            return
        self.problems.append(Problem(where[0], where[1], message(message_id, **fields)))

    def warn(self, where: Where, message_id: str, /, **fields: object) -> None:
        """Message ``message_id``, filled with ``fields``, as a warning."""
        self.problems.append(Problem(where[0], where[1], message(message_id, **fields), "warning"))

    @property
    def failed(self) -> bool:
        return any(p.is_error for p in self.problems)

    # --- shapes --------------------------------------------------------------------------

    def keys(self, m: Map, allowed: Iterable[str], what: str) -> None:
        """An error at each unknown key's own line, with a did-you-mean."""
        allowed = list(allowed)
        what = _article(what)
        for key in m:
            if key not in allowed:
                self.error(
                    m.where(key),
                    "key.unknown",
                    key=key,
                    what=what,
                    hint=suggest(key, allowed),
                    allowed=", ".join(allowed),
                    comma=_comma_hint(key, m[key]),
                )

    def map(self, value: Any, where: Where, what: str) -> Map | None:
        if value is None:
            return None
        if not isinstance(value, Map):
            self.error(where, "map.wrong", what=what, kind=kind_of(value))
            return None
        return value

    def seq(self, value: Any, where: Where, what: str) -> Seq | None:
        if value is None:
            return None
        if not isinstance(value, Seq):
            self.error(where, "seq.wrong", what=what, kind=kind_of(value))
            return None
        return value

    # --- scalars -------------------------------------------------------------------------

    def integer(
        self, value: Any, where: Where, what: str, minimum: int | None = None
    ) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(where, "integer.wrong", what=what, kind=kind_of(value))
            return None
        if minimum is not None and value < minimum:
            self.error(where, "integer.small", what=what, minimum=minimum, value=value)
            return None
        return value

    def boolean(self, value: Any, where: Where, what: str) -> bool | None:
        if not isinstance(value, bool):
            self.error(where, "boolean.wrong", what=what, kind=kind_of(value))
            return None
        return value

    def word(
        self, value: Any, where: Where, what: str, pattern: re.Pattern | None = None
    ) -> str | None:
        """A non-empty string (numbers are taken as text); ``pattern`` must match all of it."""
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not value.strip():
            self.error(where, "word.wrong", what=what, kind=kind_of(value))
            return None
        if pattern is not None and not pattern.fullmatch(value):
            fixed = re.sub(r"[^A-Za-z0-9_]+", "_", value).strip("_") or "name"
            self.error(where, "word.name", what=what, value=value, fixed=fixed)
            return None
        return value

    def url(self, value: Any, where: Where, what: str) -> str | None:
        if not isinstance(value, str) or not re.match(r"https?://\S+$", value):
            self.error(where, "url.wrong", what=what, kind=kind_of(value))
            return None
        return value

    def choice(self, value: Any, where: Where, what: str, options: Iterable[str]) -> str | None:
        options = list(options)
        if not isinstance(value, str) or value not in options:
            self.error(
                where,
                "choice.wrong",
                what=what,
                options=", ".join(options),
                kind=kind_of(value),
                hint=suggest(value, options),
            )
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
                self.error(where, "text.empty", what=what)
                return None
            if len(langs) > 1 and "en" in langs and _BENGALI.search(value):
                self.warn(where, "text.only_bangla", what=what)
            self._limit(value, where, what, limit, None)
            out = MappingProxyType({langs[0]: value})
            self.texts.append((out, where))
            return out
        if not isinstance(value, Map):
            self.error(where, "text.wrong", what=what, kind=kind_of(value))
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
                    self.warn(at, "text.other_language", key=key, what=what)
                else:
                    self.error(
                        at,
                        "text.unknown_key",
                        key=key,
                        what=what,
                        hint=suggest(key, [*langs, *extra]),
                        comma=_comma_hint(key, item),
                    )
                continue
            if isinstance(item, int | float) and not isinstance(item, bool):
                item = str(item)
            if not isinstance(item, str) or not item.strip():
                self.error(at, "text.lang_wrong", key=key, what=what, kind=kind_of(item))
                continue
            self._limit(item, at, what, limit, key)
            texts[key] = item
        for lang in langs:
            if lang not in value:
                name = LANGUAGE_NAMES.get(lang, lang)
                self.error(
                    where,
                    "text.missing_lang",
                    what=what,
                    name=name,
                    lang=lang,
                    langs=", ".join(langs),
                )
        if not texts:
            return None
        out = MappingProxyType(texts)
        self.texts.append((out, where))
        return out

    def _limit(self, s: str, where: Where, what: str, limit: int | None, lang: str | None) -> None:
        if limit is not None and len(s) > limit:
            in_lang = f" in {lang}" if lang else ""
            self.error(
                where, "text.too_long", what=what, length=len(s), in_lang=in_lang, limit=limit
            )
