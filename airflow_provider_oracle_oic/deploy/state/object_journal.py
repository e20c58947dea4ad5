"""Journals as objects in object storage (beside a `state_path` URL), for runs without a shared disk.

Object storage has no append: events are objects `<journals>/<run id>/<first>-<last>.jsonl`, numbered
in write order, each durable when its PUT returns, before the write it describes is sent. An outcome
waits for the run's next event and travels in its object (one lost in a crash reads as unknown), so an
object may hold several events. When a run ends its events are sealed into one object covering them
all (`1-<last>`), so a later run reads one object per finished journal; a reader skips objects another
one covers (a crash between sealing and clean-up reads nothing twice)."""

from __future__ import annotations

import contextlib
import json
import threading
from typing import Any

from .journal import JournalStore, parsed_lines
from .ledger import StateStorageError
from .locations import failure, filesystem, modified_at, names_under


class ObjectJournalStore(JournalStore):
    """One folder of numbered event objects per run under an fsspec URL."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._fs: Any = None
        self._root = ""
        self._lock = threading.Lock()
        # The last event number of each run this process read or wrote (one writer per run: the lease).
        self._last: dict[str, int] = {}
        # The objects this process wrote, by run and numbers: sealing reads back only the others.
        self._written: dict[str, dict[tuple[int, int], str]] = {}
        # Events that need not be durable yet, by run: they travel with the run's next durable one.
        self._later: dict[str, list[str]] = {}

    def _opened(self) -> tuple[Any, str]:
        if self._fs is None:
            fs, root = filesystem(self.url)
            self._fs, self._root = fs, root.rstrip("/")
        return self._fs, self._root

    def append(self, run_id: str, event: dict[str, Any]) -> None:
        self._write(run_id, [json.dumps(event, sort_keys=True) + "\n"])

    def append_later(self, run_id: str, event: dict[str, Any]) -> None:
        with self._lock:
            self._later.setdefault(run_id, []).append(json.dumps(event, sort_keys=True) + "\n")

    def _write(self, run_id: str, lines: list[str]) -> None:
        """Put the run's waiting events and `lines` as one object numbered after the run's last."""
        root = self._opened()[1]
        with self._lock:
            if run_id not in self._last:
                self._last[run_id] = max((last for _, last, _ in self._objects(run_id)), default=0)
            lines = [*self._later.pop(run_id, []), *lines]
            if not lines:
                return
            first = self._last[run_id] + 1
            self._last[run_id] += len(lines)
            last = self._last[run_id]
        text = "".join(lines)
        # Numbered under the lock, written outside it: events of concurrent writes travel at once.
        self._put(f"{root}/{run_id}/{first:08d}-{last:08d}.jsonl", text)
        with self._lock:
            self._written.setdefault(run_id, {})[(first, last)] = text

    def _settled(self) -> None:
        """Write the events still waiting (before reading, sealing or removing)."""
        with self._lock:
            waiting = list(self._later)
        for run_id in waiting:
            self._write(run_id, [])

    def events(self) -> dict[str, list[dict[str, Any]]]:
        self._settled()
        fs, root = self._opened()
        fs.invalidate_cache(root)
        try:
            found = fs.find(root, detail=True)
        except FileNotFoundError:
            return {}
        except Exception as exc:
            raise StateStorageError(f"the journals at {self.url} cannot be listed ({failure(exc)})") from None
        runs: dict[str, list[tuple[int, int, str]]] = {}
        newest: dict[str, float] = {}
        for path, info in found.items():
            run_id, numbers = _parts(path[len(root) + 1 :])
            if run_id is None or numbers is None:
                continue
            runs.setdefault(run_id, []).append((*numbers, path))
            newest[run_id] = max(newest.get(run_id, 0.0), modified_at(info))
        kept = {run_id: _uncovered(objects) for run_id, objects in runs.items()}
        paths = [path for objects in kept.values() for _, _, path in objects]
        try:
            bodies = fs.cat(paths, on_error="omit") if paths else {}
        except Exception as exc:
            raise StateStorageError(f"the journals at {self.url} cannot be read ({failure(exc)})") from None
        journals = {
            run_id: [e for _, _, path in objects for e in parsed_lines(bodies.get(path, b""))]
            for run_id, objects in kept.items()
        }
        with self._lock:
            for run_id, objects in runs.items():
                self._last[run_id] = max(self._last.get(run_id, 0), *(last for _, last, _ in objects))
        # Oldest first, as the file store orders by modification time; the start event breaks ties
        # (object storage times are whole seconds).
        order = sorted(journals, key=lambda r: (newest[r], _started(journals[r])))
        return {run_id: journals[run_id] for run_id in order}

    def seal(self, run_id: str) -> None:
        """Put a run's events into one object, then remove the ones it covers."""
        self._settled()
        fs, root = self._opened()
        with self._lock:
            objects = _uncovered(self._objects(run_id))
            if len(objects) < 2:
                return
            written = self._written.pop(run_id, {})
            unknown = [path for first, last, path in objects if (first, last) not in written]
            try:
                bodies = fs.cat(unknown, on_error="raise") if unknown else {}
            except Exception as exc:
                raise StateStorageError(
                    f"the journal of run {run_id} cannot be read ({failure(exc)})"
                ) from None
            last = objects[-1][1]
            text = "".join(
                _text(bodies[path]) if path in bodies else written[(first, last)]
                for first, last, path in objects
            )
            self._put(f"{root}/{run_id}/{1:08d}-{last:08d}.jsonl", text)
            covered = [
                path for first, _, path in objects if not (first == 1 and path.endswith(f"-{last:08d}.jsonl"))
            ]
        with contextlib.suppress(Exception):  # left behind, they are skipped as covered
            fs.rm(covered)

    def remove(self, run_id: str) -> None:
        self._settled()
        fs, root = self._opened()
        with contextlib.suppress(FileNotFoundError):
            fs.rm(f"{root}/{run_id}", recursive=True)
        with self._lock:
            self._last.pop(run_id, None)

    def _objects(self, run_id: str) -> list[tuple[int, int, str]]:
        fs, root = self._opened()
        try:
            names = names_under(fs, f"{root}/{run_id}")
        except Exception as exc:
            raise StateStorageError(
                f"the journal of run {run_id} cannot be listed ({failure(exc)})"
            ) from None
        found = []
        for name in names:
            _, numbers = _parts(f"{run_id}/{name.rsplit('/', 1)[-1]}")
            if numbers is not None:
                found.append((*numbers, name))
        return sorted(found)

    def _put(self, name: str, text: str) -> None:
        try:
            self._opened()[0].pipe_file(name, text.encode())
        except Exception as exc:
            raise StateStorageError(f"the journal at {self.url} cannot be written ({failure(exc)})") from None


def _parts(relative: str) -> tuple[str | None, tuple[int, int] | None]:
    """The run id and event numbers of an object's path under the journals' root."""
    run_id, _, name = relative.partition("/")
    first, _, last = name.removesuffix(".jsonl").partition("-")
    if not name.endswith(".jsonl") or not first.isdigit() or not last.isdigit() or "/" in name:
        return None, None
    return run_id, (int(first), int(last))


def _uncovered(objects: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """The objects to read, in event order: a sealed object covers the single events it holds."""
    kept, covered = [], 0
    for first, last, path in sorted(objects, key=lambda o: (o[0], -o[1])):
        if first > covered:
            kept.append((first, last, path))
            covered = last
    return kept


def _started(events: list[dict[str, Any]]) -> str:
    return next((str(e.get("time", "")) for e in events if e.get("event") == "start"), "")


def _text(body: bytes) -> str:
    text = body.decode("utf-8", "replace")
    return text if text.endswith("\n") or not text else text + "\n"
