"""What the emulator reads from uploaded `.iar`/`.par` zips, and how it rewrites them.

Only the facts docs/oic-reference.md §3 names are read: code and version from
`icspackage/project/<CODE>_<VERSION>/`, connections from `icspackage/appinstances/<ID>.*`,
lookups from `icspackage/dvms/<NAME>.*`, and the name from `PROJECT-INF/project.xml`.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from .errors import bad_request

PROJECT_DIR = re.compile(r"^icspackage/project/([A-Z][A-Z0-9_]*)_(\d{2}\.\d{2}\.\d{4})/")
NAME_ELEMENT = re.compile(rb"<name>\s*([^<]{1,200}?)\s*</name>")
ADAPTER_ELEMENT = re.compile(rb"<adapterType>\s*([^<]{1,100}?)\s*</adapterType>")
PACKAGE_ELEMENT = re.compile(rb"<packageName>\s*([^<]{1,200}?)\s*</packageName>")
PROJECT_XML_READ_LIMIT = 1 << 20
BOMB_MIN_ENTRY_BYTES = 1 << 20


@dataclass(frozen=True)
class ArchiveLimits:
    """Bounds that keep a hostile upload from exhausting the emulator."""

    max_archive_bytes: int
    max_uncompressed_bytes: int
    max_compression_ratio: float


@dataclass(frozen=True)
class ProjectFacts:
    """One integration folder inside an archive."""

    code: str
    version: str
    name: str
    package_name: str | None = None

    @property
    def folder(self) -> str:
        return f"icspackage/project/{self.code}_{self.version}/"


@dataclass(frozen=True)
class ArchiveFacts:
    """Everything the emulator takes from an integration or package archive."""

    projects: tuple[ProjectFacts, ...]
    connections: tuple[str, ...]
    lookups: tuple[str, ...]
    has_schedule: bool
    adapters: dict[str, str] = field(default_factory=dict)


def _check_entry_name(name: str, what: str) -> None:
    posix = name.replace("\\", "/")
    if posix.startswith("/") or re.match(r"^[A-Za-z]:", posix) or ".." in PurePosixPath(posix).parts:
        raise bad_request(f"{what} entry '{name}' escapes the archive root; entries must be relative paths")


def open_checked_zip(path: Path, limits: ArchiveLimits, what: str) -> zipfile.ZipFile:
    """Open an uploaded zip after the size, traversal and zip-bomb checks, or raise a 400."""
    size = path.stat().st_size
    if size == 0:
        raise bad_request(f"{what} is empty; upload the archive file in the multipart field 'file'")
    if size > limits.max_archive_bytes:
        raise bad_request(f"{what} is {size} bytes, more than the limit of {limits.max_archive_bytes} bytes")
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise bad_request(f"{what} is not a zip archive ({exc})") from None
    try:
        total = 0
        for info in archive.infolist():
            _check_entry_name(info.filename, what)
            total += info.file_size
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size > BOMB_MIN_ENTRY_BYTES and ratio > limits.max_compression_ratio:
                raise bad_request(
                    f"{what} entry '{info.filename}' expands {ratio:.0f}x "
                    f"(limit {limits.max_compression_ratio:.0f}x); refusing a likely zip bomb"
                )
        if total > limits.max_uncompressed_bytes:
            raise bad_request(
                f"{what} expands to {total} bytes, more than the limit of {limits.max_uncompressed_bytes} bytes"
            )
    except Exception:
        archive.close()
        raise
    return archive


def _project_xml(archive: zipfile.ZipFile, folder: str, code: str) -> tuple[str, str | None]:
    """The integration's name (its code when absent) and packageName from `PROJECT-INF/project.xml`."""
    try:
        with archive.open(f"{folder}PROJECT-INF/project.xml") as handle:
            head = handle.read(PROJECT_XML_READ_LIMIT)
    except (KeyError, zipfile.BadZipFile, OSError):
        return code, None
    name, package = NAME_ELEMENT.search(head), PACKAGE_ELEMENT.search(head)
    return (
        name.group(1).decode("utf-8", "replace") if name else code,
        package.group(1).decode("utf-8", "replace") if package else None,
    )


