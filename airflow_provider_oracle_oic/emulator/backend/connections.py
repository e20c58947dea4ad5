"""Connections: PATCH update (documented fields only), test, delete (§4, §11.2 to §11.4)."""

from __future__ import annotations

from typing import Any

from ..errors import bad_request, conflict, locked, not_found, precondition_failed
from ..models import Connection, Property
from ..store import Store
from .common import active_users

# The emulator's reading of which properties make a connection complete (§11.2); one table to correct.
REQUIRED_BY_POLICY: dict[str, tuple[str, ...]] = {
    "BASIC_AUTH": ("username", "password"),
    "OAUTH_CLIENT_CREDENTIALS": ("clientId", "clientSecret", "accessTokenUri"),
    "OAUTH_RESOURCE_OWNER_PASSWORD_CREDENTIALS": (
        "clientId",
        "clientSecret",
        "accessTokenUri",
        "username",
        "password",
    ),
    "USERNAME_PASSWORD_TOKEN": ("username", "password"),
    "OCI_SIGNATURE_VERSION1": ("tenancyOCID", "userOCID", "privateKey", "fingerprint"),
    "OAUTH": ("clientId", "clientSecret", "accessTokenUri", "authCodeUri"),
    "NONE": (),
}
REQUIRED_BY_ADAPTER: dict[str, tuple[str, ...]] = {"rest": ("connectionUrl",), "soap": ("connectionUrl",)}
UPDATABLE = ("connectionProperties", "securityProperties", "securityPolicy", "agentGroupId")


def get(store: Store, ident: str) -> Connection:
    conn = store.connections.get(ident)
    if conn is None:
        raise not_found("Connection", ident)
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
            if prop.type != "STRING":
                current.type = prop.type


def _mark_required(conn: Connection) -> None:
    required_conn = set(REQUIRED_BY_ADAPTER.get(conn.adapter, ()))
    required_sec = set(REQUIRED_BY_POLICY.get(conn.security_policy or "", ()))
    for name in required_conn:
        conn.connection_properties.setdefault(name, Property(name, None, "URL"))
    for name in required_sec:
        conn.security_properties.setdefault(name, Property(name, None))
    for prop in conn.connection_properties.values():
        prop.required = prop.name in required_conn
    for prop in conn.security_properties.values():
        prop.required = prop.name in required_sec


def update(store: Store, ident: str, body: Any) -> Connection:
    """Apply only the documented fields; every update needs a new passing test (§11.2)."""
    if not isinstance(body, dict):
        raise bad_request(f"Connection {ident}: the update body must be a JSON object")
    conn = get(store, ident)
    if conn.locked:
        raise precondition_failed(
            f"Connection {ident} is locked (open in the designer); close it there and retry"
        )
    policy = body.get("securityPolicy", conn.security_policy)
    if policy is not None and policy not in REQUIRED_BY_POLICY:
        raise bad_request(
            f"Connection {ident}: securityPolicy '{policy}' is not supported; use one of {', '.join(REQUIRED_BY_POLICY)}"
        )
    agent = body.get("agentGroupId", conn.agent_group_id)
    if agent is not None and not isinstance(agent, str):
        raise bad_request(f"Connection {ident}: agentGroupId must be a string")
    conn_props = _parse_properties(body.get("connectionProperties", []), "connectionProperties", ident)
    sec_props = _parse_properties(body.get("securityProperties", []), "securityProperties", ident)
    if policy != conn.security_policy:
        conn.security_properties = {}
    conn.security_policy, conn.agent_group_id = policy, agent
    _merge(conn.connection_properties, conn_props)
    _merge(conn.security_properties, sec_props)
    _mark_required(conn)
    conn.status, conn.test_status, conn.last_updated = "INPROGRESS", "NOTTESTED", store.stamp()
    return conn


def missing_properties(conn: Connection) -> list[str]:
    """What a test needs that is not set: the policy, then required properties by name."""
    if conn.security_policy is None:
        return ["securityPolicy"]
    props = {**conn.connection_properties, **conn.security_properties}
    required = REQUIRED_BY_ADAPTER.get(conn.adapter, ()) + REQUIRED_BY_POLICY[conn.security_policy]
    return [name for name in required if name not in props or not props[name].value]


def test(store: Store, ident: str) -> Connection:
    """200 and CONFIGURED when complete; 409 naming what is missing otherwise (testStatus FAILED)."""
    conn = get(store, ident)
    if conn.locked:
        raise precondition_failed(
            f"Connection {ident} is locked (open in the designer); close it there and retry"
        )
    missing = missing_properties(conn)
    conn.last_updated = store.stamp()
    if missing:
        conn.status, conn.test_status = "INPROGRESS", "FAILED"
        raise conflict(f"Connection {ident} test failed: not configured, missing {', '.join(missing)}")
    conn.status, conn.test_status = "CONFIGURED", "SUCCESS"
    return conn


def delete(store: Store, ident: str) -> None:
    conn = get(store, ident)
    if conn.locked:
        raise locked(f"Connection {ident} is locked (open in the designer)")
    users = active_users(store, "connections", ident)
    if users:
        raise locked(f"Connection {ident} is used by active integration(s) {', '.join(i.id for i in users)}")
    del store.connections[ident]
