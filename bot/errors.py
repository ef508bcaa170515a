"""Barta's domain exceptions, each with its HTTP status, and the one JSON error shape the
edges translate them into (``bot.staff.error_handler`` for the web, click for the CLI)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any


class BartaError(Exception):
    """Base of every error Barta raises on purpose; ``status`` is its HTTP status."""

    status = 500

    def extra(self) -> dict[str, Any]:
        """Fields the JSON error body carries besides ok, error and status."""
        return {}

    def body(self) -> dict[str, Any]:
        """``{"ok": false, "error": ..., "status": N, ...}``."""
        return error_body(self.status, str(self), **self.extra())


class FlowError(BartaError):
    """flows.yaml has errors; ``problems`` holds every one of them."""

    def __init__(self, message: str, problems: Iterable[Any] = ()) -> None:
        super().__init__(message)
        self.problems = tuple(problems)


class InvalidInput(BartaError):
    """A field a staff member sent that no action can take: 400, naming the field.

    ``subject`` names what was refused ("reply", "note", "label", "stage", "search"...) and
    ``problem`` which rule it broke ("type", "empty", "too_long", "unknown"), so the
    workspace can say it in its own language; ``limit`` is the length limit broken, if any.
    """

    status = 400

    def __init__(
        self,
        message: str,
        *,
        field: str,
        problem: str,
        subject: str = "",
        limit: int | None = None,
    ) -> None:
        super().__init__(message)
        self.field = field
        self.problem = problem
        self.subject = subject or field
        self.limit = limit

    def extra(self) -> dict[str, Any]:
        out: dict[str, Any] = {"field": self.field}
        if self.limit is not None:
            out["limit"] = self.limit
        return out


class StageError(BartaError):
    """A stage move the stage machine refuses; ``legal`` lists the moves it would allow."""

    status = 409

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

    def extra(self) -> dict[str, Any]:
        return {"current": self.current, "target": self.target, "legal": list(self.legal)}


class AlreadyClaimed(BartaError):
    """Someone else claimed this handoff first, or it is no longer waiting (``state``)."""

    status = 409

    def __init__(
        self, claimed_by: str | None, state: str = "claimed", message: str | None = None
    ) -> None:
        if message is None and state == "claimed":
            message = f"already claimed by {claimed_by}"
        elif message is None:
            message = f"this handoff is {state}, not waiting"
        super().__init__(message)
        self.claimed_by = claimed_by
        self.state = state

    def extra(self) -> dict[str, Any]:
        return {"claimed_by": self.claimed_by, "state": self.state}


class HandoffClosed(BartaError):
    """The handoff was already released or resolved."""

    status = 409

    def __init__(self, state: str) -> None:
        super().__init__(f"this handoff is already {state}")
        self.state = state

    def extra(self) -> dict[str, Any]:
        return {"state": self.state}


class Forbidden(BartaError):
    """The staff member may not do this (an agent acting on a lead someone else holds)."""

    status = 403


class NotFound(BartaError):
    """The conversation, handoff or account does not exist."""

    status = 404


class WindowClosed(BartaError):
    """Messenger allows no message to this customer now."""

    status = 409

    def extra(self) -> dict[str, Any]:
        return {"window": "closed"}


def error_body(status: int, message: str, **extra: Any) -> dict[str, Any]:
    """The JSON body of every API error: ``{"ok": false, "error": ..., "status": ...}``."""
    return {"ok": False, "error": message, "status": status, **extra}
