"""Packages: `.par` import/replace/export/delete; importing creates the integrations inside (§6)."""

from __future__ import annotations

from pathlib import Path

from ..archives import ProjectFacts, merged_archive, open_checked_zip, project_archive, read_facts
from ..errors import bad_request, conflict, locked, not_found, precondition_failed
from ..models import Integration, Package
from ..store import Store
from .common import busy_reason, ensure_connections, is_busy


def get(store: Store, name: str) -> Package:
    item = store.packages.get(name)
    if item is None:
        raise not_found("Package", name)
    return item


def members(store: Store, name: str) -> list[Integration]:
    return sorted((i for i in store.integrations.values() if i.package_name == name), key=lambda i: i.id)


def package_name(file_name: str | None, projects: tuple[ProjectFacts, ...]) -> str:
    """The `packageName` the archive's integrations carry; without one, the uploaded file name
    without `.par` (§11.16)."""
    carried = {p.package_name for p in projects if p.package_name}
    if len(carried) > 1:
        raise bad_request(
            f"Package archive {file_name}: its integrations name different packages {sorted(carried)}"
        )
    if carried:
        return carried.pop()
    if not file_name or not file_name.lower().endswith(".par") or len(file_name) <= 4:
        raise bad_request(f"Package archive file name {file_name!r} must end with .par; it names the package")
    return Path(file_name).name[:-4]


def _refuse_active(items: list[Integration], name: str) -> None:
    for item in items:
        if is_busy(item):
            raise precondition_failed(f"Package {name}: {busy_reason(item)}")
        if item.status == "ACTIVATED":
            raise precondition_failed(
                f"Package {name}: integration {item.id} is ACTIVATED; deactivate the package's integrations first"
            )


def import_archive(store: Store, staged: Path, file_name: str | None, replace: bool) -> Package:
    """POST (409 when the package exists) or PUT (404 absent; 412 while an integration is active or locked)."""
    with open_checked_zip(staged, store.limits, f"Package archive {file_name}") as archive:
        facts = read_facts(archive, f"Package archive {file_name}")
        name = package_name(file_name, facts.projects)
        existing = store.packages.get(name)
        if replace and existing is None:
            raise not_found("Package", f"{name} (import it with POST to create it)")
        if not replace and existing is not None:
            raise conflict(f"Package {name} already exists; use PUT to replace it")
        incoming = {f"{p.code}|{p.version}": p for p in facts.projects}
        touched = [store.integrations[i] for i in incoming if i in store.integrations]
        _refuse_active(members(store, name) + touched, name)
        parts = {ident: store.blobs.put(project_archive(archive, p)) for ident, p in incoming.items()}
    store.blobs.commit(staged)
    ensure_connections(store, facts.connections, facts.adapters)
    for stale in members(store, name):
        if stale.id not in incoming:
            del store.integrations[stale.id]
    now = store.stamp()
    for ident, project in incoming.items():
        previous = store.integrations.get(ident)
        store.integrations[ident] = Integration(
            code=project.code,
            version=project.version,
            name=project.name,
            archive=parts[ident],
            created=previous.created if previous else now,
            last_updated=now,
            package_name=name,
            connections=facts.connections,
            lookups=facts.lookups,
            has_schedule=facts.has_schedule,
            schedule_state="STOPPED" if facts.has_schedule else None,
        )
    package = existing or Package(name, now, now)
    package.last_updated = now
    store.packages[name] = package
    return package


def export(store: Store, name: str) -> bytes:
    get(store, name)
    items = members(store, name)
    for item in items:
        if is_busy(item):
            raise locked(f"Package {name}: {busy_reason(item)}")
    return merged_archive([store.blobs.path(i.archive) for i in items])


def delete(store: Store, name: str) -> None:
    """Delete the package and its integrations; 423 while any of them is active or locked."""
    get(store, name)
    items = members(store, name)
    for item in items:
        if is_busy(item):
            raise locked(f"Package {name}: {busy_reason(item)}")
        if item.status == "ACTIVATED":
            raise locked(f"Package {name}: integration {item.id} is ACTIVATED; deactivate it first")
    for item in items:
        del store.integrations[item.id]
    del store.packages[name]
