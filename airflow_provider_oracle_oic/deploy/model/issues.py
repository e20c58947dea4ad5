"""Problems found before anything is written: in the input, the settings, OIC, a saved plan, a hook."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Where(str, Enum):
    """Where a problem lies; the value heads its problems in the summary ({n}: how many)."""

    INPUT = "{n} problem(s) in the input"
    SETTINGS = "{n} problem(s) in the settings or the run's state files"
    OIC = "OIC could not be reached or read"
    PLAN = "the saved plan no longer holds ({n} artifact(s) differ)"
    RESTORE = "the restore cannot be done as asked"
    HOOK = "{n} artifact(s) refused by a deploy hook"

    def heading(self, n: int) -> str:
        return self.value.format(n=n) + "; nothing was written:"


@dataclass(frozen=True)
class Issue:
    """One problem: which artifact, which field, what is wrong and what to do."""

    artifact: str
    field: str
    message: str
    where: Where = Where.INPUT

    def __str__(self) -> str:
        return f"{self.artifact}: {self.field}: {self.message}"


class IssueError(Exception):
    """Raised inside parsing to record one issue and skip the rest of that record."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
