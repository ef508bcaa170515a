"""Framework texts from ``locales/`` and picking owner texts by language.

Catalogs are compiled from the ``.po`` files into memory at start-up (LIBRARIES.md §2):
nothing can go stale and no ``.mo`` file is committed.
"""

from __future__ import annotations

import ast
import io
import os
from collections.abc import Iterator, Mapping
from functools import lru_cache
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations

LANGUAGES = ("bn", "en")
LOCALES_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "locales")
_BN_DIGITS = str.maketrans("0123456789", "০১২৩৪৫৬৭৮৯")


@lru_cache(maxsize=8)
def catalog(lang: str) -> NullTranslations:
    """The compiled catalog of one language; English msgids need none."""
    path = os.path.join(LOCALES_DIR, lang, "LC_MESSAGES", "messages.po")
    if not os.path.exists(path):
        if lang == "en":
            return NullTranslations()
        raise FileNotFoundError(f"no catalog for {lang!r}: {path}")
    with open(path, "rb") as f:
        cat = read_po(f, locale=lang)
    buf = io.BytesIO()
    write_mo(buf, cat)
    buf.seek(0)
    return Translations(fp=buf, domain="messages")


def N_(msgid: str) -> str:
    """Mark a text for the catalogs where it is defined; translate it where it is used."""
    return msgid


def gettext(lang: str, msgid: str, **values: Any) -> str:
    """A framework text in ``lang``, with ``{placeholders}`` filled."""
    text = catalog(lang if lang in LANGUAGES else "en").gettext(msgid)
    return text.format(**values) if values else text


def ngettext(lang: str, singular: str, plural: str, n: int, **values: Any) -> str:
    text = catalog(lang if lang in LANGUAGES else "en").ngettext(singular, plural, n)
    return text.format(n=n, **values)


def bn_digits(text: str) -> str:
    return text.translate(_BN_DIGITS)


def format_number(value: float | int, lang: str) -> str:
    """1500 → "1,500" in English, "১,৫০০" in Bangla (Babel groups, then our digits)."""
    if lang == "bn":
        return bn_digits(format_decimal(value, format="#,##,##0.##", locale="bn"))
    return format_decimal(value, format="#,##0.##", locale="en")


def pick(text: Mapping[str, str] | str | None, lang: str, default_lang: str = "bn") -> str:
    """The owner's text in ``lang``, else the default language, else any."""
    if text is None:
        return ""
    if isinstance(text, str):
        return text
    return text.get(lang) or text.get(default_lang) or next(iter(text.values()), "")


def extract_python(fileobj, keywords, comment_tags, options) -> Iterator[tuple]:
    """Babel extractor (babel.cfg) for our two call shapes: ``_("text", **values)`` in the
    workspace and ``_(lang, "text", **values)`` in the engine.

    Babel's own Python extractor picks the msgid by argument position and counts keyword
    arguments into the arity, so it cannot tell these apart: it missed every engine text,
    and ``pybabel update`` would then have dropped their translations as obsolete.
    """
    tree = ast.parse(fileobj.read())
    found: list[tuple[int, str, str, list[str]]] = []
    for node in ast.walk(tree):
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in keywords
        ):
            continue
        for arg in node.args[:2]:
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                found.append((node.lineno, node.func.id, arg.value, []))
                break
    # bot/book/messages.py: the texts of check's table, shown through gettext by check --lang
    for node in ast.walk(tree):
        target = getattr(node, "target", None) or (getattr(node, "targets", None) or [None])[0]
        name = getattr(target, "id", None)
        value = getattr(node, "value", None)
        if name == "MESSAGES" and isinstance(value, ast.Dict):
            for v in value.values:
                if isinstance(v, ast.Constant) and isinstance(v.value, str):
                    found.append((v.lineno, "N_", v.value, []))
        elif name == "YAML_PLAIN" and isinstance(value, ast.Tuple):
            for pair in value.elts:
                last = pair.elts[-1] if isinstance(pair, ast.Tuple) and pair.elts else None
                if isinstance(last, ast.Constant) and isinstance(last.value, str):
                    found.append((last.lineno, "N_", last.value, []))
    yield from sorted(found)
