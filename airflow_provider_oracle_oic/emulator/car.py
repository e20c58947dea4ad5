"""The `.car` (OIC 3 project archive) as the emulator reads and writes it.

Oracle publishes no layout, so this one is our choice (docs/oic-reference.md §12, unverified) and lives only
here: `project.json` at the root (`id`, `code`, `name`, `description`, `type`, `deployments`, and
`libraries` naming each library file), each integration in the §3 `.iar` layout under
`icspackage/project/<CODE>_<VERSION>/`, connections under `icspackage/appinstances/`, lookups as
OIC's lookup CSV under `icspackage/dvms/<NAME>.csv`, library files under
`icspackage/libraries/<CODE>_<VERSION>/<file name>`.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .archives import ArchiveLimits, ProjectFacts, open_checked_zip, project_archive, read_facts
from .backend.lookups import parse_csv_text
from .errors import bad_request
from .models import Deployment, Lookup

PROJECT_JSON = "project.json"
PROJECT_ID = re.compile(r"^[A-Z0-9][A-Z0-9_-]{0,49}$")
DVM_CSV = re.compile(r"^icspackage/dvms/([^/]+)\.csv$")
LIBRARY_DIR = "icspackage/libraries/"
FIXED_DATE = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class CarLibrary:
    """A library file a `.car` carries, with what `project.json` says of it."""

    code: str
    version: str
    name: str
    type: str
    description: str
    file_name: str
    data: bytes

    @property
    def entry(self) -> str:
        return f"{LIBRARY_DIR}{self.code}_{self.version}/{self.file_name}"

    def to_json(self) -> dict[str, str]:
        """How `project.json` names the library (its file travels beside it)."""
        return {
            "code": self.code,
            "version": self.version,
            "name": self.name,
            "type": self.type,
            "description": self.description,
            "fileName": self.file_name,
        }


@dataclass(frozen=True)
class CarIntegration:
    """One integration of a `.car`: its facts and its own `.iar` bytes."""

    facts: ProjectFacts
    archive: bytes
    has_schedule: bool

    @property
    def id(self) -> str:
        return f"{self.facts.code}|{self.facts.version}"


@dataclass(frozen=True)
class CarContent:
    """Everything a `.car` holds, read and checked."""

    id: str
    name: str
    description: str
    type: str
    integrations: dict[str, CarIntegration]
    connections: tuple[str, ...]
    adapters: dict[str, str]
    lookups: list[Lookup]
    libraries: list[CarLibrary]
    deployments: list[Deployment]


def check_project_id(value: object, what: str) -> str:
    if not isinstance(value, str) or not PROJECT_ID.match(value):
        raise bad_request(
            f"{what}: project id {value!r} must be upper-case letters, digits, '_' and '-', e.g. ORDERS-HUB"
        )
    return value


def parse_selection(raw: object, what: str) -> list[tuple[str, str]]:
    """A deployment's `integrations`: `[{"code", "version"}]`."""
    if not isinstance(raw, list):
        raise bad_request(f"{what}: integrations must be an array of {{code, version}}")
    chosen = []
    for index, entry in enumerate(raw):
        code = entry.get("code") if isinstance(entry, dict) else None
        version = entry.get("version") if isinstance(entry, dict) else None
        if not isinstance(code, str) or not isinstance(version, str) or not code or not version:
            raise bad_request(f"{what}: integrations[{index}] needs code and version")
        chosen.append((code, version))
    return chosen


