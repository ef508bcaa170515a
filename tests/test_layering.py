"""The import rules of STYLE.md Part 2, checked by reading the source (an ``ast`` scan).

Every import counts: at module level, inside functions, under ``if TYPE_CHECKING:``.
``from bot.x import y`` counts as importing ``bot.x.y`` when ``y`` is a module.
"""

from __future__ import annotations

import ast
from collections import deque
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def modules() -> dict[str, Path]:
    """Our modules by dotted name: bot/, store/ and the root launcher app.py."""
    found = {"app": ROOT / "app.py"}
    for package in ("bot", "store"):
        for path in sorted((ROOT / package).rglob("*.py")):
            found[_module_name(path)] = path
    return found


def _is_package(name: str) -> bool:
    return modules()[name].name == "__init__.py"


@cache
def imports() -> dict[str, frozenset[str]]:
    """Each module's imports: dotted names, ours resolved to the module they load."""
    ours = modules()
    result = {}
    for name, path in ours.items():
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text("utf-8"), str(path))):
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                if node.level:  # relative: from the module's own package upwards
                    package = name.split(".") if _is_package(name) else name.split(".")[:-1]
                    base = package[: len(package) - node.level + 1]
                    target = ".".join([*base, *([node.module] if node.module else [])])
                else:
                    target = node.module or ""
                if target == "__future__":
                    continue
                for alias in node.names:
                    sub = f"{target}.{alias.name}"
                    found.add(sub if sub in ours else target)
        result[name] = frozenset(found)
    return result


def _within(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def _ours(name: str) -> str | None:
    """The module of ours an imported name loads, or None for the stdlib and packages."""
    while name:
        if name in modules():
            return name
        name = name.rpartition(".")[0]
    return None


def graph() -> dict[str, set[str]]:
    return {
        name: {m for imported in found if (m := _ours(imported)) and m != name}
        for name, found in imports().items()
    }


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """One shortest cycle through each module that is on any cycle (deduplicated)."""
    seen: set[frozenset[str]] = set()
    out = []
    for start in sorted(edges):
        parent: dict[str, str] = {}
        queue = deque([start])
        cycle = None
        while queue and cycle is None:
            node = queue.popleft()
            for nxt in sorted(edges[node]):
                if nxt == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(parent[path[-1]])
                    cycle = [start, *reversed(path[:-1]), start]
                    break
                if nxt not in parent:
                    parent[nxt] = node
                    queue.append(nxt)
        if cycle and frozenset(cycle) not in seen:
            seen.add(frozenset(cycle))
            out.append(cycle)
    return out


def violations(where: tuple[str, ...], forbidden, why: str) -> list[str]:
    """``module imports name (why)`` for each import of a module under ``where`` that breaks a rule."""
    out = []
    for name, found in sorted(imports().items()):
        if not _within(name, where):
            continue
        for imported in sorted(found):
            if forbidden(name, imported):
                out.append(f"{name} imports {imported} ({why})")
    return out


def test_the_scan_finds_every_package_and_resolves_submodules():
    assert {"app", "bot.app", "bot.cli", "bot.book.steps", "store.db"} <= set(modules())
    assert "bot.cli" in imports()["app"]
    assert all(_ours(i) for i in imports()["bot.book.compiler"] if i.startswith("bot."))


def test_cycles_are_found_and_named_as_paths():
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(edges) == [["a", "b", "c", "a"]]


def test_no_import_cycles():
    found = cycles(graph())
    assert not found, "import cycles:\n" + "\n".join(" → ".join(c) for c in found)


def test_store_imports_nothing_from_bot():
    assert violations(("store",), lambda _, i: _within(i, ("bot",)), "store is a leaf") == []


PURE_NEVER = (
    "flask", "werkzeug", "sqlite3", "sqlite_utils", "store", "requests",
    "bot.conversation", "bot.staff", "bot.cli",
)  # fmt: skip
OF_OURS_MAY = {
    "bot.book": ("bot.book", "bot.text", "bot.i18n", "bot.errors", "bot.messenger.policy"),
    "bot.text": ("bot.text", "bot.i18n", "bot.errors"),
}


@pytest.mark.parametrize("package", sorted(OF_OURS_MAY))
def test_the_flows_language_and_text_stay_pure(package):
    def forbidden(_, imported: str) -> bool:
        if _within(imported, PURE_NEVER):
            return True
        mine = _ours(imported)
        return mine is not None and not _within(mine, OF_OURS_MAY[package])

    assert violations((package,), forbidden, "must stay pure") == []


def test_the_conversation_never_reaches_the_network_or_flask():
    never = ("requests", "urllib", "http", "socket", "flask", "werkzeug")
    pure = ("bot.messenger.policy", "bot.messenger.bodies", "bot.messenger.events")

    def forbidden(_, imported: str) -> bool:
        if _within(imported, never):
            return True
        mine = _ours(imported)
        return mine is not None and _within(mine, ("bot.messenger",)) and mine not in pure

    assert violations(("bot.conversation",), forbidden, "decides; never sends") == []


def test_app_py_is_only_a_launcher():
    assert imports()["app"] == {"bot.cli"}


def test_nothing_imports_the_launcher_or_the_cli():
    def forbidden(name: str, imported: str) -> bool:
        mine = _ours(imported)
        if mine == "app":
            return True
        return mine is not None and _within(mine, ("bot.cli",)) and not _within(name, ("bot.cli",))

    assert violations(("bot", "store"), forbidden, "only app.py starts the CLI") == []
