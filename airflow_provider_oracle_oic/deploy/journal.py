"""The write-ahead journal: how to undo each write is on disk before the write is sent.

One JSON-lines file per run, named by its run id. Each write is preceded by an `intent` line (the
undo that brings the artifact back to its pre-run state) and followed by an `outcome` line; a crash
leaves an intent without outcome, which a later run reads as "may have taken effect". Every line is
flushed and fsynced before the write it describes is sent.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import threading
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from enum import Enum
from pathlib import Path
from typing import Any

from .specs import Kind

JOURNAL_SUFFIX = ".journal.jsonl"


class UndoAction(str, Enum):
    """How an undo brings one artifact back to its pre-run state."""

    DELETE = "delete"
    RESTORE_ARCHIVE = "restore_archive"
    ACTIVATE = "activate"
    DEACTIVATE = "deactivate"
    RESTORE_LOOKUP = "restore_lookup"
    RESTORE_CONNECTION = "restore_connection"


class Outcome(str, Enum):
    """What is known of a journaled write."""

    DONE = "done"
    FAILED = "failed"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Undo:
    """One way back, as data: `before` holds the pre-run facts the action needs (never a secret)."""

    action: UndoAction
    kind: Kind
    ident: str
    description: str
    backup: str | None = None
    before: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["action"], data["kind"] = self.action.value, self.kind.value
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Undo:
        return cls(
            UndoAction(data["action"]),
            Kind(data["kind"]),
            str(data["ident"]),
            str(data["description"]),
            data.get("backup"),
            dict(data.get("before") or {}),
        )


@dataclass
class Entry:
    """An undo and what became of the write it undoes."""

    seq: int
    undo: Undo
    outcome: Outcome = Outcome.UNKNOWN


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


class Journal:
    """A run's intents and outcomes, in write order; durable when given a folder."""

    def __init__(
        self,
        folder: Path | None,
        run_id: str,
        instance: str,
        inherited_active: tuple[str, ...] = (),
    ) -> None:
        self.run_id = run_id
        self.path = folder / f"{run_id}{JOURNAL_SUFFIX}" if folder is not None else None
        self._lock = threading.Lock()
        self._entries: list[Entry] = []
        self.not_restorable: list[str] = []
        self._handle = None
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            self._handle = os.fdopen(fd, "a", encoding="utf-8")
        self._append(
            {
                "event": "start",
                "run_id": run_id,
                "instance": instance,
                "time": _now(),
                "inherited_active": list(inherited_active),
            }
        )

    def _append(self, event: dict[str, Any]) -> None:
        if self._handle is None:
            return
        self._handle.write(json.dumps(event, sort_keys=True) + "\n")
        self._handle.flush()
        os.fsync(self._handle.fileno())

    def intend(self, undo: Undo) -> Entry:
        """Journal how to undo a write that is about to be sent."""
        with self._lock:
            entry = Entry(len(self._entries) + 1, undo)
            self._append({"event": "intent", "seq": entry.seq, "undo": undo.to_json()})
            self._entries.append(entry)
            return entry

    def settle(self, entry: Entry, outcome: Outcome) -> None:
        """Journal what became of the write `entry` undoes."""
        with self._lock:
            entry.outcome = outcome
            self._append({"event": "outcome", "seq": entry.seq, "outcome": outcome.value})

    def cannot_restore(self, what: str) -> None:
        with self._lock:
            self.not_restorable.append(what)
            self._append({"event": "cannot_restore", "what": what})

    def rolled_back(self, entry: Entry, ok: bool, detail: str | None) -> None:
        with self._lock:
            self._append({"event": "rollback", "seq": entry.seq, "ok": ok, "detail": detail})

    @property
    def entries(self) -> list[Entry]:
        with self._lock:
            return list(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def finish(self, status: str) -> None:
        """Close the journal: `deployed`, `rolled_back`, or `incomplete` (a later run converges it)."""
        with self._lock:
            self._append({"event": "end", "status": status, "time": _now()})
            if self._handle is not None:
                self._handle.close()
                self._handle = None

    def close(self) -> None:
        """Close without an end line: the run stopped before it could say how it ended."""
        with self._lock:
            if self._handle is not None:
                self._handle.close()
                self._handle = None


@dataclass
class PastRun:
    """A journal a previous run left, as read back."""

    path: Path
    run_id: str
    instance: str
    status: str | None
    inherited_active: tuple[str, ...]
    entries: list[Entry]

    @property
    def interrupted(self) -> bool:
        """It crashed, or failed without restoring everything, and no later run took it over."""
        return self.status in (None, "incomplete")

    @property
    def active_before(self) -> tuple[str, ...]:
        """Integrations that were ACTIVATED before that run (or before the runs it took over)."""
        own = [e.undo.ident for e in self.entries if e.undo.action == UndoAction.ACTIVATE]
        return tuple(dict.fromkeys([*self.inherited_active, *own]))


def read_journal(path: Path) -> PastRun | None:
    """A past run's journal; a torn last line (a crash mid-write) is ignored. None when unreadable."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    start: dict[str, Any] = {}
    status: str | None = None
    entries: dict[int, Entry] = {}
    for line in lines:
        try:
            event = json.loads(line)
        except json.JSONDecodeError:
            continue
        kind = event.get("event")
        if kind == "start":
            start = event
        elif kind == "intent":
            with contextlib.suppress(KeyError, ValueError, TypeError):
                entries[int(event["seq"])] = Entry(int(event["seq"]), Undo.from_json(event["undo"]))
        elif kind == "outcome" and event.get("seq") in entries:
            entries[event["seq"]].outcome = Outcome(event.get("outcome", "unknown"))
        elif kind in ("end", "resolved"):
            status = str(event.get("status") or kind)
    if not start:
        return None
    return PastRun(
        path,
        str(start.get("run_id", path.name)),
        str(start.get("instance", "")),
        status,
        tuple(start.get("inherited_active") or ()),
        [entries[k] for k in sorted(entries)],
    )


class JournalFolder:
    """Where a ledger's journals live: one file per run, the newest `retention` finished ones kept."""

    def __init__(self, folder: Path, retention: int) -> None:
        self.folder = folder
        self.retention = retention

    def runs(self, instance: str) -> list[PastRun]:
        """Past runs against `instance`, oldest first."""
        if not self.folder.is_dir():
            return []
        paths = sorted(self.folder.glob(f"*{JOURNAL_SUFFIX}"), key=lambda p: p.stat().st_mtime)
        runs = [read_journal(p) for p in paths]
        return [r for r in runs if r is not None and r.instance == instance]

    def take_over(self, runs: list[PastRun], by: str) -> None:
        """Mark interrupted runs as taken over by run `by` (it carries their facts forward)."""
        for run in runs:
            with run.path.open("a", encoding="utf-8") as out:
                out.write(json.dumps({"event": "resolved", "status": "resolved", "by": by}) + "\n")

    def prune(self) -> None:
        """Keep the newest `retention` journals; never one still interrupted."""
        if not self.folder.is_dir():
            return
        paths = sorted(self.folder.glob(f"*{JOURNAL_SUFFIX}"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in paths[self.retention :]:
            run = read_journal(old)
            if run is None or not run.interrupted:
                old.unlink(missing_ok=True)


class Backups:
    """Exported archives of what a run replaces, one folder per run, the newest `retention` kept."""

    def __init__(self, root: Path, run_id: str, retention: int) -> None:
        self.root = root
        self.folder = root / run_id
        self.retention = retention
        self._lock = threading.Lock()
        self._count = 0

    def path(self, kind: Kind, suffix: str) -> Path:
        """A fresh file in this run's folder; its name never comes from a record value."""
        self.folder.mkdir(parents=True, exist_ok=True)
        with self._lock:
            self._count += 1
            return self.folder / f"{kind.singular}-{self._count:04d}{suffix}"

    def prune(self) -> None:
        """Keep only the newest `retention` run folders."""
        if not self.root.is_dir():
            return
        runs = sorted(
            (p for p in self.root.iterdir() if p.is_dir() and p.name != "journals"),
            key=lambda p: p.stat().st_mtime,
            reverse=True,
        )
        for old in runs[self.retention :]:
            shutil.rmtree(old, ignore_errors=True)
