"""The deployment ledger: what this tool last deployed per OIC instance and artifact.

It makes re-runs idempotent (an unchanged artifact is not written again) and notices drift (an
artifact whose `lastUpdated` moved since we deployed it). It holds fingerprints and timestamps,
never a secret: secrets enter fingerprints only as keyed HMACs.
"""

from __future__ import annotations

import json
import os
import secrets
import tempfile
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Protocol, runtime_checkable


@dataclass(frozen=True)
class LedgerEntry:
    """What was deployed for one artifact and what OIC said afterwards."""

    fingerprint: str
    last_updated: str
    # The status OIC reported after the deployment (ACTIVATED, CONFIGURED…), for the drift watch.
    status: str = ""
    # A connection's attachments by property, as keyed HMACs of their content: only changed files are
    # uploaded again (OIC never gives a file back to compare with).
    attachments: Mapping[str, str] = field(default_factory=dict)
    # Which run last changed this entry and when (`deployed_at`, `run_id`, and in Airflow `dag_id`,
    # `dag_run_id`, `task_id`, `map_index`): what the estate page shows; never compared.
    provenance: Mapping[str, str] = field(default_factory=dict, compare=False)


ATTACHMENT = "attachment:"
PROVENANCE = ("deployed_at", "run_id", "dag_id", "dag_run_id", "task_id", "map_index")


def _entry(raw: dict[str, str]) -> LedgerEntry:
    attachments = {k[len(ATTACHMENT) :]: v for k, v in raw.items() if k.startswith(ATTACHMENT)}
    provenance = {k: raw[k] for k in PROVENANCE if k in raw}
    return LedgerEntry(
        raw["fingerprint"], raw.get("last_updated", ""), raw.get("status", ""), attachments, provenance
    )


def _raw(entry: LedgerEntry) -> dict[str, str]:
    raw = {"fingerprint": entry.fingerprint, "last_updated": entry.last_updated}
    if entry.status:
        raw["status"] = entry.status
    raw.update({ATTACHMENT + name: digest for name, digest in entry.attachments.items()})
    return raw


def _content(raw: Mapping[str, str]) -> dict[str, str]:
    return {k: v for k, v in raw.items() if k not in PROVENANCE}


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class LedgerError(ValueError):
    """A ledger that cannot be read, or is not one; the message names where it lives and what to do."""


class StateStorageError(LedgerError, OSError):
    """The storage holding a run's ledger or journals failed (an I/O failure, as a disk's would be)."""


class LedgerStore(Protocol):
    """Where ledgers live; a JSON file for the CLI, an Airflow-side store for operators."""

    # How messages name the store ("state_path /x/ledger.json", "Variable oracle_oic_ledger…").
    where: str

    def load(self) -> dict[str, object]: ...

    def save(self, data: dict[str, object]) -> None: ...


@runtime_checkable
class AppendingStore(LedgerStore, Protocol):
    """A store that keeps changes between two whole saves in a log (saving then costs the change)."""

    def append(self, instance: str, changes: Mapping[str, dict[str, str] | None]) -> None: ...

    def fold(self) -> None:
        """Write the log into the whole ledger (done when it outgrows it, and at the end of a run)."""

    def exists(self) -> bool:
        """Whether a ledger has been written there."""


