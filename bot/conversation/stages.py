"""The lead-stage machine: one ``transitions.Machine`` used as a rule table (LIBRARIES.md §1).

Built once from the FlowBook's stages with ``model=None`` and ``auto_transitions=False``;
each trigger is named after its destination (``to_qualified``), so the triggers available
from a stage are its legal moves. No model is ever registered: a move is checked against
the table, or fired on a plain object that the machine never keeps.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from transitions import Machine, MachineError

from bot.errors import StageError

LOST, NEW, NEGOTIATION, PROPOSAL = "lost", "new", "negotiation", "proposal"
POST_SALES, QUALIFIED = "post_sales", "qualified"


def default_moves(stages: list[str]) -> dict[str, list[str]]:
    """Destination → sources, per DESIGN.md: forward to any later stage, negotiation back to
    proposal, any stage to lost, lost back to new (the reopen), and post_sales back to new
    or qualified (a returning buyer's new purchase)."""
    order = [s for s in stages if s != LOST]
    reopen = NEW if NEW in stages else (order[0] if order else None)
    sources: dict[str, list[str]] = {s: [] for s in stages}
    for dest in stages:
        for src in stages:
            if src == dest:
                continue
            forward = src in order and dest in order and order.index(dest) > order.index(src)
            back = (src == NEGOTIATION and dest == PROPOSAL) or (
                src == POST_SALES and dest in (NEW, QUALIFIED)
            )
            if forward or back or dest == LOST or (src == LOST and dest == reopen):
                sources[dest].append(src)
    return sources


class StageMachine:
    """Which stage moves are legal; refusals name the legal ones."""

    def __init__(self, book_or_stage_ids: Any) -> None:
        stages = getattr(book_or_stage_ids, "stages", book_or_stage_ids)
        ids = [getattr(s, "id", s) for s in stages]
        if len(set(ids)) != len(ids) or not ids:
            raise ValueError(f"stage ids must be unique and not empty: {ids}")
        self.stages: tuple[str, ...] = tuple(ids)
        transitions = [
            {"trigger": f"to_{dest}", "source": sources, "dest": dest}
            for dest, sources in default_moves(ids).items()
            if sources
        ]
        self.machine = Machine(
            model=None,
            states=ids,
            transitions=transitions,
            initial=None,
            auto_transitions=False,
            model_attribute="stage",
        )
        # In stage order (so "post_sales, lost" reads like the pipeline), computed once.
        self.legal: dict[str, tuple[str, ...]] = {
            s: tuple(d for d in ids if f"to_{d}" in self.machine.get_triggers(s)) for s in ids
        }

    def legal_moves(self, stage: str) -> list[str]:
        """Stages a lead in ``stage`` may move to, in pipeline order."""
        return list(self.legal.get(stage, ()))

    def can_move(self, current: str, target: str) -> bool:
        """Whether ``current`` → ``target`` is a legal move."""
        event = self.machine.events.get(f"to_{target}")
        return event is not None and current in event.transitions

    def check_move(self, current: str, target: str) -> str:
        """``target`` when the move is legal; otherwise raises StageError with the legal moves."""
        if self.can_move(current, target):
            return target
        legal = self.legal_moves(current)
        if current not in self.legal:
            raise StageError(current, target, legal, f"unknown stage {current!r}; stages are "
                             f"{', '.join(self.stages)}")  # fmt: skip
        if target not in self.legal:
            raise StageError(current, target, legal, f"unknown stage {target!r}; legal moves from "
                             f"{current}: {', '.join(legal) or 'none'}")  # fmt: skip
        raise StageError(current, target, legal)

    def fire(self, obj: Any, target: str) -> bool:
        """Move ``obj.stage`` to ``target`` through the machine (callbacks, if any, run).

        ``obj`` is a plain object holding the stage read from the database; it is never
        added to the machine, so nothing is kept between messages.
        """
        current: str = obj.stage
        event = self.machine.events.get(f"to_{target}")
        if event is None:
            raise StageError(current, target, self.legal_moves(current))
        try:
            return event.trigger(obj)
        except MachineError:
            raise StageError(current, target, self.legal_moves(current)) from None

    def moves(self) -> Iterable[tuple[str, str]]:
        """Every legal (source, destination) pair, for diagrams."""
        for source, dests in self.legal.items():
            for dest in dests:
                yield source, dest
