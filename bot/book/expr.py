"""The safe ``if:`` expression language: a hand-written parser compiled to closures.

Never Python ``eval``: owners' conditions such as ``budget >= 5000 and need in ['saree']``
are tokenized, parsed by recursive descent into frozen nodes and compiled to closures.
Evaluation never raises: unknown names are None, a comparison with None is False (except
``== null`` and ``!= null``), and a type mismatch is False.
"""

from __future__ import annotations

import math
import operator
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from bot.book.expr_parser import (
    Binary,
    ExprError,
    ListOf,
    Literal,
    Name,
    Node,
    Unary,
    parse_tree,
)
from bot.book.messages import message

__all__ = ["Expr", "ExprError", "Node", "parse"]

Fn = Callable[[Mapping[str, Any]], Any]


# --- evaluation helpers ------------------------------------------------------------------


def _is_num(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool)


def _as_number(s: str) -> int | float | None:
    """A numeric answer stored as text ("5,000", "৫০০০") as a number, else None."""
    text = "".join(
        ch if ch.isascii() else str(unicodedata.decimal(ch, ch))
        for ch in s.strip().replace(",", "")
    )
    try:
        value = float(text)
    except ValueError:
        return None
    if not math.isfinite(value):
        return None  # "nan" and "inf" are words here, not numbers
    return int(value) if value.is_integer() else value


def _coerce(a: Any, b: Any) -> tuple[Any, Any]:
    """Make a number and a numeric string comparable; answers may arrive as strings."""
    if _is_num(a) and isinstance(b, str):
        nb = _as_number(b)
        return (a, nb) if nb is not None else (a, b)
    if isinstance(a, str) and _is_num(b):
        na = _as_number(a)
        return (na, b) if na is not None else (a, b)
    return a, b


_ORDER = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}
_ARITH = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv}


def _equal(a: Any, b: Any) -> bool:
    a, b = _coerce(a, b)
    try:
        return bool(a == b)
    except Exception:
        return False


def _compare(op: str, a: Any, b: Any) -> bool:
    if a is None or b is None:
        return False
    if op == "==":
        return _equal(a, b)
    if op == "!=":
        return not _equal(a, b)
    if op in ("in", "not in"):
        found = _contains(b, a)
        return found if op == "in" else not found
    a, b = _coerce(a, b)
    if (_is_num(a) and _is_num(b)) or (type(a) is str and type(b) is str):
        return _ORDER[op](a, b)
    return False  # "abc" < 5, [1] > 2: a type mismatch is simply not true


def _contains(container: Any, item: Any) -> bool:
    if isinstance(container, str):
        return isinstance(item, str) and item in container
    if isinstance(container, list | tuple | set | frozenset | Mapping):
        return any(_equal(item, x) for x in container)
    return False


def _truthy(x: Any) -> bool:
    try:
        return bool(x)
    except Exception:
        return False


def _arith(op: str, a: Any, b: Any) -> Any:
    if a is None or b is None:
        return None
    if op != "+" or not (isinstance(a, str) and isinstance(b, str)):
        a, b = _coerce(a, b)
        if not (_is_num(a) and _is_num(b)):
            return None
    try:
        return _ARITH[op](a, b)
    except Exception:  # division by zero, overflow
        return None


# --- compiling to closures ---------------------------------------------------------------


def _compile(node: Node) -> Fn:
    if isinstance(node, Literal):
        value = node.value
        return lambda env: value
    if isinstance(node, Name):
        return _compile_name(node.path)
    if isinstance(node, ListOf):
        if all(isinstance(i, Literal) for i in node.items):
            const = [i.value for i in node.items]  # type: ignore[union-attr]
            return lambda env: const
        fns = [_compile(i) for i in node.items]
        return lambda env: [f(env) for f in fns]
    if isinstance(node, Unary):
        inner = _compile(node.operand)
        if node.op == "not":
            return lambda env: not _truthy(inner(env))
        return lambda env: _arith("-", 0, inner(env))
    return _compile_binary(node)


