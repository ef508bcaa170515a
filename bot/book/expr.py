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

Fn = Callable[[Mapping[str, Any]], Any]


class ExprError(ValueError):
    """A syntax error in an expression, at a 0-based column of its source."""

    def __init__(self, message: str, column: int) -> None:
        super().__init__(f"{message} at column {column}")
        self.message = message
        self.column = column


# --- tokens ------------------------------------------------------------------------------

KEYWORDS = frozenset({"and", "or", "not", "in", "true", "false", "null"})
_OPERATORS = ("==", "!=", "<=", ">=", "<", ">", "+", "-", "*", "/", "(", ")", "[", "]", ",")
_WRONG_OPERATORS = {  # what people bring from other languages, and what they meant
    "===": "'=='", "=": "'=='", "&&": "'and'", "||": "'or'", "&": "'and'", "|": "'or'",
    "!": "'not'", "<>": "'!='", "=<": "'<='", "=>": "'>='",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # "num", "str", "name", "op", "kw", "end"
    value: Any
    column: int
    text: str


def _digit(ch: str) -> int | None:
    """The value of any Unicode decimal digit (০-৯ too), else None."""
    return unicodedata.decimal(ch, None) if not ch.isascii() or ch.isdigit() else None


def tokenize(src: str) -> list[Token]:
    """Split an expression into tokens; raises ExprError on a character it cannot use."""
    out: list[Token] = []
    i, n = 0, len(src)
    while i < n:
        ch = src[i]
        if ch.isspace():
            i += 1
        elif _digit(ch) is not None:
            start = i
            digits = []
            while i < n and (_digit(src[i]) is not None or src[i] == "."):
                digits.append("." if src[i] == "." else str(_digit(src[i])))
                i += 1
            text = "".join(digits)
            if text.count(".") > 1 or text.endswith("."):
                raise ExprError(f"bad number '{src[start:i]}'", start)
            value: Any = float(text) if "." in text else int(text)
            out.append(Token("num", value, start, src[start:i]))
        elif ch in "'\"":
            start, i = i, i + 1
            chars = []
            while i < n and src[i] != ch:
                if src[i] == "\\" and i + 1 < n:
                    i += 1
                chars.append(src[i])
                i += 1
            if i >= n:
                raise ExprError(f"unclosed string {ch}", start)
            i += 1
            out.append(Token("str", "".join(chars), start, src[start:i]))
        elif ch.isascii() and (ch.isalpha() or ch == "_"):
            start = i
            while i < n and src[i].isascii() and (src[i].isalnum() or src[i] in "_."):
                i += 1
            text = src[start:i]
            if text.endswith(".") or ".." in text or any(p[:1].isdigit() for p in text.split(".")):
                raise ExprError(f"bad name '{text}'", start)
            # Owners write True or AND as often as true: keywords ignore case.
            if text.lower() in KEYWORDS and "." not in text:
                out.append(Token("kw", text.lower(), start, text))
            else:
                out.append(Token("name", text, start, text))
        else:
            for wrong in sorted(_WRONG_OPERATORS, key=len, reverse=True):
                if src.startswith(wrong, i) and not any(
                    src.startswith(op, i) and len(op) >= len(wrong) for op in _OPERATORS
                ):
                    hint = _WRONG_OPERATORS[wrong]
                    raise ExprError(f"unknown operator '{wrong}' (did you mean {hint}?)", i)
            op = next((op for op in _OPERATORS if src.startswith(op, i)), None)
            if op is None and ch.isalpha():
                word = src[i:].split()[0]
                raise ExprError(f"unexpected '{word}' (put text in quotes: '{word}')", i)
            if op is None:
                raise ExprError(f"unexpected character '{ch}'", i)
            out.append(Token("op", op, i, op))
            i += len(op)
    out.append(Token("end", None, n, "end of expression"))
    return out


# --- nodes -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Literal:
    value: Any


@dataclass(frozen=True, slots=True)
class Name:
    path: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ListOf:
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Unary:
    op: str  # "not" or "-"
    operand: Node


@dataclass(frozen=True, slots=True)
class Binary:
    op: str  # and or == != < <= > >= in "not in" + - * /
    left: Node
    right: Node


Node = Literal | Name | ListOf | Unary | Binary

_COMPARISONS = frozenset({"==", "!=", "<", "<=", ">", ">=", "in", "not in"})


# --- parser ------------------------------------------------------------------------------


class _Parser:
    """Recursive descent, lowest precedence first: or, and, not, comparison, + -, * /, unary."""

    def __init__(self, src: str) -> None:
        self.toks = tokenize(src)
        self.i = 0

    @property
    def tok(self) -> Token:
        return self.toks[self.i]

    def take(self) -> Token:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def at(self, kind: str, value: Any = None) -> bool:
        return self.tok.kind == kind and (value is None or self.tok.value == value)

    def parse(self) -> Node:
        if self.at("end"):
            raise ExprError("empty expression", 0)
        node = self.or_()
        if not self.at("end"):
            tok = self.tok
            if tok.kind == "op" and tok.value in ")]":
                raise ExprError(f"unmatched '{tok.value}'", tok.column)
            raise ExprError(f"unexpected '{tok.text}'", tok.column)
        return node

    def _infix(self, ops: tuple[str, ...], lower: Callable[[], Node]) -> Node:
        """A left-associative run of ``ops`` over operands parsed by ``lower``."""
        node = lower()
        while self.tok.kind in ("op", "kw") and self.tok.value in ops:
            node = Binary(self.take().value, node, lower())
        return node

    def or_(self) -> Node:
        return self._infix(("or",), self.and_)

    def and_(self) -> Node:
        return self._infix(("and",), self.not_)

    def not_(self) -> Node:
        if self.at("kw", "not"):
            self.take()
            return Unary("not", self.not_())
        return self.comparison()

    def comparison(self) -> Node:
        node = self.additive()
        op = self._comparison_op()
        if op is None:
            return node
        node = Binary(op, node, self.additive())
        if self._comparison_op(peek=True):
            raise ExprError("comparisons cannot be chained; join them with 'and'", self.tok.column)
        return node

    def _comparison_op(self, peek: bool = False) -> str | None:
        tok = self.tok
        if tok.kind == "op" and tok.value in _COMPARISONS:
            op = tok.value
        elif tok.kind == "kw" and tok.value == "in":
            op = "in"
        elif tok.kind == "kw" and tok.value == "not" and self.toks[self.i + 1].value == "in":
            op = "not in"
        else:
            return None
        if not peek:
            self.i += 2 if op == "not in" else 1
        return op

    def additive(self) -> Node:
        return self._infix(("+", "-"), self.term)

    def term(self) -> Node:
        return self._infix(("*", "/"), self.unary)

    def unary(self) -> Node:
        if self.at("op", "-"):
            self.take()
            operand = self.unary()
            if isinstance(operand, Literal) and type(operand.value) in (int, float):
                return Literal(-operand.value)
            return Unary("-", operand)
        return self.primary()

    def primary(self) -> Node:
        tok = self.take()
        if tok.kind in ("num", "str"):
            return Literal(tok.value)
        if tok.kind == "kw" and tok.value in ("true", "false", "null"):
            return Literal({"true": True, "false": False, "null": None}[tok.value])
        if tok.kind == "name":
            return Name(tuple(tok.value.split(".")))
        if tok.kind == "op" and tok.value == "(":
            node = self.or_()
            if not self.at("op", ")"):
                if self.at("end"):
                    raise ExprError("unclosed '('", tok.column)
                raise ExprError(f"expected ')' but found '{self.tok.text}'", self.tok.column)
            self.take()
            return node
        if tok.kind == "op" and tok.value == "[":
            items: list[Node] = []
            while not self.at("op", "]"):
                if self.at("end"):
                    raise ExprError("unclosed '['", tok.column)
                items.append(self.or_())
                if self.at("op", ","):
                    self.take()
                elif not self.at("op", "]") and not self.at("end"):
                    raise ExprError(
                        f"expected ',' or ']' but found '{self.tok.text}'", self.tok.column
                    )
            self.take()
            return ListOf(tuple(items))
        if tok.kind == "end":
            raise ExprError("expression ends too early", tok.column)
        raise ExprError(f"unexpected '{tok.text}'", tok.column)


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
        raise ExprError(f"expected text, got {type(src).__name__}", 0)
    tree = _Parser(src).parse()
    return Expr(source=src, tree=tree, names=frozenset(_names(tree)), _fn=_compile(tree))
