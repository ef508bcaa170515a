"""Reading flows.yaml and its ``include:`` files into a line-marked tree, with problems.

PyYAML on a ``CSafeLoader`` subclass (LIBRARIES.md §6): scalars are typed the YAML 1.2
way, so ``01711223344``, ``10:30``, ``no`` and ``2026-03-01`` stay text; a key written
twice is a problem naming both lines; every map and list remembers its file and the
1-based line of each key and item, so any later check can say ``file:line``.

Syntax errors are explained by ``bot.book.syntax``; the size and include limits are
``bot.book.safety``'s.
"""

from __future__ import annotations

import glob
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import yaml

from bot.book.messages import message
from bot.book.problem import Problem
from bot.book.safety import expansion_problem, include_refused
from bot.book.syntax import raw_line_problems, syntax_problem

# Sections an included file may add to; the rest belong to the main file only.
MERGED_MAPS = ("flows", "canned")
MERGED_LISTS = ("intents", "followups", "tests")


class Map(dict[Any, Any]):
    """A YAML map that knows its file and the line of each key."""

    __slots__ = ("file", "line", "key_lines", "key_files")
    file: str
    line: int
    key_lines: dict[Any, int]
    key_files: dict[Any, str]  # only the keys merged in from another file

    def where(self, key: Any) -> tuple[str, int]:
        """(file, line) of ``key``, or of the map itself when the key is absent."""
        if key in self.key_lines:
            return self.key_files.get(key, self.file), self.key_lines[key]
        return self.file, self.line


class Seq(list[Any]):
    """A YAML list that knows its file and the line of each item."""

    __slots__ = ("file", "line", "item_lines", "item_files")
    file: str
    line: int
    item_lines: list[int]
    item_files: dict[int, str]  # only the items merged in from another file

    def where(self, index: int) -> tuple[str, int]:
        """(file, line) of item ``index``."""
        if 0 <= index < len(self.item_lines):
            return self.item_files.get(index, self.file), self.item_lines[index]
        return self.file, self.line


@dataclass(frozen=True)
class Tree:
    """The main file's map with every include merged in, and the files read, in order."""

    root: Map
    files: tuple[str, ...]


def _new_map(file: str, line: int) -> Map:
    m = Map()
    m.file, m.line, m.key_lines, m.key_files = file, line, {}, {}
    return m


def _new_seq(file: str, line: int) -> Seq:
    s = Seq()
    s.file, s.line, s.item_lines, s.item_files = file, line, [], {}
    return s


# --- the YAML loader -----------------------------------------------------------------------

_DROPPED = {
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:timestamp",  # dates stay text, as the owner wrote them
}


def _make_loader(base: Any) -> Any:
    class FlowLoader(base):
        """YAML 1.2-ish scalars, duplicate keys reported, lines recorded."""

        def __init__(self, stream: str, file: str) -> None:
            super().__init__(stream)
            self.file = file
            self.problems: list[Problem] = []

    FlowLoader.yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in resolvers if tag not in _DROPPED]
        for first, resolvers in base.yaml_implicit_resolvers.items()
    }
    FlowLoader.add_implicit_resolver(
        "tag:yaml.org,2002:bool",
        re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
        list("tTfF"),
    )
    FlowLoader.add_implicit_resolver(
        "tag:yaml.org,2002:int", re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$"), list("-+0123456789")
    )
    FlowLoader.add_implicit_resolver(
        "tag:yaml.org,2002:float",
        re.compile(r"^[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$"),
        list("-+0123456789."),
    )
    FlowLoader.add_constructor("tag:yaml.org,2002:map", _construct_map)
    FlowLoader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)
    # A bool/int/float written with an explicit tag still uses the 1.2 words.
    FlowLoader.add_constructor("tag:yaml.org,2002:bool", _construct_bool)
    return FlowLoader


def _construct_map(loader: Any, node: yaml.MappingNode) -> Map:
    out = _new_map(loader.file, node.start_mark.line + 1)
    for key_node, value_node in node.value:
        line = key_node.start_mark.line + 1
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            loader.problems.append(Problem(loader.file, line, message("yaml.key")))
            continue
        if key in out:
            loader.problems.append(
                Problem(
                    loader.file,
                    line,
                    message("yaml.duplicate", key=key, line=out.key_lines[key]),
                )
            )
            continue
        out[key] = loader.construct_object(value_node, deep=True)
        out.key_lines[key] = line
    return out


def _construct_seq(loader: Any, node: yaml.SequenceNode) -> Seq:
    out = _new_seq(loader.file, node.start_mark.line + 1)
    for item in node.value:
        out.append(loader.construct_object(item, deep=True))
        out.item_lines.append(item.start_mark.line + 1)
    return out


def _construct_bool(loader: Any, node: yaml.ScalarNode) -> Any:
    value = loader.construct_scalar(node)
    return {"true": True, "false": False}.get(str(value).lower(), value)


FlowLoader = _make_loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def parse(text: str, file: str) -> tuple[Any, list[Problem]]:
    """One YAML document → (value, problems); the value is None on a syntax error."""
    loader = FlowLoader(text, file)
    raw = raw_line_problems(text, file)
    try:
        node = loader.get_single_node()
        too_big = expansion_problem(node, file)
        if too_big is not None:
            return None, [too_big]
        value = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as e:
        return None, [*loader.problems, *raw, syntax_problem(file, text, e)]
    except RecursionError:
        return None, [Problem(file, 1, message("yaml.too_deep"))]
    finally:
        loader.dispose()
    return value, [*loader.problems, *raw]


# --- files and includes --------------------------------------------------------------------


