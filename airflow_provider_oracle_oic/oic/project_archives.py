"""Facts of a local `.car` (OIC 3 project archive), read safely (docs/oic-reference.md §12).

Oracle publishes no `.car` layout. What is read here, in one place: the §3 integration folders, the
connections and lookups folders, and `project.json` at the root (the emulator's layout, unverified
against real exports) for the project id and its deployments — an archive without it still has its
integrations read, and only the checks that need `project.json` are skipped.
"""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass
from pathlib import Path

from .archives import ArchivedIntegration, ArchiveLimits, read_archive
from .errors import OICArchiveError
from .models import Deployment

PROJECT_JSON = "project.json"


@dataclass(frozen=True)
class ProjectArchiveFacts:
    """What a `.car` says about itself."""

    path: Path
    sha256: str
    size: int
    project_id: str | None
    name: str | None
    integrations: tuple[ArchivedIntegration, ...]
    connections: tuple[str, ...]
    lookups: tuple[str, ...]
    deployments: tuple[Deployment, ...]
    described: bool

    @property
    def integration_ids(self) -> set[str]:
        return {i.id for i in self.integrations}


def read_project_archive(path: Path, limits: ArchiveLimits | None = None) -> ProjectArchiveFacts:
    """Check a `.car` (zip, no traversal, no bomb) and read its facts; `OICArchiveError` when unusable."""
    facts = read_archive(path, limits, require_layout=False)
    with zipfile.ZipFile(path) as archive:
        try:
            raw = archive.read(PROJECT_JSON)
        except KeyError:
            raw = None
    meta: dict = {}
    if raw is not None:
        try:
            meta = json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise OICArchiveError(f"{path.name}: {PROJECT_JSON} is not valid JSON ({exc})") from None
        if not isinstance(meta, dict):
            raise OICArchiveError(f"{path.name}: {PROJECT_JSON} must be a JSON object")
    if raw is None and not facts.integrations:
        raise OICArchiveError(
            f"{path.name} holds neither {PROJECT_JSON} nor integration folders icspackage/project/…; "
            "is it an OIC 3 project export (.car)?"
        )
    deployments = meta.get("deployments") or []
    return ProjectArchiveFacts(
        path=path,
        sha256=facts.sha256,
        size=facts.size,
        project_id=str(meta.get("id") or meta.get("code") or "") or None,
        name=meta.get("name"),
        integrations=facts.integrations,
        connections=facts.connections,
        lookups=facts.lookups,
        deployments=tuple(Deployment.from_api(d) for d in deployments if isinstance(d, dict)),
        described=raw is not None,
    )
