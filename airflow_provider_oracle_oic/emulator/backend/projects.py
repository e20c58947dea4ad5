"""OIC 3 projects: import, replace, export, delete, and their deployments (docs/oic-reference.md §12)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..car import (
    CarContent,
    CarLibrary,
    deployment_json,
    parse_deployment,
    parse_selection,
    read_car,
    write_car,
)
from ..errors import bad_request, conflict, not_found, precondition_failed
from ..models import Deployment, Integration, Library, Project
from ..space import Space
from ..store import Store
from .common import busy_reason, ensure_connections, is_busy
from .lookups import to_csv


def get(store: Store, ident: str) -> Project:
    project = store.projects.get(ident)
    if project is None:
        raise not_found("Project", ident)
    return project


def space_of(store: Store, ident: str) -> Space:
    return get(store, ident).space


def _blocking(items: list[Integration], doing: str) -> None:
    """412 while any of `items` is ACTIVATED, locked or changing status (§12)."""
    for item in items:
        if is_busy(item):
            raise precondition_failed(f"{busy_reason(item)}; the project cannot be {doing}")
        if item.status == "ACTIVATED":
            raise precondition_failed(
                f"Integration {item.id} is ACTIVATED; deactivate it before the project is {doing}"
            )


def check_selection(selection: list[tuple[str, str]], held: set[str], what: str) -> None:
    """Each version must be in the project, and one major version of a code only once (§12)."""
    majors: dict[tuple[str, str], str] = {}
    for code, version in selection:
        ident = f"{code}|{version}"
        if ident not in held:
            raise bad_request(f"{what}: integration {ident} is not in the project; import it first")
        major = (code, version.split(".", 1)[0])
        if major in majors:
            raise bad_request(
                f"{what}: integrations {code}|{majors[major]} and {ident} are two minor versions of one "
                "major version; a deployment takes one of them"
            )
        majors[major] = version


def _fill(space: Space, content: CarContent, overwrite: bool) -> None:
    """Put the `.car`'s artifacts into `space` by the replace rule (§12)."""
    now = space.stamp()
    for ident, part in content.integrations.items():
        existing = space.integrations.get(ident)
        space.integrations[ident] = Integration(
            code=part.facts.code,
            version=part.facts.version,
            name=part.facts.name,
            archive=space.blobs.put(part.archive),
            created=existing.created if existing else now,
            last_updated=now,
            connections=content.connections,
            lookups=tuple(lk.name for lk in content.lookups),
            has_schedule=part.has_schedule,
            schedule_state="STOPPED" if part.has_schedule else None,
        )
    ensure_connections(space, content.connections, content.adapters)
    for table in content.lookups:
        current = space.lookups.get(table.name)
        if current is not None and not overwrite:
            continue
        table.created = current.created if current else now
        table.last_updated = now
        space.lookups[table.name] = table
    for part in content.libraries:
        ident = f"{part.code}|{part.version}"
        current = space.libraries.get(ident)
        space.libraries[ident] = Library(
            part.code,
            part.version,
            part.name,
            part.file_name,
            space.blobs.put(part.data),
            current.created if current else now,
            now,
            part.type,
            part.description,
        )


def import_car(store: Store, staged: Path, replace: bool) -> Project:
    """POST (new: 409 when it exists) or PUT (replace: 404 when absent, 412 while active or locked)."""
    content = read_car(staged, store.limits)
    existing = store.projects.get(content.id)
    if replace:
        if existing is None:
            raise not_found("Project", f"{content.id} (import it with POST to create it)")
        _blocking(
            [i for ident, i in existing.space.integrations.items() if ident in content.integrations],
            "replaced",
        )
    elif existing is not None:
        raise conflict(f"Project {content.id} already exists; use PUT /projects/archive to replace it")
    held = set(content.integrations) | (set(existing.space.integrations) if existing else set())
    for deployment in content.deployments:
        check_selection(deployment.integrations, held, f"Project archive deployment {deployment.code}")
    now = store.stamp()
    project = existing or Project(content.id, content.name, store.new_space(), now, now)
    _fill(project.space, content, overwrite=replace)
    project.name, project.description, project.type = content.name, content.description, content.type
    project.deployments = {}
    for deployment in content.deployments:
        deployment.last_updated = now
        project.deployments[deployment.code] = deployment
    if existing is not None:
        project.revision += 1
    project.last_updated = now
    store.projects[project.id] = project
    return project


