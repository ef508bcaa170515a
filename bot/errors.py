"""Barta's domain exceptions, and the one JSON error shape the edges translate them into."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any


class BartaError(Exception):
    """Base of every error Barta raises on purpose."""


class FlowError(BartaError):
    """flows.yaml has errors; ``problems`` holds every one of them."""

    def __init__(self, message: str, problems: Iterable[Any] = ()) -> None:
        super().__init__(message)
        self.problems = tuple(problems)


class StageError(BartaError):
    """A stage move the stage machine refuses; ``legal`` lists the moves it would allow."""

    def __init__(
        self, current: str, target: str, legal: Sequence[str], message: str | None = None
    ) -> None:
        self.current = current
        self.target = target
        self.legal = list(legal)
        if message is None:
            allowed = ", ".join(self.legal) if self.legal else "none"
            message = (
                f"cannot move a lead from {current} to {target}; "
                f"legal moves from {current}: {allowed}"
            )
        super().__init__(message)


class AlreadyClaimed(BartaError):
    """Someone else claimed this handoff first."""


class NotFound(BartaError):
    """The conversation, handoff or account does not exist."""


class WindowClosed(BartaError):
    """Messenger allows no message to this customer now."""


def error_body(status: int, message: str, **extra: Any) -> dict[str, Any]:
    """The JSON body of every API error: ``{"ok": false, "error": ..., "status": ...}``."""
    return {"ok": False, "error": message, "status": status, **extra}
