"""Explaining YAML mistakes in an owner's words: a syntax error PyYAML raises, made plain
(the key missing its colon, the unclosed bracket, the tab), and the mistakes YAML accepts
but an owner did not mean, seen only in the raw lines (a text cut short by ``#``, a Bangla
visarga ``ঃ`` typed for the colon).
"""

from __future__ import annotations

import re

import yaml

from bot.book.messages import YAML_PLAIN, message, translated
from bot.book.problem import Problem

# PyYAML's context of an error inside { } or [ ] -> the bracket that opened it and its closer
_FLOW_BRACKETS = {"flow mapping": ("{", "}"), "flow sequence": ("[", "]")}


def syntax_problem(file: str, text: str, error: yaml.YAMLError) -> Problem:
    """A PyYAML syntax error as a problem an owner can act on, at the line to fix."""
    mark = getattr(error, "problem_mark", None)
    problem = getattr(error, "problem", None) or str(error)
    context = getattr(error, "context", None) or ""
    context_mark = getattr(error, "context_mark", None)
    if "end of stream" in problem and context_mark is not None:
        mark = context_mark  # where the unclosed quote or bracket begins
    line = mark.line + 1 if mark is not None else 1
    bracket = next((b for what, b in _FLOW_BRACKETS.items() if what in context), None)
    if bracket and context_mark is not None and context_mark.line + 1 < line:
        # PyYAML notices an unclosed { or [ only on a later line: point at the bracket
        opened, closer = bracket
        found = message("yaml.unclosed", opened=opened, line=line, closer=closer)
        return Problem(file, context_mark.line + 1, found)
    if "cannot start any token" in problem and mark is not None:
        lines = text.splitlines()
        if mark.line < len(lines) and "\t" in lines[mark.line][: mark.column + 1]:
            problem = "found character '\\t'"  # libyaml does not name the tab
    if mark is not None and any(
        needle in problem for needle in ("mapping values are not allowed", "expected ':'")
    ):
        missing = _missing_colon(text.splitlines(), mark.line)
        if missing is not None:
            return Problem(file, missing[0], message("yaml.missing_colon", key=missing[1]))
    for needle, plain in YAML_PLAIN:
        if needle in problem:
            return Problem(file, line, message("yaml.syntax", problem=translated(plain)))
    return Problem(file, line, message("yaml.syntax", problem=problem))


_KEY_ONLY = re.compile(r"^\s*(?:-\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*$")
_VISARGA = re.compile(r"^\s*(?:-\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*ঃ")
_VALUE_START = ":-[{,"
_BLOCK = re.compile(r"(?:^|[:\s])[|>][-+0-9]*\s*(?:#.*)?$")  # "say: |" starts a text block


def _missing_colon(lines: list[str], at: int) -> tuple[int, str] | None:
    """A key written without its colon on the line before ``at`` (0-based): (line, key)."""
    for n in range(min(at, len(lines)) - 1, -1, -1):
        line = lines[n]
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        found = _KEY_ONLY.match(line)
        return (n + 1, found.group(1)) if found else None
    return None


def _comment_start(line: str) -> int:
    """Where a YAML comment begins on ``line`` (-1 for none), quotes minded."""
    quote = ""
    last = ""  # the last character outside quotes that is not a space
    for i, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = ""
                last = ch
            continue
        if ch in "'\"" and (not last or last in _VALUE_START):
            quote = ch
        elif ch == "#" and (i == 0 or line[i - 1] in " \t"):
            return i
        elif ch not in " \t":
            last = ch
    return -1


def raw_line_problems(text: str, file: str) -> list[Problem]:
    """A text cut by '#' (a hashtag read as a comment), and 'sayঃ' (a Bangla visarga)."""
    out: list[Problem] = []
    block = -1  # the indentation of the key whose | or > text block we are in, else -1
    for n, line in enumerate(text.splitlines(), 1):
        indent = len(line) - len(line.lstrip(" "))
        if block >= 0:
            if not line.strip() or indent > block:
                continue  # a line of a | or > block: '#' there is text, not a comment
            block = -1
        if _BLOCK.search(line):
            block = indent
        visarga = _VISARGA.match(line)
        if visarga:
            out.append(Problem(file, n, message("yaml.visarga", key=visarga.group(1))))
        i = _comment_start(line)
        if i <= 0:
            continue
        before, rest = line[:i].rstrip(), line[i + 1 :]
        if not rest.strip() or rest[0] in " \t#" or before.endswith(tuple(_VALUE_START)):
            continue  # an ordinary comment, "# like this"
        if ":" not in before and not before.lstrip().startswith("-"):
            continue
        out.append(Problem(file, n, message("text.hash_cut", rest=rest.strip()[:40])))
    return out
