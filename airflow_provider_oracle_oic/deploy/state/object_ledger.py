"""The ledger as objects in object storage (`state_path: s3://bucket/prefix/ledger.json`), for runs
that have no shared disk (Kubernetes pods, Celery workers on other machines).

Object storage has no append: a save after every write puts one small object under `<ledger>.log/`,
numbered; the whole ledger object records the last number it holds (`log_through`), so a reader
replays only later ones and a crash between a whole save and the clean-up of the log replays nothing
twice. One writer at a time is the run lease's job (`run_lock`)."""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Mapping
from typing import Any

from .ledger import LOG_FOLD, StateStorageError, log_lines, parsed, replay, size
from .locations import failure, filesystem, names_under

THROUGH = "log_through"


class ObjectLedgerStore:
    """A ledger at an fsspec URL: one whole object plus numbered log objects since its last save."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.where = f"state_path {url}"
        self._fs: Any = None
        self._path = ""
        self._lock = threading.Lock()
        # The ledger as this process last read or wrote it: a fold writes it without reading every log
        # object back (the lease makes this process the only writer).
        self._mirror: dict[str, object] | None = None
        self._through = 0
        self._logs: list[str] = []
        self._logged = 0

    def _opened(self) -> tuple[Any, str]:
        if self._fs is None:
            self._fs, self._path = filesystem(self.url)
        return self._fs, self._path

    @property
    def _log_folder(self) -> str:
        return f"{self._opened()[1]}.log"

    def load(self) -> dict[str, object]:
        fs, path = self._opened()
        try:
            text = fs.cat_file(path)
        except FileNotFoundError:
            data: dict[str, object] = {}
        except Exception as exc:  # any storage failure stops the run before it writes
            raise StateStorageError(f"{self.where} cannot be read ({failure(exc)})") from None
        else:
            data = parsed(text, self.where)
        through = data.pop(THROUGH, 0)
        through = through if isinstance(through, int) else 0
        every = self._log_objects()
        logs = [(n, p) for n, p in every if n > through]
        try:
            bodies = fs.cat([p for _, p in logs], on_error="raise") if logs else {}
        except Exception as exc:
            raise StateStorageError(f"{self.where}: its log cannot be read ({failure(exc)})") from None
        logged = sum(replay(data, bodies[log].decode("utf-8", "replace").splitlines()) for _, log in logs)
        with self._lock:
            self._through = max([through, *(n for n, _ in logs)])
            # Every log object, those the whole object already holds too: the next save removes them.
            self._logs = [p for _, p in every]
            self._logged = logged
            self._mirror = json.loads(json.dumps(data))
        return data

    def _log_objects(self) -> list[tuple[int, str]]:
        """The log's objects, by number (a stray object that is not one of ours is left alone)."""
        fs, _ = self._opened()
        try:
            names = names_under(fs, self._log_folder)
        except Exception as exc:
            raise StateStorageError(f"{self.where}: its log cannot be listed ({failure(exc)})") from None
        numbered = []
        for name in names:
            stem = name.rsplit("/", 1)[-1].removesuffix(".jsonl")
            if stem.isdigit():
                numbered.append((int(stem), name))
        return sorted(numbered)

    def save(self, data: dict[str, object]) -> None:
        fs, path = self._opened()
        with self._lock:
            through, folded = self._through, list(self._logs)
        body = json.dumps({**data, THROUGH: through}, indent=1, sort_keys=True).encode()
        try:
            # One PUT: a reader finds the old ledger or the new one, never part of either.
            fs.pipe_file(path, body)
        except Exception as exc:
            raise StateStorageError(f"{self.where} cannot be written ({failure(exc)})") from None
        with self._lock:
            self._mirror = json.loads(json.dumps(data))
            self._logs = [p for p in self._logs if p not in folded]
            self._logged = 0
        if folded:
            # Only tidiness: the whole object says which log objects it holds (left ones are skipped).
            with contextlib.suppress(Exception):
                fs.rm(folded)

    def append(self, instance: str, changes: Mapping[str, dict[str, str] | None]) -> None:
        fs, _ = self._opened()
        lines = log_lines(instance, changes)
        with self._lock:
            self._through += 1
            name = f"{self._log_folder}/{self._through:012d}.jsonl"
            self._logs.append(name)
            self._logged += len(changes)
            if self._mirror is not None:
                replay(self._mirror, lines.splitlines())
            outgrown = self._logged > max(LOG_FOLD, size(self._mirror or {}))
        try:
            fs.pipe_file(name, lines.encode())
        except Exception as exc:
            raise StateStorageError(f"{self.where}: a change cannot be written ({failure(exc)})") from None
        if outgrown:
            self.fold()

    def exists(self) -> bool:
        fs, path = self._opened()
        return bool(fs.exists(path))

    def fold(self) -> None:
        with self._lock:
            mirror = json.loads(json.dumps(self._mirror)) if self._mirror is not None and self._logs else None
        if mirror is not None:
            self.save(mirror)
