"""bot/book: the step compilers take one Context and never reach back into the compiler."""

from __future__ import annotations

import ast
from pathlib import Path

BOOK = Path(__file__).resolve().parents[2] / "bot" / "book"


def imported(path: Path) -> set[str]:
    """Every module ``path`` imports, at the top or under TYPE_CHECKING."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names)
    return names


def test_no_module_of_the_book_imports_the_compiler():
    for path in BOOK.glob("*.py"):
        if path.name != "compiler.py":
            assert "bot.book.compiler" not in imported(path), path.name


def test_the_step_compilers_take_the_context():
    names = imported(BOOK / "steps.py")
    assert "bot.book.context.Context" in names


def message_ids_used() -> set[str]:
    """The ids given to Report.error/warn and message() across bot/book."""
    used: set[str] = set()
    for path in BOOK.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            index = {"error": 1, "warn": 1, "message": 0}.get(name)
            if index is None or len(node.args) <= index:
                continue
            arg = node.args[index]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                used.add(arg.value)
    return used


def test_every_message_id_is_in_the_table_and_every_entry_is_used():
    from bot.book.messages import MESSAGES

    used = message_ids_used()
    assert used - set(MESSAGES) == set()
    assert set(MESSAGES) - used == set()