def _adapter_types(
    archive: zipfile.ZipFile, names: list[str], connections: tuple[str, ...]
) -> dict[str, str]:
    """The `<adapterType>` each `icspackage/appinstances/<ID>.xml` names (§11.4); absent ones are left out."""
    found = {}
    for conn in connections:
        entry = f"icspackage/appinstances/{conn}.xml"
        if entry not in names:
            continue
        with archive.open(entry) as handle:
            match = ADAPTER_ELEMENT.search(handle.read(PROJECT_XML_READ_LIMIT))
        if match:
            found[conn] = match.group(1).decode("utf-8", "replace").strip().lower()
    return found


def _stems(names: list[str], folder: str) -> tuple[str, ...]:
    found = {n[len(folder) :].split(".", 1)[0] for n in names if n.startswith(folder) and n != folder}
    return tuple(sorted(s for s in found if s and "/" not in s))


def read_facts(archive: zipfile.ZipFile, what: str) -> ArchiveFacts:
    """Read the facts of an already checked archive; 400 when it lacks the project layout."""
    names = [info.filename for info in archive.infolist()]
    projects: dict[tuple[str, str], ProjectFacts] = {}
    for name in names:
        match = PROJECT_DIR.match(name)
        if match and match.groups() not in projects:
            code, version = match.groups()
            projects[(code, version)] = ProjectFacts(
                code, version, *_project_xml(archive, match.group(0), code)
            )
    if not projects:
        raise bad_request(
            f"{what} has no integration folder; expected entries under icspackage/project/<CODE>_<NN.NN.NNNN>/"
        )
    connections = _stems(names, "icspackage/appinstances/")
    return ArchiveFacts(
        projects=tuple(projects.values()),
        connections=connections,
        adapters=_adapter_types(archive, names, connections),
        lookups=_stems(names, "icspackage/dvms/"),
        has_schedule=any(n.startswith("icspackage/schedule/") and not n.endswith("/") for n in names),
    )


def _copy_entries(source: zipfile.ZipFile, target: zipfile.ZipFile, rename: dict[str, str], keep) -> None:
    written = set(target.namelist())
    for info in source.infolist():
        if not keep(info.filename):
            continue
        name = info.filename
        for old, new in rename.items():
            if name.startswith(old):
                name = new + name[len(old) :]
        if name in written:
            continue
        written.add(name)
        # The source entry's date, not the clock: the same archive always splits into the same bytes.
        copied = zipfile.ZipInfo(name, date_time=info.date_time)
        target.writestr(copied, source.read(info), compress_type=zipfile.ZIP_DEFLATED)


FIXED_DATE = (1980, 1, 1, 0, 0, 0)


def project_archive(package: zipfile.ZipFile, project: ProjectFacts) -> bytes:
    """The `.iar` of one integration inside a package: its folder plus the shared entries."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        _copy_entries(
            package,
            target,
            {},
            lambda n: n.startswith(project.folder) or not n.startswith("icspackage/project/"),
        )
    return out.getvalue()


def renamed_archive(source: Path, old: ProjectFacts, new: ProjectFacts) -> bytes:
    """A copy of an `.iar` whose project folder and name are those of a clone."""
    out = io.BytesIO()
    with zipfile.ZipFile(source) as archive, zipfile.ZipFile(out, "w") as target:
        _copy_entries(archive, target, {old.folder: new.folder}, lambda n: not n.endswith("project.xml"))
        target.writestr(
            zipfile.ZipInfo(f"{new.folder}PROJECT-INF/project.xml", date_time=FIXED_DATE),
            f"<project><name>{new.name}</name><code>{new.code}</code><version>{new.version}</version></project>",
        )
    return out.getvalue()


def merged_archive(sources: list[Path]) -> bytes:
    """A `.par` holding the folders of several `.iar` files."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for path in sources:
            with zipfile.ZipFile(path) as archive:
                _copy_entries(archive, target, {}, lambda n: True)
    return out.getvalue()