class JsonFileStore:
    """A ledger in one JSON file, replaced atomically, readable only by its owner. Changes between two
    whole saves are appended to `<file>.log` (one fsynced JSON line each): saving after every write
    then costs the change, not the ledger; the log is folded into the file once it outgrows it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.log_path = path.with_name(path.name + ".log")
        self.where = f"state_path {path}"
        self._logged = 0
        self._size = 0

    def load(self) -> dict[str, object]:
        data: dict[str, object] = {}
        if self.path.exists():
            try:
                text = self.path.read_bytes()
            except OSError as exc:
                raise LedgerError(f"{self.where} cannot be read ({exc.strerror or exc})") from None
            data = parsed(text, self.where)
        self._logged = _replay(data, self.log_path)
        self._size = size(data)
        return data

    def save(self, data: dict[str, object]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.")
        with os.fdopen(handle, "w") as out:
            json.dump(data, out, indent=1, sort_keys=True)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temp, 0o600)
        os.replace(temp, self.path)
        # Only after the file holds everything the log said (a crash in between replays it again).
        self.log_path.unlink(missing_ok=True)
        self._logged, self._size = 0, size(data)

    def append(self, instance: str, changes: Mapping[str, dict[str, str] | None]) -> None:
        """Keep `changes` to `instance`'s entries without rewriting the file."""
        lines = log_lines(instance, changes)
        fd = os.open(self.log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as out:
            out.write(lines)
            out.flush()
            os.fsync(out.fileno())
        self._logged += len(changes)
        if self._logged > max(LOG_FOLD, self._size):
            self.fold()

    def exists(self) -> bool:
        return self.path.exists()

    def fold(self) -> None:
        if self.log_path.exists():
            self.save(self.load())


# Appended changes kept before the log is folded into the file, at the least.
LOG_FOLD = 256


def parsed(text: bytes, where: str) -> dict[str, object]:
    """A ledger's JSON object; `LedgerError` saying what is wrong with it."""
    try:
        data = json.loads(text.decode("utf-8"))
    except UnicodeDecodeError:
        raise LedgerError(f"{where} is not UTF-8 text; fix or remove it") from None
    except json.JSONDecodeError as exc:
        raise LedgerError(f"{where} is not valid JSON ({exc}); fix or remove it") from None
    if not isinstance(data, dict):
        raise LedgerError(f"{where} is not a ledger (a JSON object); fix or remove it")
    return data


def log_lines(instance: str, changes: Mapping[str, dict[str, str] | None]) -> str:
    """Changes to `instance`'s entries as log lines (None: the entry was removed)."""
    return "".join(
        json.dumps({"instance": instance, "artifact": artifact, "entry": raw}, sort_keys=True) + "\n"
        for artifact, raw in changes.items()
    )


def _replay(data: dict[str, object], log: Path) -> int:
    """Apply the changes `log` holds to `data`; how many."""
    try:
        text = log.read_text(encoding="utf-8")
    except FileNotFoundError:
        return 0
    except (OSError, UnicodeDecodeError) as exc:
        raise LedgerError(f"{log} cannot be read ({exc}); fix or remove it") from None
    return replay(data, text.splitlines())


def replay(data: dict[str, object], lines: list[str]) -> int:
    """Apply log `lines` to `data`; how many. A torn last line (a crash mid-write) is skipped."""
    instances = data.setdefault("instances", {})
    count = 0
    for line in lines:
        try:
            change = json.loads(line)
            entries = instances.setdefault(str(change["instance"]), {}) if isinstance(instances, dict) else {}
            if change["entry"] is None:
                entries.pop(change["artifact"], None)
            else:
                entries[change["artifact"]] = change["entry"]
        except (json.JSONDecodeError, KeyError, TypeError, AttributeError):
            continue
        count += 1
    return count


def size(data: Mapping[str, object]) -> int:
    """How many entries a ledger holds, over every instance."""
    instances = data.get("instances")
    return (
        sum(len(e) for e in instances.values() if isinstance(e, dict)) if isinstance(instances, dict) else 0
    )


class MemoryStore:
    """A ledger that lives only as long as the process (no `state_path`)."""

    where = "the in-memory ledger"

    def __init__(self) -> None:
        self.data: dict[str, object] = {}

    def load(self) -> dict[str, object]:
        return self.data

    def save(self, data: dict[str, object]) -> None:
        self.data = data


class Ledger:
    """Entries for one OIC instance, plus the HMAC key that keeps secrets out of it."""

    def __init__(self, store: LedgerStore, instance: str, stamp: Mapping[str, str] | None = None) -> None:
        self._store = store
        # What every entry this run changes records of its provenance (see LedgerEntry.provenance).
        self._stamp = dict(stamp or {})
        self._instance = instance
        self._lock = threading.Lock()
        self._data = _checked(store.load(), store.where)
        key = self._data.get("hmac_key")
        if key is None:
            key = secrets.token_hex(32)
            self._data["hmac_key"] = key
        self.hmac_key = bytes.fromhex(str(key))
        instances = self._data.setdefault("instances", {})
        assert isinstance(instances, dict)
        self._entries: dict[str, dict[str, str]] = instances.setdefault(instance, {})
        # What this run changed (None: removed); a save merges only these into what the store holds now.
        self._changed: dict[str, dict[str, str] | None] = {}
        # Changed since the last save; one save takes all of them (callers waiting behind it find none).
        self._pending: dict[str, dict[str, str] | None] = {}
        self._saving = threading.Lock()
        self._saved_whole = False

    @property
    def persistent(self) -> bool:
        return not isinstance(self._store, MemoryStore)

    def get(self, artifact: str) -> LedgerEntry | None:
        with self._lock:
            raw = self._entries.get(artifact)
        return _entry(raw) if raw else None

    def entries(self) -> dict[str, LedgerEntry]:
        """Every artifact the ledger holds for this instance (`kind:key`)."""
        with self._lock:
            return {artifact: _entry(raw) for artifact, raw in self._entries.items()}

    def record(self, artifact: str, entry: LedgerEntry) -> None:
        """Keep what this run deployed of `artifact`, stamped with this run unless nothing changed."""
        raw = _raw(entry)
        with self._lock:
            before = self._entries.get(artifact) or {}
            if _content(before) == raw:
                # Nothing changed (a re-run's status read): the last deployment stays the one named.
                raw.update({k: v for k, v in before.items() if k in PROVENANCE})
            else:
                raw.update({**self._stamp, "deployed_at": _now()})
            self._entries[artifact] = self._changed[artifact] = self._pending[artifact] = raw

    def restore(self, artifact: str, entry: LedgerEntry | None) -> None:
        """Put back what the ledger said of `artifact` before a run (None: it said nothing)."""
        with self._lock:
            if entry is None:
                self._entries.pop(artifact, None)
                self._changed[artifact] = self._pending[artifact] = None
            else:
                raw = {**_raw(entry), **entry.provenance}
                self._entries[artifact] = self._changed[artifact] = self._pending[artifact] = raw

    def save(self) -> None:
        """Make this run's changes durable: the first save merges them over what the store holds now, so
        a run that saved in between (another DAG through the same connection) keeps its entries; later
        ones append to a store that can, else merge again. Calls that queue behind a save it covered
        return at once (one save for many writes)."""
        with self._saving:
            appending = self._saved_whole and isinstance(self._store, AppendingStore)
            with self._lock:
                pending, self._pending = self._pending, {}
                # Copied only for a merge: an append costs the change, not every change of the run.
                changed = {} if appending else dict(self._changed)
            if not pending and self._saved_whole:
                return
            try:
                if appending:
                    self._store.append(self._instance, pending)
                else:
                    self._save_whole(changed)
            except BaseException as exc:
                with self._lock:
                    self._pending = {**pending, **self._pending}
                if isinstance(exc, OSError) and not isinstance(exc, StateStorageError):
                    raise StateStorageError(
                        f"{self._store.where} cannot be written ({exc.strerror or exc})"
                    ) from None
                raise

    def _save_whole(self, changed: Mapping[str, dict[str, str] | None]) -> None:
        current = self._store.load()
        current.setdefault("hmac_key", self._data["hmac_key"])
        instances = current.setdefault("instances", {})
        assert isinstance(instances, dict)
        entries = instances.setdefault(self._instance, {})
        for artifact, raw in changed.items():
            if raw is None:
                entries.pop(artifact, None)
            else:
                entries[artifact] = raw
        self._store.save(current)
        self._saved_whole = True


def _checked(data: dict[str, object], where: str) -> dict[str, object]:
    """The ledger's data when it has the ledger's shape; `LedgerError` naming the first part that is off."""

    def damaged(part: str) -> LedgerError:
        return LedgerError(
            f"{where} is damaged ({part}); restore it from a copy, or remove it to start afresh"
        )

    key = data.get("hmac_key")
    if key is not None and (not isinstance(key, str) or len(key) != 64 or not _is_hex(key)):
        raise damaged("hmac_key is not 64 hex characters")
    instances = data.get("instances", {})
    if not isinstance(instances, dict):
        raise damaged("'instances' is not an object")
    for instance, entries in instances.items():
        if not isinstance(entries, dict):
            raise damaged(f"the entries of {instance} are not an object")
        for artifact, raw in entries.items():
            if not isinstance(raw, dict) or not all(isinstance(v, str) for v in raw.values()):
                raise damaged(f"the entry {artifact} of {instance} is not an object of strings")
            if "fingerprint" not in raw:
                raise damaged(f"the entry {artifact} of {instance} has no fingerprint")
    return data


def _is_hex(text: str) -> bool:
    try:
        bytes.fromhex(text)
    except ValueError:
        return False
    return True
