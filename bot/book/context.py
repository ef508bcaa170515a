"""What every compiler of a piece of flows.yaml is handed: one ``Context`` per compile.

The step, intent and message-part compilers (``bot.book.steps``, ``bot.book.intents``,
``bot.book.parts``) take a ``Context`` and nothing else from the compiler: the Report their
problems go to, the names used before the things they point at exist (``Refs``), and the
ask and step ids of the flow being compiled. ``bot.book.compiler`` builds it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.book import expr
from bot.book.report import Report, Where
from bot.book.types import Path


@dataclass(frozen=True)
class At:
    """Where a step sits: its flow (or stage), position and path."""

    kind: str
    id: str
    file: str
    line: int
    owner: str
    pos: str
    path: Path


@dataclass
class Refs:
    """Names used before everything they may point at is compiled (for the cross checks)."""

    flows: list[tuple[str, Where, str]] = field(default_factory=list)
    stages: list[tuple[str, Where, str]] = field(default_factory=list)
    intents: list[tuple[str, Where, str]] = field(default_factory=list)
    exprs: list[tuple[expr.Expr, Where]] = field(default_factory=list)
    postbacks: list[tuple[str, Where]] = field(default_factory=list)
    ice_starts: list[tuple[str, Where]] = field(default_factory=list)
    ice_breakers: list[tuple[str, Where]] = field(default_factory=list)
    # flows some goto, button, choice or intent leads to
    targeted: set[str] = field(default_factory=set)
    asks: set[str] = field(default_factory=set)
    settings: set[str] = field(default_factory=set)

    def flow(self, target: str, where: Where, what: str) -> None:
        self.flows.append((target, where, what))
        self.targeted.add(target)


@dataclass
class Context:
    """One compile's shared state; ``r.languages`` are the book's languages."""

    r: Report
    refs: Refs = field(default_factory=Refs)
    asks: dict[str, Path] = field(default_factory=dict)  # of the flow being compiled
    ids: dict[str, int] = field(default_factory=dict)  # step ids of that flow -> line

    def start_flow(self) -> None:
        """Forget the ask and step ids of the previous flow."""
        self.asks, self.ids = {}, {}
