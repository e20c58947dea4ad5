"""JSON shapes of the emulator's objects, as OIC returns them (camelCase, links, masked secrets)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any
from urllib.parse import quote

from .backend.connections import REQUIRED_BY_POLICY
from .models import Certificate, Connection, Integration, Library, Lookup, Package, Property

MASK = "*****"
CREATOR = "oic-emulator"


def timestamp(epoch: float) -> str:
    """OIC's date format, e.g. `2024-01-31T10:00:00.123+0000`."""
    moment = datetime.fromtimestamp(epoch, tz=timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"


def links(base: str, collection: str, ident: str) -> list[dict[str, str]]:
    href = f"{base}/{collection}/{quote(ident, safe='')}"
    return [{"href": href, "rel": "self"}, {"href": href, "rel": "canonical"}]


def _audit(created: float, updated: float) -> dict[str, Any]:
    return {
        "created": timestamp(created),
        "createdBy": CREATOR,
        "lastUpdated": timestamp(updated),
        "lastUpdatedBy": CREATOR,
    }


def _property(prop: Property, group: str, security: bool) -> dict[str, Any]:
    body: dict[str, Any] = {
        "propertyName": prop.name,
        "propertyType": prop.type,
        "propertyGroup": group,
        "requiredFlag": prop.required,
        "hiddenFlag": prop.hidden,
    }
    if prop.value is not None:
        body["propertyValue"] = MASK if prop.is_write_only(security) else prop.value
    return body


def connection(conn: Connection, base: str) -> dict[str, Any]:
    return {
        "id": conn.id,
        "name": conn.name,
        "description": conn.description,
        "adapterType": {"name": conn.adapter, "displayName": conn.adapter.upper(), "type": "PREINSTALLED"},
        "role": conn.role,
        "status": conn.status,
        "testStatus": conn.test_status,
        "percentageComplete": 100 if conn.status == "CONFIGURED" else 50,
        "lockedFlag": conn.locked,
        "securityPolicy": conn.security_policy,
        "agentGroupId": conn.agent_group_id,
        "connectionProperties": [
            _property(p, "CONNECTION_PROPS", False) for p in conn.connection_properties.values()
        ],
        "securityProperties": [_property(p, "CREDENTIALS", True) for p in conn.security_properties.values()],
        "securityPolicyInfo": [
            {
                "scope": "ACTION",
                "securityPolicy": policy,
                "securityProperties": [
                    _property(Property(name, None, required=True), "CREDENTIALS", True) for name in names
                ],
            }
            for policy, names in REQUIRED_BY_POLICY.items()
        ],
        "usage": 0,
        **_audit(conn.created, conn.last_updated),
        "links": links(base, "connections", conn.id),
    }


def integration(item: Integration, base: str, connections: dict[str, Connection]) -> dict[str, Any]:
    end_points = []
    for index, conn_id in enumerate(item.connections):
        conn = connections.get(conn_id)
        end_points.append(
            {
                "name": conn.name if conn else conn_id,
                "role": "SOURCE" if index == 0 else "TARGET",
                "connection": {
                    "id": conn_id,
                    "testStatus": conn.test_status if conn else "NOTTESTED",
                    "links": links(base, "connections", conn_id),
                },
            }
        )
    return {
        "id": item.id,
        "code": item.code,
        "version": item.version,
        "name": item.name,
        "description": item.description,
        "keywords": "",
        "packageName": item.package_name,
        "pattern": "Orchestration",
        "style": "FREEFORM",
        "status": item.status,
        "lockedFlag": item.locked,
        "percentageComplete": 100,
        "tracingEnabledFlag": item.tracing,
        "payloadTracingEnabledFlag": item.payload_tracing,
        "recordEnabledFlag": item.record_enabled,
        "scheduleApplicableFlag": item.has_schedule,
        "scheduleDefinedFlag": item.has_schedule,
        **({"scheduleState": item.schedule_state} if item.schedule_state else {}),
        **_audit(item.created, item.last_updated),
        "endPointURI": f"{base.split('/ic/api/')[0]}/ic/api/integration/v1/flows/rest/{item.code}/{item.version}/",
        "endPoints": end_points,
        "dependencies": {
            "connections": [{"id": c} for c in item.connections],
            "lookups": [{"name": n} for n in item.lookups],
            "libraries": [{"id": n} for n in item.libraries],
            "certificates": [],
            "integrations": [],
        },
        "links": links(base, "integrations", item.id),
    }


def lookup(item: Lookup, base: str, used_by: list[Integration]) -> dict[str, Any]:
    return {
        "name": item.name,
        "description": item.description,
        "columns": list(item.columns),
        "rows": [{"rowData": list(row)} for row in item.rows],
        "rowCount": len(item.rows),
        "status": "CONFIGURED",
        "usage": len(used_by),
        "usageActive": sum(1 for i in used_by if i.status == "ACTIVATED"),
        "lockedFlag": item.locked,
        **_audit(item.created, item.last_updated),
        "links": links(base, "lookups", item.name),
    }


def package(item: Package, base: str, members: list[Integration]) -> dict[str, Any]:
    return {
        "name": item.name,
        "type": item.type,
        "countOfIntegrations": len(members),
        "integrations": [
            {"id": i.id, "code": i.code, "version": i.version, "status": i.status} for i in members
        ],
        **_audit(item.created, item.last_updated),
        "links": links(base, "packages", item.name),
    }


def library(item: Library, base: str) -> dict[str, Any]:
    return {
        "id": item.id,
        "code": item.code,
        "version": item.version,
        "name": item.name,
        "type": item.type,
        "description": item.description,
        "fileName": item.file_name,
        "lockedFlag": item.locked,
        "status": "CONFIGURED",
        **_audit(item.created, item.last_updated),
        "links": links(base, "libraries", item.id),
    }


def certificate(item: Certificate, base: str) -> dict[str, Any]:
    return {
        "id": item.name,
        "name": item.name,
        "type": item.type,
        "category": item.category,
        "fileName": item.file_name,
        "status": "CONFIGURED",
        "subject": item.subject,
        "expiryDate": timestamp(item.expiry) if item.expiry else None,
        **_audit(item.created, item.last_updated),
        "links": links(base, "certificates", item.name),
    }
