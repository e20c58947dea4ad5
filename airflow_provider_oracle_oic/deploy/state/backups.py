"""Exported archives of what a run replaces, one folder per run, the newest `retention` kept: in a
local folder, or at any fsspec location (`s3://bucket/prefix`, `gs://…`, `oci://…`, `file://…`; in
Airflow also `s3://conn_id@bucket/prefix`) so that a retry or a restore on another worker (another
machine) finds them. An export is written to a local file first and kept where the backups live before
the write it guards is sent; the journal names each backup by that location."""

from __future__ import annotations

import shutil
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..model.specs import Kind

Location = str | Path


def is_remote(location: Location) -> bool:
    return isinstance(location, str) and "://" in location


class UnreadableLocation(ValueError):
    """A location this process cannot open whatever the storage says; the message says why."""


# Ways to open a URL before fsspec's own: the Airflow provider adds one for Airflow connection ids
# (`s3://conn_id@bucket/prefix`) when its operators run.
Opener = Callable[[str], "tuple[Any, str] | None"]
_OPENERS: list[Opener] = []


def open_with(opener: Opener) -> None:
    """Open URLs with `opener` first (it answers None for a URL it leaves to fsspec)."""
    if opener not in _OPENERS:
        _OPENERS.append(opener)


def _fs(location: str) -> tuple[Any, str]:
    """The fsspec filesystem and path of a URL (its implementation, e.g. s3fs, must be installed)."""
    for opener in _OPENERS:
        opened = opener(location)
        if opened is not None:
            return opened
    conn_id = connection_named(location)
    if conn_id is not None:
        raise UnreadableLocation(
            f"{location} names a connection ({conn_id}@), which only Airflow reads; outside Airflow leave "
            "it out and give the storage's credentials in the environment"
        )
    from fsspec.core import url_to_fs

    return url_to_fs(location)


def connection_named(location: str) -> str | None:
    """The Airflow connection an object-storage URL names (`scheme://conn_id@bucket/…`), else None."""
    authority = location.split("://", 1)[1].split("/", 1)[0] if is_remote(location) else ""
    conn_id, at, _ = authority.partition("@")
    return conn_id if at and ":" not in conn_id else None


def backup_exists(location: str) -> bool:
    """Whether the backup a journal names is still there."""
    if not is_remote(location):
        return Path(location).exists()
    fs, path = _fs(location)
    return bool(fs.exists(path))


def remote_problem(location: str) -> str | None:
    """Why backups could not be kept at `location` (one small object written and removed, before the
    run writes anything to OIC); None when they can."""
    try:
        fs, path = _fs(location)
    except UnreadableLocation as exc:
        return str(exc)
    try:
        probe = f"{path.rstrip('/')}/.oic-write-check"
        fs.pipe_file(probe, b"")
        fs.rm(probe)
    except Exception as exc:  # any storage failure is the answer, named for the user
        return f"{location} cannot be written ({type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else 'no detail'})"
    return None


class BackupCache:
    """Backups a journal names, as local files to upload to OIC: a local one as it is, a remote one
    fetched once into a folder that lives as long as this cache."""

    def __init__(self) -> None:
        self._folder: tempfile.TemporaryDirectory[str] | None = None
        self._lock = threading.Lock()

    def local(self, location: str) -> Path:
        if not is_remote(location):
            return Path(location)
        fs, path = _fs(location)
        with self._lock:
            if self._folder is None:
                self._folder = tempfile.TemporaryDirectory(prefix="oic-restore-")
            # Each run's backups have their own folder; two runs' files may share a name.
            target = Path(self._folder.name) / Path(path).parent.name / Path(path).name
            if not target.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                fs.get_file(path, str(target))
            return target


class Backups:
    """One run's backups under `root` (a local folder or an fsspec URL)."""

    def __init__(self, root: Location, run_id: str, retention: int) -> None:
        self.root = root
        self.run_id = run_id
        self.retention = retention
        self._lock = threading.Lock()
        self._count = 0
        self._staging: Path | None = None
        self.kept = 0

    @property
    def remote(self) -> bool:
        return is_remote(self.root)

    def _local_folder(self) -> Path:
        if not self.remote:
            return Path(self.root) / self.run_id
        with self._lock:
            if self._staging is None:
                self._staging = Path(tempfile.mkdtemp(prefix="oic-backup-"))
            return self._staging

    def path(self, kind: Kind, suffix: str) -> Path:
        """A fresh local file for an export; its name never comes from a record value."""
        folder = self._local_folder()
        folder.mkdir(parents=True, exist_ok=True)
        with self._lock:
            self._count += 1
            return folder / f"{kind.singular}-{self._count:04d}{suffix}"

    def keep(self, exported: Path) -> str:
        """Keep an export where the backups live (before the write it guards); its location."""
        with self._lock:
            self.kept += 1
        if not self.remote:
            return str(exported)
        fs, root = _fs(str(self.root))
        target = f"{root.rstrip('/')}/{self.run_id}/{exported.name}"
        # One whole-object upload: a reader finds the complete backup or none.
        fs.put_file(str(exported), target)
        exported.unlink(missing_ok=True)
        return f"{str(self.root).rstrip('/')}/{self.run_id}/{exported.name}"

    def close(self) -> None:
        """Forget the local staging folder; a run that kept nothing leaves no folder."""
        if self._staging is not None:
            shutil.rmtree(self._staging, ignore_errors=True)
        if not self.remote and not self.kept:
            shutil.rmtree(Path(self.root) / self.run_id, ignore_errors=True)

    def prune(self) -> None:
        """Keep only the newest `retention` run folders (this run's among them)."""
        if self.remote:
            self._prune_remote()
            return
        root = Path(self.root)
        if not root.is_dir():
            return
        runs = {p.name: p.stat().st_mtime for p in root.iterdir() if p.is_dir() and p.name != "journals"}
        for old in self._beyond_retention(runs):
            shutil.rmtree(root / old, ignore_errors=True)

    def _prune_remote(self) -> None:
        fs, root = _fs(str(self.root))
        if not fs.exists(root):
            return
        newest: dict[str, float] = {}
        for info in fs.find(root, detail=True).values():
            relative = info["name"][len(root.rstrip("/")) + 1 :]
            run = relative.split("/", 1)[0]
            modified = info.get("LastModified") or info.get("mtime") or info.get("created") or 0
            stamp = modified.timestamp() if hasattr(modified, "timestamp") else float(modified)
            newest[run] = max(newest.get(run, 0.0), stamp)
        for run in self._beyond_retention(newest):
            fs.rm(f"{root.rstrip('/')}/{run}", recursive=True)

    def _beyond_retention(self, runs: dict[str, float]) -> list[str]:
        """The run folders to remove: all but this run and the newest others, `retention` in all.
        This run always stays (object storage times are whole seconds: it may tie with another)."""
        others = sorted((r for r in runs if r != self.run_id), key=runs.__getitem__, reverse=True)
        return others[max(self.retention - (1 if self.run_id in runs else 0), 0) :]
