"""Checks that need the whole input, and OIC's state where the run may contact it."""

from __future__ import annotations

import os
from pathlib import Path

from ..input.connection_checks import catalogue_issues
from ..input.records import Inventory
from ..model.issues import Issue, Where
from ..model.settings import DeploySettings
from ..model.specs import Kind, label, project_of, ref, scoped
from ..state.locations import remote_problem
from .observe import Observed


def _unwritable(path: Path, directory: bool) -> str | None:
    """Why the run could not write `path` (a file, or a folder when `directory`); None when it can."""
    if path.exists():
        if directory and not path.is_dir():
            return f"{path} is not a directory"
        if not directory and path.is_dir():
            return f"{path} is a directory; give a file path"
        return None if os.access(path, os.W_OK) else f"{path} is not writable"
    ancestor = path.parent
    while not ancestor.exists():
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        return f"{ancestor} is a file, so {path} cannot be created"
    if not os.access(ancestor, os.W_OK | os.X_OK):
        return f"{ancestor} is not writable, so {path} cannot be created"
    return None


def settings_issues(settings: DeploySettings) -> list[Issue]:
    """Files the run will write must be writable before anything is sent to OIC."""
    places = [
        ("state_path", settings.state_path, False),
        ("audit_log", settings.audit_log, False),
        ("backup_directory", settings.backup_directory, True),
    ]
    issues = []
    for name, path, directory in places:
        if isinstance(path, str):
            problem = remote_problem(path) if directory else _remote_file_problem(path)
        else:
            problem = _unwritable(path, directory) if path is not None else None
        if problem is not None:
            issues.append(Issue("configuration", name, f"{problem}; fix the setting", Where.SETTINGS))
    return issues


def _remote_file_problem(url: str) -> str | None:
    """Why a file (a ledger) could not be kept at the URL `url`; its folder must also take the run's
    lease (an object written only if absent)."""
    rest = url.partition("://")[2]
    if "/" not in rest:
        return f"{url} names a bucket, not an object in it; give the file's place, e.g. {url}/oic/ledger.json"
    return remote_problem(url.rsplit("/", 1)[0], exclusive=True)


def offline_issues(inventory: Inventory) -> list[Issue]:
    """Problems visible in the input alone."""
    issues = []
    packaged: dict[str, str] = {}
    for spec in inventory.packages:
        for member in spec.integrations:
            packaged[member] = spec.key
    for spec in inventory.of(Kind.INTEGRATION):
        if spec.key in packaged:
            issues.append(
                Issue(label(spec), "record", f"is also inside package {packaged[spec.key]}; deploy it once")
            )
    return issues


def project_issues(inventory: Inventory, integration_instance: str | None) -> list[Issue]:
    """OIC 3 projects exist only on OIC 3, which needs the `integrationInstance` of every call."""
    scoped = [s for s in inventory.specs.values() if s.kind == Kind.PROJECT or project_of(s) is not None]
    if not scoped or integration_instance:
        return []
    return [
        Issue(
            label(scoped[0]),
            "integration_instance",
            "OIC 3 projects need the integration_instance setting (the instance name, e.g. "
            "myinstance-abcdef-ia); set it in the configuration or the Airflow connection",
        )
    ]


def online_issues(inventory: Inventory, observed: Observed, allow_literal_secrets: bool) -> list[Issue]:
    """Connection references and adapter types, checked against OIC and the rest of the run."""
    issues = []
    created: set[str] = set()
    for spec in inventory.archives:
        created.update(spec.connections)
    for project in inventory.projects:
        created.update(scoped(project.id, c) for c in project.connections)
    configured_here = {ref(s) for s in inventory.connections if s.test}
    for spec in inventory.connections:
        current = observed.connections.get(ref(spec))
        if current is None and ref(spec) not in created:
            where = f"project {spec.project}" if spec.project else "OIC"
            brings = (
                "the project's .car in this run holds"
                if spec.project
                else "integration or package in this run"
            )
            issues.append(
                Issue(
                    label(spec),
                    "id",
                    f"does not exist in {where} and no {brings} creates it; "
                    "import what uses it first (or fix the id or project)",
                )
            )
        if current is not None:
            issues.extend(catalogue_issues(spec, current, allow_literal_secrets))
        if (
            current is not None
            and spec.adapter_type
            and spec.adapter_type.lower() != current.adapter_type.lower()
        ):
            issues.append(
                Issue(
                    label(spec),
                    "adapterType",
                    f"is {spec.adapter_type} but OIC has {current.adapter_type}; fix the record",
                )
            )
    for spec in inventory.archives:
        if not spec.activate:
            continue
        for conn in spec.connections:
            current = observed.connections.get(conn)
            if conn not in configured_here and (current is None or current.status != "CONFIGURED"):
                issues.append(
                    Issue(
                        label(spec),
                        "connections",
                        f"{conn} is not configured in OIC and no connections "
                        "record in this run configures and tests it; add one or set activate to false",
                    )
                )
    for project in inventory.projects:
        if not project.activate:
            continue
        for conn in project.connections:
            current = observed.connections.get(scoped(project.id, conn))
            if scoped(project.id, conn) not in configured_here and (
                current is None or current.status != "CONFIGURED"
            ):
                issues.append(
                    Issue(
                        label(project),
                        "activate",
                        f"connection {conn} of the project is not configured and no connections record "
                        f"with project {project.id} in this run configures and tests it; add one or set "
                        "activate to false",
                    )
                )
    return issues
