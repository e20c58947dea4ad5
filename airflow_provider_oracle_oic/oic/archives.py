"""Facts of local `.iar`/`.par` archives, read safely (docs/oic-reference.md §3): code, version, connections, sha256.

Oracle does not publish the archive schema; only the folder layout is read here, in one place.
"""

from __future__ import annotations

import hashlib
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .errors import OICArchiveError
from .identifiers import IntegrationId

PROJECT_DIR = re.compile(r"^icspackage/project/([A-Z][A-Z0-9_]*)_(\d{2}\.\d{2}\.\d{4})/")
NAME_ELEMENT = re.compile(rb"<name>\s*([^<]{1,200}?)\s*</name>")
PACKAGE_ELEMENT = re.compile(rb"<packageName>\s*([^<]{1,200}?)\s*</packageName>")
CHUNK = 1 << 20


@dataclass(frozen=True)
class ArchiveLimits:
    """Bounds on what an archive may expand to before it is refused as a zip bomb."""

    max_archive_bytes: int = 2 << 30
    # OIC's own exports are far below these; a bomb of many modest entries is caught by the last three.
    max_uncompressed_bytes: int = 1 << 30
    max_entries: int = 20_000
    max_compression_ratio: float = 200.0
    min_bomb_entry_bytes: int = 1 << 20


@dataclass(frozen=True)
class ArchivedIntegration:
    """One integration folder in an archive."""

    code: str
    version: str
    name: str
    package_name: str | None = None

    @property
    def id(self) -> str:
        return str(IntegrationId(self.code, self.version))


@dataclass(frozen=True)
class ArchiveFacts:
    """What an archive says about itself."""

    path: Path
    sha256: str
    size: int
    integrations: tuple[ArchivedIntegration, ...]
    connections: tuple[str, ...]
    lookups: tuple[str, ...]

    @property
    def package_names(self) -> tuple[str, ...]:
        """The packageName values its integrations carry (§11.16); empty when none does."""
        return tuple(sorted({i.package_name for i in self.integrations if i.package_name}))

    @property
    def single(self) -> ArchivedIntegration:
        """The integration of an `.iar`; an archive with several is a package."""
        if len(self.integrations) != 1:
            ids = ", ".join(i.id for i in self.integrations)
            raise OICArchiveError(
                f"{self.path.name} holds {len(self.integrations)} integrations ({ids}); an .iar holds one"
            )
        return self.integrations[0]


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _check_entries(archive: zipfile.ZipFile, name: str, size: int, limits: ArchiveLimits) -> list[str]:
    """The entry names, once the archive is known to stay inside its root and its bounds."""
    infos = archive.infolist()
    if len(infos) > limits.max_entries:
        raise OICArchiveError(f"{name}: {len(infos)} entries, over the limit of {limits.max_entries}")
    total = 0
    names = []
    for info in infos:
        entry = info.filename.replace("\\", "/")
        if entry.startswith("/") or re.match(r"^[A-Za-z]:", entry) or ".." in PurePosixPath(entry).parts:
            raise OICArchiveError(
                f"{name}: entry '{info.filename}' escapes the archive root; rebuild the archive"
            )
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > limits.min_bomb_entry_bytes and ratio > limits.max_compression_ratio:
            raise OICArchiveError(
                f"{name}: entry '{info.filename}' expands {ratio:.0f}x; refusing a likely zip bomb"
            )
        names.append(entry)
    if total > limits.max_uncompressed_bytes:
        raise OICArchiveError(
            f"{name}: expands to {total} bytes, over the limit of {limits.max_uncompressed_bytes}"
        )
    ratio = total / max(size, 1)
    if total > limits.min_bomb_entry_bytes and ratio > limits.max_compression_ratio:
        raise OICArchiveError(f"{name}: expands {ratio:.0f}x as a whole; refusing a likely zip bomb")
    return names


def _stems(names: list[str], folder: str) -> tuple[str, ...]:
    stems = {n[len(folder) :].split(".", 1)[0] for n in names if n.startswith(folder)}
    return tuple(sorted(s for s in stems if s and "/" not in s))


def read_archive(
    path: Path, limits: ArchiveLimits | None = None, require_layout: bool = True
) -> ArchiveFacts:
    """Check an archive (zip, no traversal, no bomb, and unless told otherwise the project layout) and read its facts."""
    limits = limits or ArchiveLimits()
    if not path.is_file():
        raise OICArchiveError(f"{path}: no such archive file")
    size = path.stat().st_size
    if size > limits.max_archive_bytes:
        raise OICArchiveError(f"{path.name}: {size} bytes, over the limit of {limits.max_archive_bytes}")
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        raise OICArchiveError(f"{path.name} is not a zip archive; export it again from OIC") from None
    with archive:
        names = _check_entries(archive, path.name, size, limits)
        found: dict[tuple[str, str], ArchivedIntegration] = {}
        for entry in names:
            match = PROJECT_DIR.match(entry)
            if match and match.groups() not in found:
                code, version = match.groups()
                found[(code, version)] = ArchivedIntegration(
                    code, version, *_project_xml(archive, match.group(0), code)
                )
    if not found and require_layout:
        raise OICArchiveError(
            f"{path.name} has no integration folder icspackage/project/<CODE>_<NN.NN.NNNN>/; is it an OIC export?"
        )
    return ArchiveFacts(
        path=path,
        sha256=sha256_file(path),
        size=size,
        integrations=tuple(found.values()),
        connections=_stems(names, "icspackage/appinstances/"),
        lookups=_stems(names, "icspackage/dvms/"),
    )


def _project_xml(archive: zipfile.ZipFile, folder: str, code: str) -> tuple[str, str | None]:
    """The integration's name (its code when absent) and packageName (§11.16) from `project.xml`."""
    try:
        with archive.open(f"{folder}PROJECT-INF/project.xml") as handle:
            head = handle.read(CHUNK)
    except (KeyError, zipfile.BadZipFile, OSError):
        return code, None
    name, package = NAME_ELEMENT.search(head), PACKAGE_ELEMENT.search(head)
    return (
        name.group(1).decode("utf-8", "replace") if name else code,
        package.group(1).decode("utf-8", "replace") if package else None,
    )
