"""Connections: PATCH update (documented fields only), test, delete (§4, §11.2 to §11.4)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from ..adapters import PropertyDef
from ..adapters import adapter as catalogue
from ..errors import bad_request, conflict, locked, not_found, precondition_failed
from ..models import Connection, Property
from ..space import Space
from .common import active_users, apply_catalogue

UPDATABLE = ("connectionProperties", "securityProperties", "securityPolicy", "agentGroupId")


def get(store: Space, ident: str) -> Connection:
    conn = store.connections.get(ident)
    if conn is None:
        raise not_found("Connection", ident)
    return conn


def _unlocked(store: Space, ident: str) -> Connection:
    """The connection, for a write: 412 while it is open in the designer."""
    conn = get(store, ident)
    if conn.locked:
        raise precondition_failed(
            f"Connection {ident} is locked (open in the designer); close it there and retry"
        )
    return conn


def _parse_properties(value: Any, field: str, ident: str) -> list[Property]:
    if not isinstance(value, list):
        raise bad_request(f"Connection {ident}: {field} must be an array of {{propertyName, propertyValue}}")
    parsed = []
    for index, entry in enumerate(value):
        name = entry.get("propertyName") if isinstance(entry, dict) else None
        if not isinstance(name, str) or not name:
            raise bad_request(f"Connection {ident}: {field}[{index}].propertyName is required")
        raw = entry.get("propertyValue")
        if raw is not None and not isinstance(raw, (str, int, float, bool)):
            raise bad_request(f"Connection {ident}: {field}[{index}].propertyValue must be a string")
        kind = entry.get("propertyType", "STRING")
        if not isinstance(kind, str):
            raise bad_request(f"Connection {ident}: {field}[{index}].propertyType must be a string")
        parsed.append(Property(name, None if raw is None else str(raw), kind))
    return parsed


def _merge(target: dict[str, Property], updates: list[Property]) -> None:
    for prop in updates:
        current = target.get(prop.name)
        if current is None:
            target[prop.name] = prop
        else:
            current.value = prop.value


def _unknown(updates: list[Property], defs: tuple[PropertyDef, ...], ident: str, where: str) -> None:
    known = [d.name for d in defs]
    for prop in updates:
        if prop.name not in known:
            raise bad_request(
                f"Connection {ident}: {where} has no property '{prop.name}'; "
                f"its properties are {', '.join(known) or 'none'}"
            )


def update(store: Space, ident: str, body: Any) -> Connection:
    """Apply only the documented fields; every update needs a new passing test (§11.2)."""
    if not isinstance(body, dict):
        raise bad_request(f"Connection {ident}: the update body must be a JSON object")
    conn = _unlocked(store, ident)
    adapter = catalogue(conn.adapter)
    policy = body.get("securityPolicy", conn.security_policy)
    offered = adapter.policy(policy) if policy is not None else None
    if policy is not None and offered is None:
        raise bad_request(
            f"Connection {ident}: securityPolicy '{policy}' is not offered by the {adapter.display} adapter; "
            f"use one of {', '.join(p.name for p in adapter.policies)}"
        )
    agent = body.get("agentGroupId", conn.agent_group_id)
    if agent is not None and not isinstance(agent, str):
        raise bad_request(f"Connection {ident}: agentGroupId must be a string")
    conn_props = _parse_properties(body.get("connectionProperties", []), "connectionProperties", ident)
    sec_props = _parse_properties(body.get("securityProperties", []), "securityProperties", ident)
    _unknown(conn_props, adapter.connection_properties, ident, f"the {adapter.display} adapter")
    if sec_props and offered is None:
        raise bad_request(f"Connection {ident}: set securityPolicy before securityProperties")
    _unknown(sec_props, offered.properties if offered else (), ident, f"security policy {policy}")
    if policy != conn.security_policy:
        conn.security_properties = {}
    conn.security_policy, conn.agent_group_id = policy, agent
    _merge(conn.connection_properties, conn_props)
    _merge(conn.security_properties, sec_props)
    apply_catalogue(conn)
    conn.status, conn.test_status, conn.last_updated = "INPROGRESS", "NOTTESTED", store.stamp()
    return conn


def attach(store: Space, ident: str, name: str, staged: Path) -> Connection:
    """Upload a file to a file-valued property (§4 Attachments); like an update, it needs a new test."""
    conn = _unlocked(store, ident)
    prop = conn.connection_properties.get(name) or conn.security_properties.get(name)
    if prop is None or not prop.takes_file:
        takes = [
            p.name
            for p in (*conn.connection_properties.values(), *conn.security_properties.values())
            if p.takes_file
        ]
        raise bad_request(
            f"Connection {ident}: property '{name}' takes no file"
            + (f" (with securityPolicy {conn.security_policy})" if conn.security_policy else "")
            + f"; its file properties are {', '.join(takes) or 'none'}"
        )
    if staged.stat().st_size == 0:
        raise bad_request(f"Connection {ident}: the file for property '{name}' is empty")
    prop.attachment, prop.value = hashlib.sha256(staged.read_bytes()).hexdigest(), None
    conn.status, conn.test_status, conn.last_updated = "INPROGRESS", "NOTTESTED", store.stamp()
    return conn


def missing_properties(conn: Connection) -> list[str]:
    """What a test needs that is not set: the policy, then required properties by name."""
    if conn.security_policy is None:
        return ["securityPolicy"]
    props = [*conn.connection_properties.values(), *conn.security_properties.values()]
    return [p.name for p in props if p.required and not p.set]


def test(store: Space, ident: str) -> Connection:
    """200 and CONFIGURED when complete; 409 naming what is missing otherwise (testStatus FAILED)."""
    conn = _unlocked(store, ident)
    missing = missing_properties(conn)
    conn.last_updated = store.stamp()
    if missing:
        conn.status, conn.test_status = "INPROGRESS", "FAILED"
        raise conflict(f"Connection {ident} test failed: not configured, missing {', '.join(missing)}")
    conn.status, conn.test_status = "CONFIGURED", "SUCCESS"
    return conn


def delete(store: Space, ident: str) -> None:
    conn = get(store, ident)
    if conn.locked:
        raise locked(f"Connection {ident} is locked (open in the designer)")
    users = active_users(store, "connections", ident)
    if users:
        raise locked(f"Connection {ident} is used by active integration(s) {', '.join(i.id for i in users)}")
    del store.connections[ident]