def export(store: Store, ident: str, body: dict[str, Any]) -> bytes:
    """The `.car` of the whole project (empty `label`) or of one deployment (`label` = its code)."""
    project = get(store, ident)
    label = body.get("label") or ""
    if not isinstance(label, str):
        raise bad_request(f"Project {ident} export: label must be a string")
    deployments = list(project.deployments.values())
    chosen = project.space.integrations.values()
    if label:
        deployment = project.deployments.get(label)
        if deployment is None:
            raise not_found("Deployment", f"{label} in project {ident}")
        deployments = [deployment]
        wanted = {f"{c}|{v}" for c, v in deployment.integrations}
        chosen = [i for i in chosen if i.id in wanted]
    meta = {
        "id": project.id,
        "code": project.id,
        "name": project.name,
        "description": project.description,
        "type": project.type,
        "deployments": [deployment_json(d) for d in deployments],
    }
    space = project.space
    libraries = [
        CarLibrary(
            lib.code,
            lib.version,
            lib.name,
            lib.type,
            lib.description,
            lib.file_name,
            space.blobs.path(lib.archive).read_bytes(),
        )
        for lib in space.libraries.values()
    ]
    return write_car(
        meta,
        [space.blobs.path(i.archive) for i in sorted(chosen, key=lambda i: i.id)],
        {name: to_csv(table) for name, table in space.lookups.items()},
        libraries,
    )


def delete(store: Store, ident: str) -> None:
    project = get(store, ident)
    _blocking(list(project.space.integrations.values()), "deleted")
    del store.projects[ident]


def _touch(store: Store, project: Project) -> None:
    project.last_updated = store.stamp()
    project.revision += 1


def create_deployment(store: Store, ident: str, body: Any) -> Deployment:
    project = get(store, ident)
    deployment = parse_deployment(body, f"Project {ident} deployment", store.stamp())
    if deployment.code in project.deployments:
        raise conflict(f"Deployment {deployment.code} already exists in project {ident}; update it instead")
    check_selection(deployment.integrations, set(project.space.integrations), f"Deployment {deployment.code}")
    project.deployments[deployment.code] = deployment
    _touch(store, project)
    return deployment


def get_deployment(store: Store, ident: str, code: str) -> Deployment:
    deployment = get(store, ident).deployments.get(code)
    if deployment is None:
        raise not_found("Deployment", f"{code} in project {ident}")
    return deployment


def update_deployment(store: Store, ident: str, code: str, body: Any) -> Deployment:
    """The whole selection is replaced (PATCH override, §12)."""
    project = get(store, ident)
    deployment = get_deployment(store, ident, code)
    if not isinstance(body, dict):
        raise bad_request(f"Deployment {code} update: the body must be a JSON object")
    if body.get("code", code) != code:
        raise bad_request(f"Deployment code '{body['code']}' in the body differs from '{code}' in the URL")
    if "integrations" in body:
        selection = parse_selection(body["integrations"], f"Deployment {code}")
        check_selection(selection, set(project.space.integrations), f"Deployment {code}")
        deployment.integrations = selection
    for key in ("name", "description"):
        if key in body:
            if not isinstance(body[key], str):
                raise bad_request(f"Deployment {code}: {key} must be a string")
            setattr(deployment, key, body[key])
    deployment.last_updated = store.stamp()
    _touch(store, project)
    return deployment


def delete_deployment(store: Store, ident: str, code: str) -> None:
    project = get(store, ident)
    get_deployment(store, ident, code)
    del project.deployments[code]
    _touch(store, project)
