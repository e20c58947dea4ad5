"""The write-ahead journal: how to undo each write is stored before the write is sent.

One journal per run, named by its run id. Each write is preceded by an `intent` event (the undo that
brings the artifact back to its pre-run state) and followed by an `outcome` event; a crash leaves an
intent without outcome, which a later run reads as "may have taken effect". Every event is durable
(a file line flushed and fsynced, or a committed Airflow Variable) before the write it describes is
sent.
"""

from __future__ import annotations

import bisect
import contextlib
import errno
import io
import json
import os
import threading
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from enum import Enum
from pathlib import Path
from typing import Any, Protocol

from ..model.specs import Kind, scoped

JOURNAL_SUFFIX = ".journal.jsonl"


class UndoAction(str, Enum):
    """How an undo brings one artifact back to its pre-run state."""

    DELETE = "delete"
    RESTORE_ARCHIVE = "restore_archive"
    ACTIVATE = "activate"
    DEACTIVATE = "deactivate"
    RESTORE_LOOKUP = "restore_lookup"
    RESTORE_CONNECTION = "restore_connection"
    RESTORE_DEPLOYMENT = "restore_deployment"


class Outcome(str, Enum):
    """What is known of a journaled write."""

    DONE = "done"
    FAILED = "failed"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Undo:
    """One way back, as data: `before` holds the pre-run facts the action needs (never a secret);
    `project` is the OIC 3 project the artifact lives in (None: the instance's global artifacts)."""

    action: UndoAction
    kind: Kind
    ident: str
    description: str
    backup: str | None = None
    before: dict[str, Any] = field(default_factory=dict)
    project: str | None = None

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
            data.get("project"),
        )


@dataclass
class Entry:
    """An undo and what became of the write it undoes."""

    seq: int
    undo: Undo
    outcome: Outcome = Outcome.UNKNOWN


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


class JournalStore(Protocol):
    """Where journals live: files beside the ledger for the CLI, an Airflow-side store for operators."""

    def append(self, run_id: str, event: dict[str, Any]) -> None:
        """Add one event to a run's journal, durably, before returning."""

    def events(self) -> dict[str, list[dict[str, Any]]]:
        """Every journal's events by run id, the oldest journal first."""

    def remove(self, run_id: str) -> None:
        """Forget a run's journal."""

    def seal(self, run_id: str) -> None:
        """A run's journal is complete (a store may compact it); nothing to do for most stores."""

    def append_later(self, run_id: str, event: dict[str, Any]) -> None:
        """Add an event that need not be durable when this returns (what became of a write: one that is
        lost reads as "may have taken effect", which every reader already handles); most stores write
        it at once."""
        self.append(run_id, event)


@dataclass
class _OpenJournal:
    """A run's journal file kept open while the run writes, with how many of its lines are durable."""

    file: io.FileIO
    written: int = 0
    synced: int = 0
    # One fsync of this file at a time; an append whose line an fsync already covered needs none of its own.
    syncing: threading.Lock = field(default_factory=threading.Lock)

    def sync_through(self, line: int) -> None:
        """Return once the file's first `line` lines are durable."""
        with self.syncing:
            if self.synced < line:
                self._sync()

    def close(self) -> None:
        with self.syncing:
            if not self.file.closed:
                if self.synced < self.written:
                    self._sync()
                self.file.close()

    def _sync(self) -> None:
        covered = self.written
        os.fsync(self.file.fileno())
        self.synced = covered


