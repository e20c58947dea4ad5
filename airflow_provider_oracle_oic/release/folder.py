"""A release kept in Git as a folder of OIC's own files, read into the target's records.

Layout (docs/release-folder.md): `integrations/*.iar`, `packages/*.par`, `lookups/*.csv` (OIC's export
layout), `libraries/<CODE>_<VERSION>.jar|.js`, `certificates/<alias>.<ext>`, `connections/<ID>.yaml`,
and an optional `release.yaml` for what a file cannot say. Archives are referenced by `archive_path`
relative to the folder (deploy with `archive_directory` set to it) and carry their sha256 `checksum`.
Imports neither Airflow nor singer-sdk.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from ..oic.archives import ArchiveFacts, read_archive, sha256_file
from ..oic.errors import OICArchiveError
from .manifest import MANIFEST_SCHEMA

# Files a connection's `attachments` may name beside its YAML: keys, WSDLs, keystores.
ATTACHMENT_FILES = (".pem", ".key", ".wsdl", ".xsd", ".p12", ".pfx", ".jks", ".ppk")
STREAM_ORDER = ("certificates", "libraries", "lookups", "packages", "integrations", "connections")
LIBRARY_FILE = re.compile(r"^(?P<code>[A-Z0-9_]+)_(?P<version>\d{2}\.\d{2}\.\d{4})\.(?P<ext>jar|js)$")
CERTIFICATE_DEFAULTS = {
    ".cer": ("X509", "TRUST"),
    ".crt": ("X509", "TRUST"),
    ".pem": ("X509", "TRUST"),
    ".jks": ("X509", "IDENTITY"),
    ".p12": ("X509", "IDENTITY"),
    ".pfx": ("X509", "IDENTITY"),
    ".asc": ("PGP", "PUBLIC"),
    ".gpg": ("PGP", "PUBLIC"),
}


class ReleaseError(ValueError):
    """A release folder that cannot be read; the message names every file and field at fault."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass
class Release:
    """The records a release folder stands for, in dependency order."""

    folder: Path
    records: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def of(self, stream: str) -> list[dict[str, Any]]:
        return [record for name, record in self.records if name == stream]


def read_release(folder: Path) -> Release:
    """Every artifact of the release folder as a record of the target's streams; `ReleaseError` lists
    every problem at once (a file OIC would refuse, a `release.yaml` entry naming no file, ...)."""
    folder = folder.resolve()
    if not folder.is_dir():
        raise ReleaseError([f"release_dir {folder} is not a directory"])
    problems: list[str] = []
    manifest = _manifest(folder, problems)
    reader = _Reader(folder, manifest, problems)
    release = Release(folder, list(reader.records()))
    problems.extend(reader.unused())
    if problems:
        raise ReleaseError(problems)
    return release


def _manifest(folder: Path, problems: list[str]) -> dict[str, Any]:
    path = folder / "release.yaml"
    if not path.exists():
        return {}
    if not _inside(path, folder):
        problems.append("release.yaml: leads outside the release folder (a symlink); copy the file in")
        return {}
    try:
        manifest = yaml.safe_load(path.read_bytes().decode("utf-8")) or {}
    except UnicodeDecodeError:
        problems.append("release.yaml: not UTF-8 text; save it as UTF-8")
        return {}
    except yaml.YAMLError as exc:
        problems.append(f"release.yaml: not valid YAML ({exc})")
        return {}
    validator = jsonschema.Draft202012Validator(MANIFEST_SCHEMA)
    errors = sorted(validator.iter_errors(manifest), key=lambda e: list(e.absolute_path))
    for error in errors:
        where = ".".join(str(p) for p in error.absolute_path) or "(top level)"
        problems.append(
            f"release.yaml: {where}: {_without_value(error)} (docs/release-folder.md lists the fields)"
        )
    return {} if errors else manifest


def _without_value(error: jsonschema.ValidationError) -> str:
    """What is wrong, never the value itself (a password typed where a placeholder belongs)."""
    if error.validator == "pattern":
        if error.schema.get("description", "").startswith("A ${VAR} placeholder"):
            return "must be a ${VAR} placeholder filled at deploy time; a secret never lives in Git"
        return f"must match {error.validator_value}"
    if error.validator == "enum":
        return f"must be one of {', '.join(map(str, error.validator_value))}"
    if error.validator == "type":
        return f"must be of type {error.validator_value}"
    return error.message


