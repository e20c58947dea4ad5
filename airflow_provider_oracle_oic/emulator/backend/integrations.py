"""Integrations: import, replace, export, activate, deactivate, delete, clone, schedule (§3)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from ..archives import ProjectFacts, renamed_archive
from ..errors import APIError, bad_request, conflict, locked, not_found, precondition_failed
from ..models import Integration, Transition
from ..space import Space
from .common import busy_reason, check_code_version, checked_facts, ensure_connections, is_busy

ACTIVATION_FLAGS = {
    "tracingEnabledFlag": "tracing",
    "payloadTracingEnabledFlag": "payload_tracing",
    "recordEnabledFlag": "record_enabled",
}
SCHEDULE_STATES = {"start": "STARTED", "stop": "STOPPED", "pause": "PAUSED", "resume": "STARTED"}


def get(store: Space, ident: str) -> Integration:
    item = store.integrations.get(ident)
    if item is None:
        raise not_found("Integration", ident)
    return item


def import_archive(store: Space, staged: Path, replace: bool) -> Integration:
    """POST (new, 409 when present) or PUT (replace, 404 when absent, 412 when active or busy)."""
    facts = checked_facts(store, staged, "Integration archive")
    if len(facts.projects) != 1:
        codes = ", ".join(f"{p.code}|{p.version}" for p in facts.projects)
        raise bad_request(
            f"An .iar holds exactly one integration, this one holds {codes}; import it as a package"
        )
    project = facts.projects[0]
    ident = f"{project.code}|{project.version}"
    existing = store.integrations.get(ident)
    if replace:
        if existing is None:
            raise not_found("Integration", f"{ident} (import it with POST to create it)")
        if is_busy(existing):
            raise precondition_failed(busy_reason(existing))
        if existing.status == "ACTIVATED":
            raise precondition_failed(f"Integration {ident} is ACTIVATED; deactivate it before replacing it")
    elif existing is not None:
        raise conflict(f"Integration {ident} already exists; use PUT to replace it")
    digest = store.blobs.commit(staged)
    ensure_connections(store, facts.connections, facts.adapters)
    now = store.stamp()
    item = Integration(
        code=project.code,
        version=project.version,
        name=project.name,
        archive=digest,
        created=existing.created if existing else now,
        last_updated=now,
        package_name=existing.package_name if existing else None,
        connections=facts.connections,
        lookups=facts.lookups,
        libraries=existing.libraries if existing else (),
        has_schedule=facts.has_schedule,
        schedule_state="STOPPED" if facts.has_schedule else None,
        description=existing.description if existing else "",
    )
    store.integrations[ident] = item
    return item


def export(store: Space, ident: str) -> Path:
    item = get(store, ident)
    if is_busy(item):
        raise locked(busy_reason(item))
    return store.blobs.path(item.archive)


def _activation_flags(body: dict[str, Any]) -> dict[str, bool]:
    flags = {}
    for wire, attribute in ACTIVATION_FLAGS.items():
        if wire in body:
            if not isinstance(body[wire], bool):
                raise bad_request(f"{wire} must be true or false, not {body[wire]!r}")
            flags[attribute] = body[wire]
    return flags


def change_status(store: Space, ident: str, body: dict[str, Any]) -> tuple[Integration, str]:
    """Activate (`ACTIVATED`) or deactivate (`CONFIGURED`) asynchronously, with OIC's repeat rules (§11.10).

    Returns the integration and the status the answer shows: `…_INPROGRESS` for a change (§11.14),
    the current status for a repeat.
    """
    wanted = body.get("status")
    if wanted not in ("ACTIVATED", "CONFIGURED"):
        raise bad_request(f"status must be ACTIVATED or CONFIGURED, not {wanted!r}")
    flags = _activation_flags(body)
    item = get(store, ident)
    if is_busy(item):
        raise precondition_failed(busy_reason(item))
    if wanted == item.status:
        return item, item.status
    if wanted == "CONFIGURED" and item.status == "FAILEDACTIVATION":
        item.status, item.activation_error, item.last_updated = "CONFIGURED", None, store.stamp()
        return item, item.status
    for attribute, value in flags.items():
        setattr(item, attribute, value)
    answered = "ACTIVATION_INPROGRESS" if wanted == "ACTIVATED" else "DEACTIVATION_INPROGRESS"
    item.status = answered
    item.activation_error = None
    item.pending = Transition(wanted, time.time() + store.config.activation_delay)
    item.last_updated = store.stamp()
    # Without a delay the outcome is immediate, except a failure: OIC reports that later (§11.1).
    if store.config.activation_delay <= 0 and (wanted == "CONFIGURED" or not store.unready_connections(item)):
        store.finish_transition(item)
    return item, answered


def activation_status(item: Integration) -> str:
    """One of the four values Oracle documents (§3): a deactivation in progress still reads ACTIVATED."""
    return "ACTIVATED" if item.status == "DEACTIVATION_INPROGRESS" else item.status


def activation_errors(store: Space, ident: str) -> dict[str, Any]:
    item = get(store, ident)
    message = item.activation_error if item.status == "FAILEDACTIVATION" else None
    return {
        "code": item.code,
        "version": item.version,
        "hasErrors": message is not None,
        "errorMessage": message or "",
        "shortSummaryMessage": "Activation failed" if message else "",
    }


def delete(store: Space, ident: str) -> None:
    item = get(store, ident)
    if is_busy(item):
        raise locked(busy_reason(item))
    if item.status == "ACTIVATED":
        raise locked(f"Integration {ident} is ACTIVATED; deactivate it before deleting it")
    del store.integrations[ident]


def clone(store: Space, ident: str, body: dict[str, Any]) -> Integration:
    """Copy an integration under a new code and version (200; 409 when the target exists)."""
    code, version = check_code_version(body.get("code"), body.get("version"), "Clone request")
    name = body.get("name")
    if not isinstance(name, str) or not name.strip():
        raise bad_request("Clone request: name is required")
    source = get(store, ident)
    target_id = f"{code}|{version}"
    if target_id in store.integrations:
        raise conflict(f"Integration {target_id} already exists; choose another code or version")
    new = ProjectFacts(code, version, name)
    old = ProjectFacts(source.code, source.version, source.name)
    digest = store.blobs.put(renamed_archive(store.blobs.path(source.archive), old, new))
    now = store.stamp()
    item = Integration(
        code=code,
        version=version,
        name=name,
        archive=digest,
        created=now,
        last_updated=now,
        description=str(body.get("description") or source.description),
        package_name=body.get("packageName") or None,
        connections=source.connections,
        lookups=source.lookups,
        libraries=source.libraries,
        has_schedule=source.has_schedule,
        schedule_state="STOPPED" if source.has_schedule else None,
    )
    store.integrations[target_id] = item
    return item


def schedule(store: Space, ident: str, action: str) -> Integration:
    """Start, stop, pause or resume the schedule of an ACTIVATED scheduled integration."""
    item = get(store, ident)
    if action not in SCHEDULE_STATES:
        raise APIError(404, f"Unknown schedule action '{action}'; use start, stop, pause or resume")
    if not item.has_schedule:
        raise bad_request(f"Integration {ident} is not a scheduled integration")
    if item.status != "ACTIVATED":
        raise precondition_failed(
            f"Integration {ident} is {item.status}; activate it before changing its schedule"
        )
    item.schedule_state = SCHEDULE_STATES[action]
    item.last_updated = store.stamp()
    return item