class FileJournalStore(JournalStore):
    """One JSON-lines file per run in `folder`, readable only by its owner. A line is fsynced before
    `append` returns; appends that wait at once share one fsync (eight writers queueing for their own
    made the journal a run's bottleneck, docs/performance.md)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        # One line at a time, and the open files.
        self._lock = threading.Lock()
        self._open: dict[str, _OpenJournal] = {}

    def _path(self, run_id: str) -> Path:
        return self.folder / f"{run_id}{JOURNAL_SUFFIX}"

    def _write(self, run_id: str, event: dict[str, Any]) -> tuple[_OpenJournal, int]:
        """Write one line; the open journal and the line's number in it."""
        line = (json.dumps(event, sort_keys=True) + "\n").encode("utf-8")
        with self._lock:
            journal = self._open.get(run_id)
            if journal is None:
                self.folder.mkdir(parents=True, exist_ok=True)
                handle = open(self._path(run_id), "ab", buffering=0, opener=_owner_only)  # noqa: SIM115
                journal = self._open[run_id] = _OpenJournal(handle)
            if journal.file.write(line) != len(line):
                raise OSError(errno.ENOSPC, "a journal line was cut short", str(self._path(run_id)))
            journal.written += 1
            return journal, journal.written

    def append(self, run_id: str, event: dict[str, Any]) -> None:
        journal, line = self._write(run_id, event)
        journal.sync_through(line)

    def append_later(self, run_id: str, event: dict[str, Any]) -> None:
        # Written now, made durable by the run's next fsync (its next event, or the seal at its end).
        self._write(run_id, event)

    def seal(self, run_id: str) -> None:
        self._close(run_id)

    def events(self) -> dict[str, list[dict[str, Any]]]:
        if not self.folder.is_dir():
            return {}
        paths = sorted(self.folder.glob(f"*{JOURNAL_SUFFIX}"), key=lambda p: p.stat().st_mtime)
        return {p.name.removesuffix(JOURNAL_SUFFIX): _read_lines(p) for p in paths}

    def remove(self, run_id: str) -> None:
        self._close(run_id)
        self._path(run_id).unlink(missing_ok=True)

    def _close(self, run_id: str) -> None:
        with self._lock:
            journal = self._open.pop(run_id, None)
            if journal is not None:
                journal.close()


def _owner_only(path: str, flags: int) -> int:
    return os.open(path, flags, 0o600)


def _read_lines(path: Path) -> list[dict[str, Any]]:
    """A journal file's events (none when it cannot be read)."""
    try:
        return parsed_lines(path.read_bytes())
    except OSError:
        return []


def parsed_lines(body: bytes) -> list[dict[str, Any]]:
    """The events of JSON lines; a torn last line (a crash mid-write) is skipped."""
    events = []
    for line in body.decode("utf-8", "replace").splitlines():
        with contextlib.suppress(json.JSONDecodeError):
            event = json.loads(line)
            if isinstance(event, dict):
                events.append(event)
    return events


class MemoryJournalStore(JournalStore):
    """Journals that live as long as the process (for callers that keep no files)."""

    def __init__(self) -> None:
        self._events: dict[str, list[dict[str, Any]]] = {}

    def append(self, run_id: str, event: dict[str, Any]) -> None:
        self._events.setdefault(run_id, []).append(event)

    def events(self) -> dict[str, list[dict[str, Any]]]:
        return {k: list(v) for k, v in self._events.items()}

    def remove(self, run_id: str) -> None:
        self._events.pop(run_id, None)


