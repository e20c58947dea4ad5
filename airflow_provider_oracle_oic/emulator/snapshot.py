"""The emulator's state as JSON: the seed format, the `--state-file` format and `/_emulator/state`.

One format serves all three. Seeds may leave out archives (a minimal one is built) and
timestamps; `/_emulator/state` shows every write-only value as a sha256 digest, never in clear.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from .adapters import adapter as catalogue
from .backend.common import apply_catalogue, check_code_version, ensure_connections
from .backend.lookups import parse_body as parse_lookup
from .backend.projects import check_selection
from .builders import IntegrationArchiveSpec, build_iar
from .car import check_project_id, deployment_json, parse_deployment
from .errors import APIError, bad_request
from .models import (
    Certificate,
    Connection,
    Integration,
    Library,
    Lookup,
    MonitoringSample,
    Package,
    Project,
    Property,
    Transition,
)
from .space import Space
from .store import Store

SECTIONS = (
    "connections",
    "integrations",
    "lookups",
    "packages",
    "libraries",
    "certificates",
    "projects",
    "monitoring",
)
# The store attribute of each section (monitoring samples are kept as `samples`).
SECTION_ATTRIBUTES = tuple("samples" if section == "monitoring" else section for section in SECTIONS)
STATUSES = ("CONFIGURED", "ACTIVATED", "FAILEDACTIVATION", "ACTIVATION_INPROGRESS", "DEACTIVATION_INPROGRESS")


def _digest(value: str) -> str:
    return "sha256:" + hashlib.sha256(value.encode()).hexdigest()


def _dump_properties(props: dict[str, Property], reveal: bool) -> list[dict[str, Any]]:
    return [
        {
            "propertyName": p.name,
            "propertyValue": p.value if reveal or p.value is None or not p.write_only else _digest(p.value),
            "propertyType": p.type,
            **({"attachment": p.attachment} if p.attachment else {}),
        }
        for p in props.values()
    ]


def _dump_space(store: Space, reveal_secrets: bool) -> dict[str, Any]:
    """The connections, integrations, lookups and libraries of the instance or of one project."""
    return {
        "connections": [
            {
                "id": c.id,
                "name": c.name,
                "adapter": c.adapter,
                "role": c.role,
                "description": c.description,
                "securityPolicy": c.security_policy,
                "agentGroupId": c.agent_group_id,
                "connectionProperties": _dump_properties(c.connection_properties, reveal_secrets),
                "securityProperties": _dump_properties(c.security_properties, reveal_secrets),
                "status": c.status,
                "testStatus": c.test_status,
                "locked": c.locked,
                "created": c.created,
                "lastUpdated": c.last_updated,
            }
            for c in store.connections.values()
        ],
        "integrations": [
            {
                "code": i.code,
                "version": i.version,
                "name": i.name,
                "description": i.description,
                "package": i.package_name,
                "archive_sha256": i.archive,
                "connections": list(i.connections),
                "lookups": list(i.lookups),
                "libraries": list(i.libraries),
                "scheduled": i.has_schedule,
                "scheduleState": i.schedule_state,
                "status": i.status,
                "pending": {"target": i.pending.target, "due": i.pending.due} if i.pending else None,
                "activationError": i.activation_error,
                "locked": i.locked,
                "tracing": i.tracing,
                "payloadTracing": i.payload_tracing,
                "recordEnabled": i.record_enabled,
                "created": i.created,
                "lastUpdated": i.last_updated,
            }
            for i in store.integrations.values()
        ],
        "lookups": [
            {
                "name": lk.name,
                "description": lk.description,
                "columns": lk.columns,
                "rows": lk.rows,
                "locked": lk.locked,
                "created": lk.created,
                "lastUpdated": lk.last_updated,
            }
            for lk in store.lookups.values()
        ],
        "libraries": [
            {
                "code": lib.code,
                "version": lib.version,
                "name": lib.name,
                "type": lib.type,
                "description": lib.description,
                "file_name": lib.file_name,
                "archive_sha256": lib.archive,
                "locked": lib.locked,
                "created": lib.created,
                "lastUpdated": lib.last_updated,
            }
            for lib in store.libraries.values()
        ],
    }


def _dump_project(project: Project, reveal_secrets: bool) -> dict[str, Any]:
    return {
        "id": project.id,
        "name": project.name,
        "description": project.description,
        "type": project.type,
        "revision": project.revision,
        "created": project.created,
        "lastUpdated": project.last_updated,
        "deployments": [
            {**deployment_json(d), "lastUpdated": d.last_updated} for d in project.deployments.values()
        ],
        **_dump_space(project.space, reveal_secrets),
    }


def dump(store: Store, reveal_secrets: bool) -> dict[str, Any]:
    """Everything in the store; `reveal_secrets` only for the state file, which is the emulator's own database."""
    return {
        **_dump_space(store, reveal_secrets),
        "packages": [
            {"name": p.name, "type": p.type, "created": p.created, "lastUpdated": p.last_updated}
            for p in store.packages.values()
        ],
        "projects": [_dump_project(p, reveal_secrets) for p in store.projects.values()],
        "certificates": [
            {
                "name": c.name,
                "type": c.type,
                "category": c.category,
                "file_name": c.file_name,
                "content_sha256": c.content,
                "secrets": c.secrets if reveal_secrets else {k: _digest(v) for k, v in c.secrets.items()},
                "subject": c.subject,
                "expiry": c.expiry,
                "created": c.created,
                "lastUpdated": c.last_updated,
            }
            for c in store.certificates.values()
        ],
        "monitoring": [vars(s).copy() for s in store.samples],
    }


