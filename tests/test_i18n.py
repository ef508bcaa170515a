"""The catalogs: every framework text the code or a template uses has its Bangla, with the
same placeholders, found by the same extraction CONTRIBUTING.md tells contributors to run."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
PLACEHOLDER = re.compile(r"\{\w+\}|%\(\w+\)s")


def used_msgids() -> dict[str, str]:
    with open(ROOT / "babel.cfg", encoding="utf-8") as f:
        method_map, options_map = parse_mapping_cfg(f)
    found = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords={"_": None, "N_": None}
    ):
        if isinstance(message, tuple):  # ngettext: both forms
            for m in message:
                found[m] = f"{filename}:{lineno}"
        elif message:
            found[message] = f"{filename}:{lineno}"
    return found


def test_extraction_sees_engine_texts_as_well_as_workspace_texts():
    used = used_msgids()
    assert "Please answer yes or no." in used  # N_() in bot/engine.py
    assert "We are closed right now; our team will reply {when}." in used  # _(lang, "...")
    assert "Reply queued." in used  # _("...") in the workspace
    assert "Claimed by %(name)s" in used  # a template
    assert len(used) > 100


def test_every_text_has_its_bangla_with_the_same_placeholders():
    with open(ROOT / "locales/bn/LC_MESSAGES/messages.po", "rb") as f:
        bn = read_po(f, locale="bn")
    problems = []
    for msgid, where in sorted(used_msgids().items()):
        entry = bn.get(msgid)
        if entry is None or not entry.string:
            problems.append(f"{where}: no Bangla for {msgid!r}")
            continue
        text = entry.string if isinstance(entry.string, str) else entry.string[0]
        if set(PLACEHOLDER.findall(text)) != set(PLACEHOLDER.findall(msgid)):
            problems.append(f"{where}: placeholders differ in {msgid!r} → {text!r}")
    assert problems == []


def test_both_catalogs_parse_without_a_problem():
    """A merge that drops a msgstr line only warns at start; here it fails."""
    for lang in ("bn", "en"):
        with open(ROOT / f"locales/{lang}/LC_MESSAGES/messages.po", "rb") as f:
            read_po(f, locale=lang, abort_invalid=True)
