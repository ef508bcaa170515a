"""The limits that keep a hostile or broken flows file from exhausting the machine: a
document's values counted with its ``*aliases`` expanded, and an include read only when it
is a regular file of bounded size inside the flows folder.
"""

from __future__ import annotations

import os
import stat
from typing import Any

import yaml

from bot.book.messages import message
from bot.book.problem import Problem

MAX_VALUES = 100_000  # values of one file once its aliases are expanded; flows hold far fewer


def expansion_problem(root: Any, file: str) -> Problem | None:
    """An error when the document, its ``*aliases`` expanded, holds more than MAX_VALUES
    values (the "billion laughs": 1.7 KB of anchors that expand to gigabytes).

    PyYAML's composer shares an aliased node instead of copying it, so the tree it builds
    is small; this counts what every later walk over it would visit, each node once
    (memoised, iteratively: no recursion to exhaust), and stops at the limit."""
    if root is None:
        return None
    size: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        children = _children(node)
        if done:
            on_path.discard(key)
            total = 1 + sum(size[id(c)] for c in children)
            if total > MAX_VALUES:
                found = message("yaml.too_big", limit=f"{MAX_VALUES:,}")
                return Problem(file, node.start_mark.line + 1, found)
            size[key] = total
            continue
        if key in size:
            continue
        if key in on_path:  # an alias inside its own anchor: endless
            return Problem(file, node.start_mark.line + 1, message("yaml.recursive"))
        on_path.add(key)
        stack.append((node, True))
        stack.extend((c, False) for c in children if id(c) not in size)
    return None


def _children(node: Any) -> list[Any]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


MAX_FILE = 2 * 1024 * 1024  # bytes of one flows file


def include_refused(real: str, top: str, path: str) -> str | None:
    """Why an include may not be read, or None: only regular files inside
    the folder of the main flows file, symlinks resolved (no ``../../etc/passwd``, no
    ``/dev/zero``, no FIFO that would hang the read)."""
    try:
        inside = os.path.commonpath([real, top]) == top
    except ValueError:  # another drive
        inside = False
    if not inside:
        return message("include.outside", path=path)
    try:
        st = os.stat(real)
    except OSError:
        return None  # missing: reported as "file not found" when read
    if not stat.S_ISREG(st.st_mode):
        return message("include.not_file", path=path)
    if st.st_size > MAX_FILE:
        return message("include.too_big", path=path)
    return None