def _properties(raw: Any, where: str) -> dict[str, Property]:
    if raw is None:
        return {}
    if isinstance(raw, dict):
        return {str(k): Property(str(k), None if v is None else str(v)) for k, v in raw.items()}
    if isinstance(raw, list):
        props = {}
        for index, entry in enumerate(raw):
            if not isinstance(entry, dict) or "propertyName" not in entry:
                raise bad_request(f"{where}[{index}] needs propertyName")
            value = entry.get("propertyValue")
            props[entry["propertyName"]] = Property(
                entry["propertyName"],
                None if value is None else str(value),
                entry.get("propertyType", "STRING"),
                attachment=entry.get("attachment"),
            )
        return props
    raise bad_request(f"{where} must be an object of name to value or an array of properties")


def _blob(store: Store, entry: dict[str, Any], digest_key: str, base64_key: str, where: str) -> str | None:
    if entry.get(digest_key):
        if not store.blobs.path(entry[digest_key]).exists():
            raise bad_request(f"{where}: {digest_key} {entry[digest_key]} is not in the blob directory")
        return entry[digest_key]
    if entry.get(base64_key):
        try:
            return store.blobs.put(base64.b64decode(entry[base64_key], validate=True))
        except ValueError:
            raise bad_request(f"{where}: {base64_key} is not valid base64") from None
    return None


def _load_connection(store: Store, raw: dict[str, Any], where: str, now: float) -> Connection:
    policy = raw.get("securityPolicy")
    adapter = catalogue(str(raw.get("adapter", "rest")))
    if policy is not None and adapter.policy(policy) is None:
        raise bad_request(
            f"{where}: securityPolicy {policy!r} is not offered by the {adapter.display} adapter; "
            f"use one of {', '.join(p.name for p in adapter.policies)}"
        )
    conn = Connection(
        id=raw["id"],
        name=raw.get("name", raw["id"]),
        created=raw.get("created", now),
        last_updated=raw.get("lastUpdated", now),
        adapter=str(raw.get("adapter", "rest")).lower(),
        role=raw.get("role", "SOURCE_AND_TARGET"),
        description=raw.get("description", ""),
        security_policy=policy,
        agent_group_id=raw.get("agentGroupId"),
        connection_properties=_properties(raw.get("connectionProperties"), f"{where}.connectionProperties"),
        security_properties=_properties(raw.get("securityProperties"), f"{where}.securityProperties"),
        status=raw.get("status", "INPROGRESS"),
        test_status=raw.get("testStatus", "SUCCESS" if raw.get("status") == "CONFIGURED" else "NOTTESTED"),
        locked=bool(raw.get("locked", False)),
    )
    apply_catalogue(conn)
    return conn