def load(path: str) -> tuple[Tree | None, list[Problem]]:
    """Read ``path`` and everything it includes; None when the main file is unusable."""
    problems: list[Problem] = []
    files: list[str] = []
    root = _read(path, path, 1, problems, files, stack=())
    if root is None:
        return None, problems
    return Tree(root, tuple(files)), problems


def load_string(text: str, name: str = "flows.yaml") -> tuple[Tree | None, list[Problem]]:
    """Like ``load`` for text in hand; includes are read relative to ``name``'s folder."""
    problems: list[Problem] = []
    files = [name]
    value, found = parse(text, name)
    problems.extend(found)
    root = _as_root(value, name, problems)
    if root is None:
        return None, problems
    _includes(root, name, problems, files, stack=(os.path.realpath(name),))
    return Tree(root, tuple(files)), problems


def _read(
    path: str, by_file: str, by_line: int, problems: list[Problem], files: list[str], stack: tuple
) -> Map | None:
    try:
        with open(path, encoding="utf-8-sig") as f:
            text = f.read()
    except FileNotFoundError:
        problems.append(Problem(by_file, by_line, message("file.missing", path=path)))
        return None
    except UnicodeDecodeError as e:
        problems.append(Problem(path, 1, message("file.not_utf8", reason=e.reason)))
        return None
    except OSError as e:
        problems.append(
            Problem(by_file, by_line, message("file.unreadable", path=path, why=e.strerror))
        )
        return None
    files.append(path)
    value, found = parse(text, path)
    problems.extend(found)
    root = _as_root(value, path, problems)
    if root is not None:
        _includes(root, path, problems, files, (*stack, os.path.realpath(path)))
    return root


def _as_root(value: Any, file: str, problems: list[Problem]) -> Map | None:
    if value is None and not any(p.file == file and p.is_error for p in problems):
        return _new_map(file, 1)  # an empty file is an empty bot
    if value is None:
        return None
    if not isinstance(value, Map):
        problems.append(Problem(file, 1, message("file.not_map")))
        return None
    return value


def _patterns(root: Map, file: str, problems: list[Problem]) -> Iterator[tuple[str, int]]:
    value = root.pop("include", None)
    line = root.key_lines.pop("include", root.line)
    if value is None:
        return
    if isinstance(value, str):
        yield value, line
        return
    if not isinstance(value, Seq):
        problems.append(Problem(file, line, message("include.wrong")))
        return
    for i, item in enumerate(value):
        if isinstance(item, str) and item.strip():
            yield item.strip(), value.where(i)[1]
        else:
            problems.append(Problem(file, value.where(i)[1], message("include.item")))


def _includes(
    root: Map, file: str, problems: list[Problem], files: list[str], stack: tuple
) -> None:
    folder = os.path.dirname(file)
    top = os.path.dirname(stack[0]) if stack else os.path.dirname(os.path.realpath(file))
    seen = {os.path.realpath(f) for f in files}
    for pattern, line in _patterns(root, file, problems):
        full = os.path.normpath(os.path.join(folder, pattern))
        if glob.has_magic(pattern):
            paths = sorted(glob.glob(full))
            if not paths:
                found = message("include.no_match", pattern=pattern)
                problems.append(Problem(file, line, found, "warning"))
        else:
            paths = [full]
        for path in paths:
            real = os.path.realpath(path)
            refused = include_refused(real, top, pattern)
            if refused:
                problems.append(Problem(file, line, refused))
                continue
            if real in stack:
                names = [os.path.basename(p) for p in (*stack[stack.index(real) :], real)]
                if len(paths) > 1 and real == stack[-1]:
                    continue  # a pattern like *.yaml matching the file itself
                found = message("include.cycle", names=" → ".join(names))
                problems.append(Problem(file, line, found))
                continue
            if real in seen:
                found = message("include.again", path=path)
                problems.append(Problem(file, line, found, "warning"))
                continue
            seen.add(real)
            sub = _read(path, file, line, problems, files, stack)
            if sub is not None:
                _merge(root, sub, problems)
                seen.update(os.path.realpath(f) for f in files)


def _merge(root: Map, sub: Map, problems: list[Problem]) -> None:
    """Add an included file's flows, canned, intents and follow-ups to the main map."""
    for key, value in sub.items():
        file, line = sub.where(key)
        if value is None:
            continue
        if key in MERGED_MAPS:
            if not isinstance(value, Map):
                problems.append(Problem(file, line, message("include.not_map", key=key)))
                continue
            target = root.get(key)
            if target is None:
                target = root[key] = _new_map(file, line)
                root.key_lines[key], root.key_files[key] = line, file
            if not isinstance(target, Map):
                continue  # the main file's own mistake is reported there
            for name, item in value.items():
                item_file, item_line = value.where(name)
                if name in target:
                    first_file, first_line = target.where(name)
                    what = key[:-1] if key == "flows" else key
                    found = message(
                        "include.twice", what=what, name=name, file=first_file, line=first_line
                    )
                    problems.append(Problem(item_file, item_line, found))
                    continue
                target[name] = item
                target.key_lines[name], target.key_files[name] = item_line, item_file
        elif key in MERGED_LISTS:
            if not isinstance(value, Seq):
                problems.append(Problem(file, line, message("include.not_list", key=key)))
                continue
            target = root.get(key)
            if target is None:
                target = root[key] = _new_seq(file, line)
                root.key_lines[key], root.key_files[key] = line, file
            if not isinstance(target, Seq):
                continue
            for i, item in enumerate(value):
                item_file, item_line = value.where(i)
                target.item_files[len(target)] = item_file
                target.append(item)
                target.item_lines.append(item_line)
        else:
            allowed = ", ".join(MERGED_MAPS + MERGED_LISTS)
            found = message("include.main_only", key=key, allowed=allowed)
            problems.append(Problem(file, line, found))
