"""A problem found in the flows: what is wrong (or worth a look), at a file and a line."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or worth a look) in the flows, at a file and a 1-based line."""

    file: str
    line: int
    message: str
    severity: str = "error"  # or "warning"; always set

    @property
    def is_error(self) -> bool:
        """Whether this problem stops the book from loading (a warning does not)."""
        return self.severity == "error"

    def __str__(self) -> str:
        if self.severity == "warning":
            return f"{self.file}:{self.line}: warning: {self.message}"
        return f"{self.file}:{self.line}: {self.message}"