def _load_integration(store: Store, raw: dict[str, Any], where: str, now: float) -> Integration:
    code, version = check_code_version(raw.get("code"), raw.get("version"), where)
    status = raw.get("status", "CONFIGURED")
    if status not in STATUSES:
        raise bad_request(f"{where}: status {status!r} must be one of {', '.join(STATUSES)}")
    connections = tuple(raw.get("connections", ()))
    lookups = tuple(raw.get("lookups", ()))
    scheduled = bool(raw.get("scheduled", False))
    archive = _blob(store, raw, "archive_sha256", "archive_base64", where) or store.blobs.put(
        build_iar(IntegrationArchiveSpec(code, version, raw.get("name"), connections, lookups, scheduled))
    )
    pending = raw.get("pending")
    return Integration(
        code=code,
        version=version,
        name=raw.get("name") or code,
        archive=archive,
        created=raw.get("created", now),
        last_updated=raw.get("lastUpdated", now),
        description=raw.get("description", ""),
        package_name=raw.get("package"),
        connections=connections,
        lookups=lookups,
        libraries=tuple(raw.get("libraries", ())),
        has_schedule=scheduled,
        schedule_state=raw.get("scheduleState") or ("STOPPED" if scheduled else None),
        status=status,
        pending=Transition(pending["target"], float(pending["due"])) if pending else None,
        activation_error=raw.get("activationError"),
        locked=bool(raw.get("locked", False)),
        tracing=bool(raw.get("tracing", False)),
        payload_tracing=bool(raw.get("payloadTracing", False)),
        record_enabled=bool(raw.get("recordEnabled", False)),
    )


def _entries(data: dict[str, Any], key: str) -> list[tuple[str, dict[str, Any]]]:
    items = data.get(key, [])
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise bad_request(f"{key} must be an array of objects")
    return [(f"{key}[{index}]", item) for index, item in enumerate(items)]


def _load_lookup(raw: dict[str, Any], now: float) -> Lookup:
    table = parse_lookup(
        {key: raw.get(key) for key in ("name", "columns")}
        | {"description": raw.get("description", ""), "rows": raw.get("rows", [])}
    )
    table.created, table.last_updated = raw.get("created", now), raw.get("lastUpdated", now)
    table.locked = bool(raw.get("locked", False))
    return table


def _load_library(store: Store, raw: dict[str, Any], where: str, now: float) -> Library:
    code, version = check_code_version(raw.get("code"), raw.get("version"), where)
    digest = _blob(store, raw, "archive_sha256", "content_base64", where) or store.blobs.put(
        f"function {code.lower()}() {{ return '{version}'; }}\n".encode()
    )
    return Library(
        code,
        version,
        raw.get("name", code),
        raw.get("file_name", f"{code.lower()}.js"),
        digest,
        raw.get("created", now),
        raw.get("lastUpdated", now),
        raw.get("type", "API"),
        raw.get("description", ""),
        bool(raw.get("locked", False)),
    )


def _load_certificate(store: Store, raw: dict[str, Any], where: str, now: float) -> Certificate:
    digest = _blob(store, raw, "content_sha256", "content_base64", where) or store.blobs.put(b"seeded")
    return Certificate(
        raw["name"],
        raw.get("type", "X509"),
        raw.get("category", "TRUST"),
        raw.get("file_name", raw["name"]),
        digest,
        raw.get("created", now),
        raw.get("lastUpdated", now),
        dict(raw.get("secrets", {})),
        raw.get("subject"),
        raw.get("expiry"),
    )


