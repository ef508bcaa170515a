"""The ``if:`` expression language read: tokenizer, frozen nodes, recursive-descent parser.

``bot.book.expr`` compiles the nodes to closures and is the module callers import; this one
only turns text into a tree or raises ``ExprError`` with the column of the mistake.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.book.messages import message


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
    "===": "'=='",
    "=": "'=='",
    "&&": "'and'",
    "||": "'or'",
    "&": "'and'",
    "|": "'or'",
    "!": "'not'",
    "<>": "'!='",
    "=<": "'<='",
    "=>": "'>='",
}


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
                raise ExprError(message("expr.number", text=src[start:i]), start)
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
                raise ExprError(message("expr.string", quote=ch), start)
            i += 1
            out.append(Token("str", "".join(chars), start, src[start:i]))
        elif ch.isascii() and (ch.isalpha() or ch == "_"):
            start = i
            while i < n and src[i].isascii() and (src[i].isalnum() or src[i] in "_."):
                i += 1
            text = src[start:i]
            if text.endswith(".") or ".." in text or any(p[:1].isdigit() for p in text.split(".")):
                raise ExprError(message("expr.name", text=text), start)
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
                    found = message("expr.operator", wrong=wrong, hint=hint)
                    raise ExprError(found, i)
            op = next((op for op in _OPERATORS if src.startswith(op, i)), None)
            if op is None and ch.isalpha():
                word = src[i:].split()[0]
                raise ExprError(message("expr.bare_word", word=word), i)
            if op is None:
                raise ExprError(message("expr.character", char=ch), i)
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
            raise ExprError(message("expr.empty"), 0)
        node = self.or_()
        if not self.at("end"):
            tok = self.tok
            if tok.kind == "op" and tok.value in ")]":
                raise ExprError(message("expr.unmatched", text=tok.value), tok.column)
            raise ExprError(message("expr.unexpected", text=tok.text), tok.column)
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
            raise ExprError(message("expr.chained"), self.tok.column)
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
                    raise ExprError(message("expr.unclosed", bracket="("), tok.column)
                found = message("expr.expected", wanted="')'", text=self.tok.text)
                raise ExprError(found, self.tok.column)
            self.take()
            return node
        if tok.kind == "op" and tok.value == "[":
            items: list[Node] = []
            while not self.at("op", "]"):
                if self.at("end"):
                    raise ExprError(message("expr.unclosed", bracket="["), tok.column)
                items.append(self.or_())
                if self.at("op", ","):
                    self.take()
                elif not self.at("op", "]") and not self.at("end"):
                    found = message("expr.expected", wanted="',' or ']'", text=self.tok.text)
                    raise ExprError(found, self.tok.column)
            self.take()
            return ListOf(tuple(items))
        if tok.kind == "end":
            raise ExprError(message("expr.early_end"), tok.column)
        raise ExprError(message("expr.unexpected", text=tok.text), tok.column)


def parse_tree(src: str) -> Node:
    """The tree of ``src``; raises ExprError with the column of the first mistake."""
    return _Parser(src).parse()