class _Reader:
    def __init__(self, folder: Path, manifest: Mapping[str, Any], problems: list[str]) -> None:
        self.folder = folder
        self.manifest = manifest
        self.problems = problems
        self.used: dict[str, set[str]] = {stream: set() for stream in STREAM_ORDER}

    def overrides(self, stream: str, key: str) -> dict[str, Any]:
        entries = self.manifest.get(stream) or {}
        if key in entries:
            self.used[stream].add(key)
        return dict(entries.get(key) or {})

    def unused(self) -> list[str]:
        """Entries of release.yaml that name no file of the folder: a typo would otherwise pass."""
        return [
            f"release.yaml: {stream}.{key}: no such artifact in {stream}/"
            for stream in STREAM_ORDER
            for key in (self.manifest.get(stream) or {})
            if key not in self.used[stream]
        ]

    def files(self, stream: str, *suffixes: str) -> list[Path]:
        """The files of `stream/` with one of `suffixes`; any other file, a name that is not UTF-8 and
        anything that leads outside the folder (a symlink) is named as a problem instead."""
        directory = self.folder / stream
        if not directory.is_dir():
            return []
        if not _inside(directory, self.folder):
            self.problems.append(
                f"{stream}/: leads outside the release folder; a release reads only its own files"
            )
            return []
        found = sorted(p for p in directory.iterdir() if p.is_file() and not p.name.startswith("."))
        kept = []
        for path in found:
            shown = f"{stream}/{_printable(path.name)}"
            if not _utf8(path.name):
                self.problems.append(f"{shown}: the file name is not UTF-8; rename it")
            elif not _inside(path, self.folder):
                self.problems.append(
                    f"{shown}: leads outside the release folder (a symlink); copy the file in"
                )
            elif path.suffix.lower() not in suffixes:
                self.problems.append(
                    f"{shown}: not a {' or '.join(suffixes)} file; {stream}/ holds only those"
                )
            else:
                kept.append(path)
        return kept

    def activation(self) -> dict[str, Any]:
        """The release-wide `activate`, which a per-artifact entry may override."""
        return {"activate": self.manifest["activate"]} if "activate" in self.manifest else {}

    def archive(self, path: Path) -> dict[str, Any]:
        return {
            "archive_path": path.relative_to(self.folder).as_posix(),
            "checksum": f"sha256:{sha256_file(path)}",
        }

    def records(self) -> Iterator[tuple[str, dict[str, Any]]]:
        for stream in STREAM_ORDER:
            for record in getattr(self, f"_{stream}")():
                yield stream, record

    def _certificates(self) -> Iterator[dict[str, Any]]:
        for path in self.files("certificates", *CERTIFICATE_DEFAULTS):
            kind, category = CERTIFICATE_DEFAULTS[path.suffix.lower()]
            record = {"name": path.stem, "type": kind, "category": category}
            record.update(self.overrides("certificates", path.stem))
            record["file_path"] = path.relative_to(self.folder).as_posix()
            yield record

    def _libraries(self) -> Iterator[dict[str, Any]]:
        for path in self.files("libraries", ".jar", ".js"):
            match = LIBRARY_FILE.match(path.name)
            if match is None:
                self.problems.append(
                    f"libraries/{path.name}: name it <CODE>_<VERSION>.{path.suffix[1:]}, "
                    "e.g. MATHLIB_01.00.0000.js (upper-case code, NN.NN.NNNN version)"
                )
                continue
            code, version = match["code"], match["version"]
            record = {"code": code, "version": version, "name": code, **self.archive(path)}
            record.update(self.overrides("libraries", f"{code}|{version}"))
            yield record

    def _lookups(self) -> Iterator[dict[str, Any]]:
        for path in self.files("lookups", ".csv"):
            name = _csv_lookup_name(path) or path.stem
            if name != path.stem:
                self.problems.append(
                    f"lookups/{path.name}: its first line names lookup {name}; name the file {name}.csv"
                )
                continue
            record = {"name": name, "archive_path": path.relative_to(self.folder).as_posix()}
            record.update(self.overrides("lookups", name))
            yield record

    def _archives(self, stream: str, suffix: str) -> Iterator[tuple[Path, ArchiveFacts]]:
        """The archives of `stream/` with what they say about themselves; unreadable ones are named."""
        for path in self.files(stream, suffix):
            try:
                yield path, read_archive(path)
            except OICArchiveError as exc:
                self.problems.append(f"{stream}/{path.name}: {exc}")

    def _packages(self) -> Iterator[dict[str, Any]]:
        for path, facts in self._archives("packages", ".par"):
            name = facts.package_names[0] if facts.package_names else path.stem
            record = {"name": name, **self.activation(), **self.archive(path)}
            record.update(self.overrides("packages", name))
            yield record

    def _integrations(self) -> Iterator[dict[str, Any]]:
        for path, facts in self._archives("integrations", ".iar"):
            try:
                ident = facts.single
            except OICArchiveError as exc:
                self.problems.append(f"integrations/{path.name}: {exc}")
                continue
            record = {"code": ident.code, "version": ident.version, **self.activation(), **self.archive(path)}
            record.update(self.overrides("integrations", ident.id))
            yield record

    def _connections(self) -> Iterator[dict[str, Any]]:
        found = self.files("connections", ".yaml", ".yml", *ATTACHMENT_FILES)
        attached: set[str] = set()
        for path in [p for p in found if p.suffix.lower() in (".yaml", ".yml")]:
            try:
                body = yaml.safe_load(path.read_bytes().decode("utf-8"))
            except UnicodeDecodeError:
                self.problems.append(f"connections/{path.name}: not UTF-8 text; save it as UTF-8")
                continue
            except yaml.YAMLError as exc:
                self.problems.append(f"connections/{path.name}: not valid YAML ({exc})")
                continue
            if not isinstance(body, dict):
                self.problems.append(f"connections/{path.name}: must be a mapping of connection fields")
                continue
            if body.get("id") not in (None, path.stem):
                self.problems.append(
                    f"connections/{path.name}: id {body['id']} differs from the file name; name it {body['id']}.yaml"
                )
                continue
            record = {**body, "id": path.stem}
            if "attachments" in body:
                record["attachments"] = self._attachments(path, body["attachments"], attached)
            record.update(self.overrides("connections", path.stem))
            yield record
        for path in found:
            if path.suffix.lower() not in (".yaml", ".yml") and path.name not in attached:
                self.problems.append(
                    f"connections/{path.name}: no connection names it in its attachments; name it or remove it"
                )

    def _attachments(self, path: Path, raw: Any, attached: set[str]) -> Any:
        """`file:` names a file beside the YAML, which becomes an `archive_path` inside the release; a
        `secret: ${VAR}` passes through (docs/release-folder.md)."""
        if not isinstance(raw, dict):
            self.problems.append(
                f"connections/{path.name}: attachments must map property names to file or secret"
            )
            return raw
        result = {}
        for name, source in raw.items():
            if isinstance(source, dict) and set(source) == {"file"}:
                beside = path.parent / str(source["file"])
                if beside.parent != path.parent or not beside.is_file() or not _inside(beside, self.folder):
                    self.problems.append(
                        f"connections/{path.name}: attachments.{name}.file must name a file beside it in connections/"
                    )
                    continue
                attached.add(beside.name)
                result[name] = {"archive_path": beside.relative_to(self.folder).as_posix()}
            else:
                result[name] = source
        return result


def _csv_lookup_name(path: Path) -> str | None:
    """The lookup name on the first line of an OIC lookup CSV (`DVM,<name>,...`), if it has one."""
    with path.open(encoding="utf-8", errors="replace") as handle:
        first = handle.readline()
    row = next(csv.reader(io.StringIO(first)), [])
    return row[1] if len(row) > 1 and row[0] == "DVM" and row[1] else None


def _inside(path: Path, folder: Path) -> bool:
    """Whether `path`, its links followed, stays inside `folder` (itself already resolved)."""
    return path.resolve().is_relative_to(folder)


def _utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _printable(name: str) -> str:
    """A file name as a message can show it, undecodable bytes escaped."""
    return os.fsencode(name).decode("utf-8", "backslashreplace")
