"""Content-addressed storage of uploaded files, on disk so large archives never sit in memory."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import BinaryIO

from .errors import bad_request

CHUNK = 1 << 20


class BlobStore:
    """Files named by their sha256 under one directory."""

    def __init__(self, directory: Path | None = None) -> None:
        if directory is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="oic-emulator-blobs-")
            directory = Path(self._tmp.name)
        directory.mkdir(parents=True, exist_ok=True)
        self.directory = directory

    def path(self, digest: str) -> Path:
        return self.directory / digest

    def stage(self, source: BinaryIO, limit: int, what: str) -> Path:
        """Copy an upload to a staging file, refusing it once it passes `limit` bytes."""
        handle, name = tempfile.mkstemp(dir=self.directory, prefix=".stage-")
        staged = Path(name)
        size = 0
        with os.fdopen(handle, "wb") as target:
            while chunk := source.read(CHUNK):
                size += len(chunk)
                if size > limit:
                    target.close()
                    staged.unlink()
                    raise bad_request(f"{what} is more than the limit of {limit} bytes")
                target.write(chunk)
        return staged

    def commit(self, staged: Path) -> str:
        """Move a staged file to its content address and return the digest."""
        digest = hashlib.sha256()
        with staged.open("rb") as handle:
            while chunk := handle.read(CHUNK):
                digest.update(chunk)
        final = self.path(digest.hexdigest())
        if final.exists():
            staged.unlink()
        else:
            os.replace(staged, final)
        return digest.hexdigest()

    def put(self, data: bytes) -> str:
        """Store bytes and return their digest."""
        digest = hashlib.sha256(data).hexdigest()
        final = self.path(digest)
        if not final.exists():
            handle, name = tempfile.mkstemp(dir=self.directory, prefix=".put-")
            with os.fdopen(handle, "wb") as target:
                target.write(data)
            os.replace(name, final)
        return digest

    def copy_to(self, digest: str, target: BinaryIO) -> None:
        with self.path(digest).open("rb") as handle:
            shutil.copyfileobj(handle, target, CHUNK)