def _load_space(staged: Space, store: Store, data: dict[str, Any], now: float) -> None:
    for where, raw in _entries(data, "connections"):
        conn = _load_connection(store, raw, where, now)
        staged.connections[conn.id] = conn
    for where, raw in _entries(data, "integrations"):
        item = _load_integration(store, raw, where, now)
        staged.integrations[item.id] = item
        ensure_connections(staged, item.connections)
    for _where, raw in _entries(data, "lookups"):
        table = _load_lookup(raw, now)
        staged.lookups[table.name] = table
    for where, raw in _entries(data, "libraries"):
        lib = _load_library(store, raw, where, now)
        staged.libraries[lib.id] = lib


def _load_project(store: Store, raw: dict[str, Any], where: str, now: float) -> Project:
    ident = check_project_id(raw.get("id"), where)
    project = Project(
        ident,
        str(raw.get("name") or ident),
        store.new_space(),
        raw.get("created", now),
        raw.get("lastUpdated", now),
        str(raw.get("description", "")),
        str(raw.get("type", "DEVELOPED")),
        int(raw.get("revision", 1)),
    )
    _load_space(project.space, store, raw, now)
    for place, entry in _entries(raw, "deployments"):
        deployment = parse_deployment(entry, f"{where}.{place}", float(entry.get("lastUpdated", now)))
        check_selection(deployment.integrations, set(project.space.integrations), f"{where}.{place}")
        project.deployments[deployment.code] = deployment
    return project


def _load_into(staged: Store, store: Store, data: dict[str, Any], now: float) -> None:
    _load_space(staged, store, data, now)
    for where, raw in _entries(data, "projects"):
        project = _load_project(store, raw, where, now)
        staged.projects[project.id] = project
    for _where, raw in _entries(data, "packages"):
        staged.packages[raw["name"]] = Package(
            raw["name"], raw.get("created", now), raw.get("lastUpdated", now), raw.get("type", "DEVELOPED")
        )
    for item in staged.integrations.values():
        if item.package_name and item.package_name not in staged.packages:
            staged.packages[item.package_name] = Package(item.package_name, now, now)
    for where, raw in _entries(data, "certificates"):
        cert = _load_certificate(store, raw, where, now)
        staged.certificates[cert.name] = cert
    staged.samples = [MonitoringSample(**raw) for _where, raw in _entries(data, "monitoring")]


def load(store: Store, data: Any) -> None:
    """Replace the store's content with `data`; on any error the store is left as it was."""
    if not isinstance(data, dict):
        raise bad_request("The seed must be a JSON object with connections, integrations, lookups, ...")
    unknown = set(data) - set(SECTIONS)
    if unknown:
        raise bad_request(f"Unknown seed section(s): {', '.join(sorted(unknown))}; use {', '.join(SECTIONS)}")
    staged = Store(store.config, store.blobs)
    try:
        _load_into(staged, store, data, store.stamp())
    except APIError:
        raise
    except (KeyError, TypeError, ValueError) as exc:
        raise bad_request(f"The seed is malformed: {type(exc).__name__} {exc}") from None
    for attribute in SECTION_ATTRIBUTES:
        setattr(store, attribute, getattr(staged, attribute))


def save_file(store: Store, path: Path) -> None:
    """Write the state file atomically (write a temp file, then rename over the old one)."""
    data = json.dumps(dump(store, reveal_secrets=True), indent=1)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(handle, "w") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    os.chmod(name, 0o600)
    os.replace(name, path)


def load_file(store: Store, path: Path) -> None:
    try:
        data = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise bad_request(f"{path} is not valid JSON: {exc}") from None
    load(store, data)