class Journal:
    """A run's intents and outcomes, in write order, written through to a store. Events of different
    writes go to the store at once (a store in object storage answers each in one round trip); an
    outcome is only ever sent after its intent is durable."""

    def __init__(
        self, store: JournalStore, run_id: str, instance: str, inherited_active: tuple[str, ...] = ()
    ) -> None:
        self.store = store
        self.run_id = run_id
        self._lock = threading.Lock()
        self._entries: list[Entry] = []
        self._seq = 0
        self.not_restorable: list[str] = []
        self._start: dict[str, Any] | None = {
            "event": "start",
            "run_id": run_id,
            "instance": instance,
            "time": _now(),
            "inherited_active": list(inherited_active),
        }

    def _append(self, event: dict[str, Any], later: bool = False) -> None:
        # A run that writes nothing keeps no journal; the start event goes out with the first intent,
        # before any other event of the run.
        with self._lock:
            if self._start is not None:
                self.store.append(self.run_id, self._start)
                self._start = None
        if later:
            self.store.append_later(self.run_id, event)
        else:
            self.store.append(self.run_id, event)

    def intend(self, undo: Undo) -> Entry:
        """Journal how to undo a write that is about to be sent."""
        with self._lock:
            self._seq += 1
            entry = Entry(self._seq, undo)
        self._append({"event": "intent", "seq": entry.seq, "undo": undo.to_json()})
        with self._lock:
            # Intents of concurrent writes may become durable out of order; entries stay in write order.
            bisect.insort(self._entries, entry, key=lambda e: e.seq)
        return entry

    def settle(self, entry: Entry, outcome: Outcome) -> None:
        """Journal what became of the write `entry` undoes."""
        entry.outcome = outcome
        self._append({"event": "outcome", "seq": entry.seq, "outcome": outcome.value}, later=True)

    def cannot_restore(self, what: str) -> None:
        with self._lock:
            self.not_restorable.append(what)
        self._append({"event": "cannot_restore", "what": what})

    def rolled_back(self, entry: Entry, ok: bool, detail: str | None) -> None:
        self._append({"event": "rollback", "seq": entry.seq, "ok": ok, "detail": detail})

    @property
    def entries(self) -> list[Entry]:
        with self._lock:
            return list(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def kept(self) -> bool:
        """Whether anything was journaled (and so the store holds this run's journal)."""
        return self._start is None

    @classmethod
    def reopen(cls, store: JournalStore, run: PastRun) -> Journal:
        """A paused run's journal, to go on under the same run id (its entries count in a rollback)."""
        journal = cls(store, run.run_id, run.instance, run.inherited_active)
        journal._start = None
        journal._entries = list(run.entries)
        journal._seq = max((e.seq for e in run.entries), default=0)
        journal.not_restorable = list(run.not_restorable)
        journal._append({"event": "resumed", "time": _now()})
        return journal

    def finish(self, status: str) -> None:
        """Close the journal: `deployed`, `rolled_back`, `incomplete` (a later run converges it) or
        `paused` (its canary step is watched elsewhere; the same run goes on with `reopen`)."""
        if self._start is None:
            self._append({"event": "end", "status": status, "time": _now()})
            self.store.seal(self.run_id)


@dataclass
class PastRun:
    """A journal a previous run left, as read back."""

    run_id: str
    instance: str
    status: str | None
    inherited_active: tuple[str, ...]
    entries: list[Entry]
    not_restorable: list[str] = field(default_factory=list)

    @property
    def interrupted(self) -> bool:
        """It crashed, or failed without restoring everything, and no later run took it over (a paused
        run is not: its own task resumes it)."""
        return self.status in (None, "incomplete")

    @property
    def paused(self) -> bool:
        return self.status == "paused"

    @property
    def active_before(self) -> tuple[str, ...]:
        """Integrations that were ACTIVATED before that run (or before the runs it took over); one inside
        an OIC 3 project as `PROJECT/CODE|VERSION`."""
        own = [
            scoped(e.undo.project, e.undo.ident) for e in self.entries if e.undo.action == UndoAction.ACTIVATE
        ]
        return tuple(dict.fromkeys([*self.inherited_active, *own]))


def past_run(run_id: str, events: list[dict[str, Any]]) -> PastRun | None:
    """A past run read back from its events; None without a start event."""
    start: dict[str, Any] = {}
    status: str | None = None
    entries: dict[int, Entry] = {}
    not_restorable: list[str] = []
    for event in events:
        kind = event.get("event")
        if kind == "start":
            start = event
        elif kind == "intent":
            with contextlib.suppress(KeyError, ValueError, TypeError):
                entries[int(event["seq"])] = Entry(int(event["seq"]), Undo.from_json(event["undo"]))
        elif kind == "outcome" and event.get("seq") in entries:
            with contextlib.suppress(ValueError):
                entries[event["seq"]].outcome = Outcome(event.get("outcome", "unknown"))
        elif kind in ("end", "resolved"):
            status = str(event.get("status") or kind)
        elif kind == "resumed":
            status = None
        elif kind == "cannot_restore":
            not_restorable.append(str(event.get("what", "")))
    if not start:
        return None
    return PastRun(
        run_id,
        str(start.get("instance", "")),
        status,
        tuple(start.get("inherited_active") or ()),
        [entries[k] for k in sorted(entries)],
        not_restorable,
    )


def past_runs(store: JournalStore, instance: str) -> list[PastRun]:
    """Past runs against `instance`, oldest first."""
    runs = [past_run(run_id, events) for run_id, events in store.events().items()]
    return [r for r in runs if r is not None and r.instance == instance]


def active_before(runs: list[PastRun]) -> tuple[str, ...]:
    """Integrations the given runs found ACTIVATED, each once, in the order the runs name them."""
    return tuple(dict.fromkeys(i for run in runs for i in run.active_before))


def take_over(store: JournalStore, runs: list[PastRun], by: str) -> None:
    """Mark interrupted runs as taken over by run `by` (it carries their facts forward)."""
    for run in runs:
        store.append(run.run_id, {"event": "resolved", "status": "resolved", "by": by})


def prune(store: JournalStore, retention: int) -> None:
    """Keep the newest `retention` journals; never one still interrupted."""
    journals = list(store.events().items())
    for run_id, events in journals[: max(len(journals) - retention, 0)]:
        run = past_run(run_id, events)
        if run is None or not run.interrupted:
            store.remove(run_id)
