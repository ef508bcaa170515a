"""The stage machine and the flows as Mermaid text (a few lines of our own: GraphMachine
needs a model and pulls diagram code into the runtime, LIBRARIES.md §1)."""

from __future__ import annotations

from bot.conversation.stages import StageMachine
from bot.i18n import pick
from bot.messenger.policy import PAYLOAD_FLOW


def _node(text: str) -> str:
    return text.replace('"', "'")


def mermaid(book) -> str:
    """Stages with their legal moves, then each flow's jumps between flows."""
    machine = StageMachine(book)
    lang = book.settings.languages[0]
    lines = ["stateDiagram-v2"]
    for stage in book.stages:
        lines.append(f"    {stage.id}: {_node(pick(stage.name, lang))}")
    lines.append(f"    [*] --> {book.stages[0].id}")
    for stage in book.stages:
        for dest in machine.legal_moves(stage.id):
            lines.append(f"    {stage.id} --> {dest}")
    lines.append("")
    lines.append("flowchart LR")
    for flow in book.flows.values():
        starts = ", ".join(flow.start_on) or "—"
        lines.append(f'    {flow.id}["{_node(flow.id)}<br/><small>{_node(starts)}</small>"]')
        for target in sorted(_targets(flow.steps)):
            lines.append(f"    {flow.id} --> {target}")
    return "\n".join(lines)


def _targets(steps) -> set[str]:
    out: set[str] = set()
    for step in steps:
        if step.kind == "goto" and step.target:
            out.add(step.target)
        for c in step.choices:
            if c.goto:
                out.add(c.goto)
        for b in step.buttons:
            if b.payload and b.payload.startswith(PAYLOAD_FLOW):
                out.add(b.payload[5:])
        out |= _targets(step.then) | _targets(step.else_)
    return out