def parse_deployment(raw: object, what: str, now: float) -> Deployment:
    """A deployment from JSON (a create or update body, or `project.json`); 400 naming a missing field."""
    if not isinstance(raw, dict):
        raise bad_request(f"{what}: a deployment must be a JSON object with name, code and integrations")
    for key in ("name", "code"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise bad_request(f"{what}: {key} is required")
    description = raw.get("description") or ""
    if not isinstance(description, str):
        raise bad_request(f"{what}: description must be a string")
    selection = parse_selection(raw.get("integrations", []), f"{what} {raw['code']}")
    return Deployment(raw["code"], raw["name"], selection, now, description)


def _project_json(archive: zipfile.ZipFile, what: str) -> dict[str, Any]:
    try:
        data = json.loads(archive.read(PROJECT_JSON))
    except KeyError:
        raise bad_request(
            f"{what} has no {PROJECT_JSON} at its root; is it an OIC 3 project export (.car)?"
        ) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise bad_request(f"{what}: {PROJECT_JSON} is not valid JSON ({exc})") from None
    if not isinstance(data, dict):
        raise bad_request(f"{what}: {PROJECT_JSON} must be a JSON object")
    return data


def _lookups(archive: zipfile.ZipFile, limit: int, what: str) -> list[Lookup]:
    tables = []
    for name in archive.namelist():
        if DVM_CSV.match(name):
            tables.append(parse_csv_text(archive.read(name), limit, f"{what} entry {name}"))
    return tables


def _libraries(archive: zipfile.ZipFile, meta: dict[str, Any], what: str) -> list[CarLibrary]:
    raw = meta.get("libraries", [])
    if not isinstance(raw, list):
        raise bad_request(f"{what}: {PROJECT_JSON} libraries must be an array")
    found = []
    for index, entry in enumerate(raw):
        where = f"{what}: {PROJECT_JSON} libraries[{index}]"
        if not isinstance(entry, dict) or not all(
            isinstance(entry.get(k), str) for k in ("code", "version", "fileName")
        ):
            raise bad_request(f"{where} needs code, version and fileName")
        library = CarLibrary(
            entry["code"],
            entry["version"],
            str(entry.get("name") or entry["code"]),
            str(entry.get("type") or "API"),
            str(entry.get("description") or ""),
            entry["fileName"],
            b"",
        )
        try:
            data = archive.read(library.entry)
        except KeyError:
            raise bad_request(f"{where}: the file {library.entry} is missing") from None
        found.append(replace(library, data=data))
    return found


def read_car(path: Path, limits: ArchiveLimits, what: str = "Project archive") -> CarContent:
    """Check and read an uploaded `.car`, or raise a 400 naming what is wrong."""
    with open_checked_zip(path, limits, what) as archive:
        meta = _project_json(archive, what)
        project_id = check_project_id(meta.get("id") or meta.get("code"), f"{what} {PROJECT_JSON}")
        name = meta.get("name") or project_id
        names = archive.namelist()
        has_integrations = any(n.startswith("icspackage/project/") for n in names)
        facts = read_facts(archive, what) if has_integrations else None
        integrations = {}
        for project in facts.projects if facts else ():
            schedule = f"icspackage/schedule/{project.code}_{project.version}"
            integrations[f"{project.code}|{project.version}"] = CarIntegration(
                project, project_archive(archive, project), any(n.startswith(schedule) for n in names)
            )
        raw_deployments = meta.get("deployments", [])
        if not isinstance(raw_deployments, list):
            raise bad_request(f"{what}: {PROJECT_JSON} deployments must be an array")
        deployments = [
            parse_deployment(raw, f"{what}: {PROJECT_JSON} deployments[{index}]", 0.0)
            for index, raw in enumerate(raw_deployments)
        ]
        return CarContent(
            id=project_id,
            name=str(name),
            description=str(meta.get("description") or ""),
            type=str(meta.get("type") or "DEVELOPED"),
            integrations=integrations,
            connections=facts.connections if facts else (),
            adapters=facts.adapters if facts else {},
            lookups=_lookups(archive, limits.max_archive_bytes, what),
            libraries=_libraries(archive, meta, what),
            deployments=deployments,
        )


def deployment_json(item: Deployment) -> dict[str, Any]:
    body: dict[str, Any] = {
        "code": item.code,
        "name": item.name,
        "integrations": [{"code": c, "version": v} for c, v in item.integrations],
    }
    if item.description:
        body["description"] = item.description
    return body


def write_car(
    meta: dict[str, Any],
    integrations: Sequence[Path | bytes],
    lookups: dict[str, str],
    libraries: list[CarLibrary],
) -> bytes:
    """A `.car`: `project.json`, the entries of each integration's `.iar`, lookup CSVs, library files."""
    out = io.BytesIO()
    meta = {**meta, "libraries": [library.to_json() for library in libraries]}
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        target.writestr(zipfile.ZipInfo(PROJECT_JSON, date_time=FIXED_DATE), json.dumps(meta, indent=1))
        written = {PROJECT_JSON}
        for archive in integrations:
            with zipfile.ZipFile(io.BytesIO(archive) if isinstance(archive, bytes) else archive) as source:
                for info in source.infolist():
                    # Lookups and libraries are written from the project's own, below.
                    if info.filename in written or info.filename.startswith(
                        ("icspackage/dvms/", LIBRARY_DIR)
                    ):
                        continue
                    written.add(info.filename)
                    target.writestr(
                        zipfile.ZipInfo(info.filename, date_time=info.date_time), source.read(info)
                    )
        for name, text in sorted(lookups.items()):
            target.writestr(zipfile.ZipInfo(f"icspackage/dvms/{name}.csv", date_time=FIXED_DATE), text)
        for library in libraries:
            target.writestr(zipfile.ZipInfo(library.entry, date_time=FIXED_DATE), library.data)
    return out.getvalue()
