"""Read what OIC holds for the artifacts of a run: by the page where that is cheaper, else one by one."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from ...oic import OICClient
from ...oic.models import Certificate, Connection, Integration, Library, Lookup, Package, Project
from ...oic.reading import read_many
from ...oic.status import IntegrationStatus
from ..input.records import Inventory
from ..model.specs import Kind, project_of, scoped
from .families import family


@dataclass
class Observed:
    """OIC's side of the comparison; None means absent."""

    integrations: dict[str, Integration | None] = field(default_factory=dict)
    packages: dict[str, Package | None] = field(default_factory=dict)
    connections: dict[str, Connection | None] = field(default_factory=dict)
    lookups: dict[str, Lookup | None] = field(default_factory=dict)
    libraries: dict[str, Library | None] = field(default_factory=dict)
    certificates: dict[str, Certificate | None] = field(default_factory=dict)
    projects: dict[str, Project | None] = field(default_factory=dict)
    # Every integration of each project this run deploys to (OIC has no call to read a few of them).
    project_integrations: dict[str, list[Integration]] = field(default_factory=dict)
    list_activated: Callable[[], list[Integration]] = list
    _activated: dict[str, list[Integration]] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def active_versions(self, code: str, project: str | None = None) -> list[Integration]:
        """The ACTIVATED versions of `code`: one listing of every ACTIVATED integration, made the first
        time a plan needs it (only a run that activates something does); in a project, from its listing."""
        if project is not None:
            return [
                i
                for i in self.project_integrations.get(project, [])
                if i.code == code and i.status == IntegrationStatus.ACTIVATED
            ]
        with self._lock:
            if self._activated is None:
                grouped: dict[str, list[Integration]] = {}
                for item in self.list_activated():
                    grouped.setdefault(item.code, []).append(item)
                self._activated = grouped
            return self._activated.get(code, [])

    def find(self, kind: Kind, ident: str) -> Any:
        """What OIC held for `ident` of `kind` when observed (None: absent or not observed)."""
        table: dict[Kind, dict[str, Any]] = {
            Kind.INTEGRATION: self.integrations,
            Kind.PACKAGE: self.packages,
            Kind.CONNECTION: self.connections,
            Kind.LOOKUP: self.lookups,
            Kind.LIBRARY: self.libraries,
            Kind.CERTIFICATE: self.certificates,
            Kind.PROJECT: self.projects,
        }
        return table[kind].get(ident)


def state_of(current: object | None) -> tuple[str | None, str]:
    """(status, lastUpdated) of an OIC object; `PRESENT` for families without a status."""
    if current is None:
        return None, ""
    return getattr(current, "status", "PRESENT") or "PRESENT", getattr(current, "last_updated", "")


def _wanted(inventory: Inventory, lookups: Sequence[str]) -> dict[tuple[Kind, str | None], list[str]]:
    """The ids to read, by family and scope (None: the instance's global artifacts)."""
    wanted: dict[tuple[Kind, str | None], list[str]] = {}

    def want(kind: Kind, project: str | None, ident: str) -> None:
        wanted.setdefault((kind, project), []).append(ident)

    for spec in inventory.specs.values():
        want(spec.kind, project_of(spec), spec.key)
    for package in inventory.packages:
        for member in package.integrations:
            want(Kind.INTEGRATION, None, member)
    for spec in inventory.archives:
        for conn in spec.connections:
            want(Kind.CONNECTION, None, conn)
    for project in inventory.projects:
        for conn in project.connections:
            want(Kind.CONNECTION, project.id, conn)
    for name in lookups:
        want(Kind.LOOKUP, None, name)
    return wanted


def observe(
    client: OICClient, inventory: Inventory, concurrency: int, lookups: Sequence[str] = ()
) -> Observed:
    """Everything the plan compares against (and `lookups` a strategy routes by), with at most
    `concurrency` requests at a time."""
    wanted = _wanted(inventory, lookups)
    groups = list(wanted)
    with ThreadPoolExecutor(max(len(groups), 1), thread_name_prefix="oic-observe") as pool:
        found = list(
            pool.map(
                lambda group: read_many(
                    family(client.in_project(group[1]), group[0]), wanted[group], concurrency
                ),
                groups,
            )
        )
    observed = Observed(list_activated=client.integrations.list_activated)
    for (kind, project), items in zip(groups, found, strict=True):
        table = getattr(observed, kind.value)
        table.update({scoped(project, ident): item for ident, item in items.items()})
    for project in inventory.projects:
        if observed.projects.get(project.id) is not None:
            listed = client.project(project.id).integrations.list()
            observed.project_integrations[project.id] = listed
            observed.integrations.update({scoped(project.id, i.id): i for i in listed})
    return observed
