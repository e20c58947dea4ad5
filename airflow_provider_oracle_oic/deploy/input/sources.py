"""Where archives and files come from: a path confined to `archive_directory`, or base64 in the record."""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import uuid
import zipfile
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

from ...oic import OICArchiveError, read_archive, sha256_file
from ...oic.archives import ArchiveFacts
from ...oic.project_archives import ProjectArchiveFacts, read_project_archive
from ..model.issues import IssueError
from ..model.specs import ArchiveFile

CHECKSUM = re.compile(r"^sha256:([0-9a-f]{64})$")


class ArchiveSources:
    """Turns `archive_path` / `archive_base64` fields into local files, refusing anything outside the directory."""

    def __init__(self, archive_directory: Path | None, workdir: Path) -> None:
        self.archive_directory = archive_directory
        self.workdir = workdir

    def secret_file(self, data: bytes) -> Path:
        """Key material from a secret, as a file of the run's work folder readable only by its owner
        (gone when the run ends); named by a fixed pattern, never by a record value."""
        folder = self.workdir / "attachments" / uuid.uuid4().hex
        folder.mkdir(parents=True)
        path = folder / "content"
        path.touch(0o600)
        path.write_bytes(data)
        return path

    def confined(self, raw: str, field: str) -> Path:
        if self.archive_directory is None:
            raise IssueError(field, "is relative to the archive_directory setting, which is not set; set it")
        if not raw.isprintable():  # control characters, and undecodable bytes (lone surrogates)
            shown = raw.encode("utf-8", "backslashreplace").decode("ascii", "backslashreplace")
            raise IssueError(field, f"'{shown}' is not a printable UTF-8 file name; rename the file")
        if PurePosixPath(raw).is_absolute() or PureWindowsPath(raw).is_absolute() or raw.startswith("~"):
            raise IssueError(field, f"'{raw}' is absolute; give a path relative to archive_directory")
        if ".." in PurePosixPath(raw.replace("\\", "/")).parts:
            raise IssueError(field, f"'{raw}' contains '..'; archives must stay inside archive_directory")
        candidate = self.archive_directory / raw
        try:
            resolved = candidate.resolve(strict=True)
        except (FileNotFoundError, RuntimeError):
            raise IssueError(field, f"'{raw}' does not exist in {self.archive_directory}") from None
        if not resolved.is_relative_to(self.archive_directory):
            raise IssueError(
                field, f"'{raw}' resolves outside archive_directory (a symlink?); copy the file in"
            )
        if not resolved.is_file():
            raise IssueError(field, f"'{raw}' is not a file")
        return resolved

    def file(
        self, record: Mapping[str, Any], path_field: str, base64_field: str, default_name: str
    ) -> ArchiveFile:
        """Exactly one of the two fields, as a local file with its sha256.

        Inline bytes are written as `default_name` (a fixed name, never a record value) in a folder
        named by their digest, so nothing a record says can place a file outside the work folder.
        """
        given = [f for f in (path_field, base64_field) if record.get(f) not in (None, "")]
        if len(given) != 1:
            raise IssueError(f"{path_field}/{base64_field}", "give exactly one of the two")
        if given[0] == path_field:
            raw = record[path_field]
            if not isinstance(raw, str):
                raise IssueError(path_field, "must be a string path")
            path = self.confined(raw, path_field)
            return ArchiveFile(path, sha256_file(path), path.name, path_field)
        encoded = record[base64_field]
        staged = self.workdir / f".{uuid.uuid4().hex}"
        digest = _decode_to(encoded, staged) if isinstance(encoded, str) else None
        if digest is None:
            staged.unlink(missing_ok=True)
            raise IssueError(base64_field, "is not valid non-empty base64")
        path = self.workdir / digest[:16] / default_name
        path.parent.mkdir(parents=True, exist_ok=True)
        staged.replace(path)
        return ArchiveFile(path, digest, default_name, base64_field)


DECODE_CHUNK = 1 << 20  # characters; a multiple of 4, so every chunk decodes on its own


def _decode_to(encoded: str, destination: Path) -> str | None:
    """Decode base64 text to `destination` chunk by chunk (never a second copy of a large archive in
    memory); its sha256, or None when the text is not valid, non-empty base64."""
    digest, size = hashlib.sha256(), 0
    text = encoded.strip()
    if len(text) % 4:
        return None
    try:
        with destination.open("wb") as out:
            for start in range(0, len(text), DECODE_CHUNK):
                chunk = base64.b64decode(text[start : start + DECODE_CHUNK], validate=True)
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
    except (binascii.Error, ValueError):
        return None
    return digest.hexdigest() if size else None


def renamed(archive: ArchiveFile, file_name: str) -> ArchiveFile:
    """An inline file under another fixed name (OIC tells some file kinds by their suffix)."""
    target = archive.path.with_name(file_name)
    archive.path.replace(target)
    return replace(archive, path=target, file_name=file_name)


def check_checksum(archive: ArchiveFile, record: Mapping[str, Any]) -> None:
    """`checksum: sha256:<hex>` must match the archive."""
    expected = record.get("checksum")
    if expected in (None, ""):
        return
    match = CHECKSUM.match(str(expected).lower())
    if match is None:
        raise IssueError("checksum", f"'{expected}' must look like sha256:<64 hex digits>")
    if match.group(1) != archive.sha256:
        raise IssueError(
            "checksum",
            f"does not match the archive (sha256:{archive.sha256}); rebuild or update the checksum",
        )


def archive_facts(archive: ArchiveFile, field: str) -> ArchiveFacts:
    """The archive's facts after the safety checks; an unsafe or corrupt archive is an issue on `field`."""
    try:
        return read_archive(archive.path)
    except OICArchiveError as exc:
        raise IssueError(field, str(exc)) from None


def project_archive_facts(archive: ArchiveFile) -> ProjectArchiveFacts:
    """A `.car`'s facts after the safety checks; an unusable one is an issue on the record's field."""
    try:
        return read_project_archive(archive.path)
    except OICArchiveError as exc:
        raise IssueError(archive.field, str(exc)) from None


def with_prefixed_code(
    archive: ArchiveFile, code: str, version: str, prefix: str, workdir: Path
) -> ArchiveFile:
    """A copy of an `.iar` whose integration folder carries `prefix + code` (blue-green deployments)."""
    old = f"icspackage/project/{code}_{version}/"
    new = f"icspackage/project/{prefix}{code}_{version}/"
    target = workdir / "prefixed" / archive.sha256[:16] / "integration.iar"
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(archive.path) as source, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            name = new + info.filename[len(old) :] if info.filename.startswith(old) else info.filename
            # The entry keeps its own time and attributes: a copy stamped "now" would change the
            # archive's sha256 between a saved plan and its apply.
            entry = zipfile.ZipInfo(name, date_time=info.date_time)
            entry.compress_type, entry.external_attr = zipfile.ZIP_DEFLATED, info.external_attr
            out.writestr(entry, source.read(info))
    return ArchiveFile(target, sha256_file(target), target.name, archive.field)
