"""What a run changed, kept so a failure can undo it in reverse order."""

from __future__ import annotations

import logging
import shutil
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .result import UndoRecord

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Undo:
    """One way back: a description and the call that performs it."""

    description: str
    perform: Callable[[], None]


class Journal:
    """Undo steps in the order their changes happened, plus what cannot be undone."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._undo: list[Undo] = []
        self.not_restorable: list[str] = []

    def add(self, description: str, perform: Callable[[], None]) -> None:
        with self._lock:
            self._undo.append(Undo(description, perform))

    def cannot_restore(self, what: str) -> None:
        with self._lock:
            self.not_restorable.append(what)

    def __len__(self) -> int:
        return len(self._undo)

    def roll_back(self) -> list[UndoRecord]:
        """Run every undo step, newest first; a failing step is reported and the rest still run."""
        records = []
        for undo in reversed(self._undo):
            try:
                undo.perform()
            # Whatever one undo step hits, the remaining steps must still run and the failure be reported.
            except Exception as exc:
                log.error("Rollback step failed: %s: %s", undo.description, exc)
                records.append(UndoRecord(undo.description, False, str(exc)))
                self.not_restorable.append(f"{undo.description} failed: {exc}")
            else:
                log.info("Rolled back: %s", undo.description)
                records.append(UndoRecord(undo.description, True))
        return records


class Backups:
    """Exported archives of what a run replaces, one folder per run, the newest `retention` kept."""

    def __init__(self, root: Path, run_id: str, retention: int) -> None:
        self.root = root
        self.folder = root / run_id
        self.retention = retention

    def path(self, name: str) -> Path:
        self.folder.mkdir(parents=True, exist_ok=True)
        return self.folder / name.replace("|", "_").replace("/", "_")

    def prune(self) -> None:
        """Keep only the newest `retention` run folders."""
        if not self.root.is_dir():
            return
        runs = sorted(
            (p for p in self.root.iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime, reverse=True
        )
        for old in runs[self.retention :]:
            shutil.rmtree(old, ignore_errors=True)
