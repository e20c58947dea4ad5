"""Problems found in the input before anything is written."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Issue:
    """One problem: which artifact, which field, what is wrong and what to do."""

    artifact: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.artifact}: {self.field}: {self.message}"


class IssueError(Exception):
    """Raised inside parsing to record one issue and skip the rest of that record."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
