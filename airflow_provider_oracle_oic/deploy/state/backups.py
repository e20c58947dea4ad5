"""Exported archives of what a run replaces, one folder per run, the newest `retention` kept: in a
local folder, or at any fsspec location (`s3://bucket/prefix`, `gs://…`, `oci://…`, `file://…`; in
Airflow also `s3://conn_id@bucket/prefix`) so that a retry or a restore on another worker (another
machine) finds them. An export is written to a local file first and kept where the backups live before
the write it guards is sent; the journal names each backup by that location."""

from __future__ import annotations

import shutil
import tempfile
import threading
from pathlib import Path

from ..model.run_ids import RUN_ID
from ..model.specs import Kind
from .locations import Location, filesystem, is_remote, modified_at


def backup_exists(location: str) -> bool:
    """Whether the backup a journal names is still there."""
    if not is_remote(location):
        return Path(location).exists()
    fs, path = filesystem(location)
    return bool(fs.exists(path))


class BackupCache:
    """Backups a journal names, as local files to upload to OIC: a local one as it is, a remote one
    fetched once into a folder that lives as long as this cache."""

    def __init__(self) -> None:
        self._folder: tempfile.TemporaryDirectory[str] | None = None
        self._lock = threading.Lock()

    def local(self, location: str) -> Path:
        if not is_remote(location):
            return Path(location)
        fs, path = filesystem(location)
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
        fs, root = filesystem(str(self.root))
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
        runs = {p.name: p.stat().st_mtime for p in root.iterdir() if p.is_dir() and RUN_ID.fullmatch(p.name)}
        for old in self._beyond_retention(runs):
            shutil.rmtree(root / old, ignore_errors=True)

    def _prune_remote(self) -> None:
        fs, root = filesystem(str(self.root))
        if not fs.exists(root):
            return
        newest: dict[str, float] = {}
        for info in fs.find(root, detail=True).values():
            relative = info["name"][len(root.rstrip("/")) + 1 :]
            run = relative.split("/", 1)[0]
            if not RUN_ID.fullmatch(run):
                continue  # not a run's folder (a lease, a write check): never pruned
            newest[run] = max(newest.get(run, 0.0), modified_at(info))
        for run in self._beyond_retention(newest):
            fs.rm(f"{root.rstrip('/')}/{run}", recursive=True)

    def _beyond_retention(self, runs: dict[str, float]) -> list[str]:
        """The run folders to remove: all but this run and the newest others, `retention` in all.
        This run always stays (object storage times are whole seconds: it may tie with another)."""
        others = sorted((r for r in runs if r != self.run_id), key=runs.__getitem__, reverse=True)
        return others[max(self.retention - (1 if self.run_id in runs else 0), 0) :]
