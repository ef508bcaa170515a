"""A conversation's turn: its working state while one message is handled, and the Actions
deciding that message leads to (the engine turns each into rows). Plain data.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeAlias

from bot.book.types import Button, Card, Step


@dataclass(frozen=True)
class Say:
    text: str = ""
    image: str | None = None
    buttons: tuple[Button, ...] = ()
    cards: tuple[Card, ...] = ()


@dataclass(frozen=True)
class Ask:
    step: Step  # of kind "ask"
    text: str
    retry: bool = False  # asked again after an invalid answer


@dataclass(frozen=True)
class Move:
    stage: str
    cause: str


@dataclass(frozen=True)
class Handoff:
    text: str | None  # None: the engine's default, which says when staff will answer
    reason: str
    priority: str = "normal"


@dataclass(frozen=True)
class Label:
    name: str


@dataclass(frozen=True)
class OptOut:
    pass


# What deciding a message leads to; the engine turns each into rows.
Action: TypeAlias = Say | Ask | Move | Handoff | Label | OptOut


@dataclass
class Turn:
    """The mutable working state of one conversation while one message is handled."""

    language: str
    answers: dict[str, Any]
    score: int
    stage: str
    flow: str | None
    step: str | None
    retries: int = 0
    labels: set[str] = field(default_factory=set)
    state: dict[str, Any] = field(default_factory=dict)  # scores per step, flows done
    first_name: str = ""
    now: datetime | None = None
    can_move: Callable[[str, str], bool] = lambda current, target: True

    @classmethod
    def from_conversation(
        cls,
        conv: Mapping[str, Any],
        *,
        language: str,
        now: datetime,
        labels: Iterable[str] = (),
        can_move: Callable[[str, str], bool] | None = None,
    ) -> Turn:
        """The working state of a stored conversation row; ``language`` when it has none."""
        turn = cls(
            language=conv["language"] or language,
            answers=conv["answers"],
            score=conv["score"],
            stage=conv["stage"],
            flow=conv["flow"],
            step=conv["step"],
            retries=conv["retries"],
            labels=set(labels),
            state=conv["state"],
            first_name=(conv["name"] or "").split(" ")[0],
            now=now,
        )
        if can_move is not None:
            turn.can_move = can_move
        return turn