def _compile_name(path: tuple[str, ...]) -> Fn:
    root = path[0]
    if len(path) == 1:
        return lambda env: env.get(root)
    rest = path[1:]

    def lookup(env: Mapping[str, Any]) -> Any:
        value = env.get(root)
        for key in rest:
            if not isinstance(value, Mapping):
                return None
            value = value.get(key)
        return value

    return lookup


def _compile_binary(node: Binary) -> Fn:
    op = node.op
    left, right = _compile(node.left), _compile(node.right)
    if op == "and":

        def and_(env: Mapping[str, Any]) -> Any:
            a = left(env)
            return right(env) if _truthy(a) else a

        return and_
    if op == "or":

        def or_(env: Mapping[str, Any]) -> Any:
            a = left(env)
            return a if _truthy(a) else right(env)

        return or_
    if op in _ARITH:
        return lambda env: _arith(op, left(env), right(env))
    # == null and != null ask whether a value is there; every other comparison with a
    # missing value is False.
    null_left = isinstance(node.left, Literal) and node.left.value is None
    null_right = isinstance(node.right, Literal) and node.right.value is None
    if op in ("==", "!=") and (null_left or null_right):
        other = left if null_right else right
        if op == "==":
            return lambda env: other(env) is None
        return lambda env: other(env) is not None
    if op in _ORDER and isinstance(node.right, Literal) and _is_num(node.right.value):
        return _compile_order_const(op, left, node.right.value)
    if op in ("in", "not in") and isinstance(node.right, ListOf):
        return _compile_in_const(op, node.right, left) or (
            lambda env: _compare(op, left(env), right(env))
        )
    return lambda env: _compare(op, left(env), right(env))


def _compile_order_const(op: str, left: Fn, const: int | float) -> Fn:
    """``budget >= 5000``: the common case, with a fast path for plain numbers."""
    fast = _ORDER[op]

    def compare(env: Mapping[str, Any]) -> bool:
        a = left(env)
        if type(a) is int or type(a) is float:
            return fast(a, const)
        return _compare(op, a, const)

    return compare


def _compile_in_const(op: str, items: ListOf, left: Fn) -> Fn | None:
    """``need in ['saree', 'kurti']``: a set lookup, then the coercing slow path on a miss."""
    if not all(isinstance(i, Literal) for i in items.items):
        return None
    values = [i.value for i in items.items]  # type: ignore[union-attr]
    try:
        members = frozenset(values)
    except TypeError:
        return None
    # Strings such as "5000" may meet numbers on either side; only then is coercion needed.
    slow = any(_is_num(v) or isinstance(v, str) and _as_number(v) is not None for v in values)
    negate = op == "not in"

    def contains(env: Mapping[str, Any]) -> bool:
        a = left(env)
        if a is None:
            return False
        try:
            found = a in members
        except TypeError:  # an unhashable answer such as a list
            found = False
        if not found and slow:
            found = _contains(values, a)
        return found != negate

    return contains


# --- public ------------------------------------------------------------------------------


def _names(node: Node) -> set[str]:
    if isinstance(node, Name):
        # "answers.budget" reports itself and its root, so both checks can see it.
        return {".".join(node.path), node.path[0]}
    if isinstance(node, ListOf):
        return set().union(*(_names(i) for i in node.items))
    if isinstance(node, Unary):
        return _names(node.operand)
    if isinstance(node, Binary):
        return _names(node.left) | _names(node.right)
    return set()


@dataclass(frozen=True, eq=False)
class Expr:
    """A parsed expression: its source, the names it reads, and a fast evaluator."""

    source: str
    tree: Node
    names: frozenset[str]
    _fn: Fn = field(repr=False)

    def evaluate(self, env: Mapping[str, Any]) -> Any:
        """The value of the expression over ``env``; never raises."""
        try:
            return self._fn(env)
        except Exception:  # the closures guard themselves; this is the last line
            return None


@lru_cache(maxsize=2048)
def parse(src: str) -> Expr:
    """Parse and compile an expression (cached); raises ExprError with a column."""
    if not isinstance(src, str):
        raise ExprError(message("expr.not_text", type=type(src).__name__), 0)
    tree = parse_tree(src)
    return Expr(source=src, tree=tree, names=frozenset(_names(tree)), _fn=_compile(tree))
