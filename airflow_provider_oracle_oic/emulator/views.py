"""JSON shapes of the emulator's objects, as OIC returns them (camelCase, links, masked secrets)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any
from urllib.parse import quote

from .adapters import Policy, PropertyDef
from .adapters import adapter as catalogue
from .car import deployment_json
from .models import (
    Certificate,
    Connection,
    Deployment,
    Integration,
    Library,
    Lookup,
    Package,
    Project,
    Property,
)

CREATOR = "oic-emulator"


def timestamp(epoch: float) -> str:
    """OIC's date format, e.g. `2024-01-31T10:00:00.123+0000`."""
    moment = datetime.fromtimestamp(epoch, tz=timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"


@dataclass(frozen=True)
class Site:
    """Where this emulator's API is; in OIC 3 mode every href carries `integrationInstance` (§2)."""

    api: str
    instance: str | None = None

    def href(self, collection: str, ident: str) -> str:
        url = f"{self.api}/{collection}/{quote(ident, safe='')}"
        return f"{url}?integrationInstance={quote(self.instance, safe='')}" if self.instance else url


def links(site: Site, collection: str, ident: str) -> list[dict[str, str]]:
    href = site.href(collection, ident)
    return [{"href": href, "rel": "self"}, {"href": href, "rel": "canonical"}]


def _audit(created: float, updated: float) -> dict[str, Any]:
    return {
        "created": timestamp(created),
        "createdBy": CREATOR,
        "lastUpdated": timestamp(updated),
        "lastUpdatedBy": CREATOR,
    }


def _property(prop: Property, definition: PropertyDef | None, group: str) -> dict[str, Any]:
    """A property object as OIC returns it; a PASSWORD value is never included (§4)."""
    body: dict[str, Any] = {
        "propertyName": prop.name,
        "displayName": definition.display if definition else prop.name,
        "propertyType": prop.type,
        "propertyGroup": group,
        "requiredFlag": prop.required,
        "hiddenFlag": prop.hidden,
        "hasAttachment": prop.attachment is not None,
    }
    if definition is not None and definition.short_desc:
        body["propertyShortDesc"] = definition.short_desc
    if definition is not None and definition.choices:
        body["acceptableKeys"] = [
            {"keyName": key, "displayName": key, "scope": "SOURCE_AND_TARGET"} for key in definition.choices
        ]
    if prop.value is not None and not prop.write_only:
        body["propertyValue"] = prop.value
    return body


def _policy_info(policy: Policy) -> dict[str, Any]:
    return {
        "scope": policy.scope,
        "securityPolicy": policy.name,
        "securityProperties": [
            _property(Property(d.name, None, d.type, d.required), d, "CREDENTIALS") for d in policy.properties
        ],
    }


def connection(conn: Connection, site: Site, usage: int = 0, usage_active: int = 0) -> dict[str, Any]:
    adapter = catalogue(conn.adapter)
    policy = adapter.policy(conn.security_policy)
    conn_defs = {d.name: d for d in adapter.connection_properties}
    sec_defs = {d.name: d for d in (policy.properties if policy else ())}
    return {
        "id": conn.id,
        "name": conn.name,
        "description": conn.description,
        "keywords": "",
        "adapterType": {
            "name": conn.adapter,
            "displayName": adapter.display,
            "type": "PREINSTALLED",
            "links": [],
        },
        "role": conn.role,
        "status": conn.status,
        "testStatus": conn.test_status,
        "percentageComplete": 100 if conn.status == "CONFIGURED" else 50,
        "lockedFlag": conn.locked,
        "hasOverride": False,
        "agentRequired": False,
        "agentSupported": False,
        "privateEndpoint": False,
        "securityPolicy": conn.security_policy,
        "agentGroupId": conn.agent_group_id,
        "connectionProperties": [
            _property(p, conn_defs.get(p.name), "CONNECTION_PROPS")
            for p in conn.connection_properties.values()
        ],
        "securityProperties": [
            _property(p, sec_defs.get(p.name), "CREDENTIALS") for p in conn.security_properties.values()
        ],
        "securityPolicyInfo": [_policy_info(p) for p in adapter.policies],
        "usage": usage,
        "usageActive": usage_active,
        **_audit(conn.created, conn.last_updated),
        "links": links(site, "connections", conn.id),
    }


def integration(item: Integration, site: Site, connections: dict[str, Connection]) -> dict[str, Any]:
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
                    "links": links(site, "connections", conn_id),
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
        "endPointURI": f"{site.api.split('/ic/api/')[0]}/ic/api/integration/v1/flows/rest/{item.code}/{item.version}/",
        "endPoints": end_points,
        "dependencies": {
            "connections": [{"id": c} for c in item.connections],
            "lookups": [{"name": n} for n in item.lookups],
            "libraries": [{"id": n} for n in item.libraries],
            "certificates": [],
            "integrations": [],
        },
        "links": links(site, "integrations", item.id),
    }


def lookup(item: Lookup, site: Site, used_by: list[Integration]) -> dict[str, Any]:
    return {
        "id": item.name,
        "name": item.name,
        "description": item.description,
        "columns": list(item.columns),
        "rows": [{"rowData": list(row)} for row in item.rows],
        "rowCount": len(item.rows),
        "status": "CONFIGURED",
        "usage": len(used_by),
        "usageActive": any(i.status == "ACTIVATED" for i in used_by),
        "lockedFlag": item.locked,
        **_audit(item.created, item.last_updated),
        "links": links(site, "lookups", item.name),
    }


def package(item: Package, site: Site, members: list[Integration]) -> dict[str, Any]:
    return {
        "name": item.name,
        "type": item.type,
        "countOfIntegrations": len(members),
        "integrations": [
            {"id": i.id, "code": i.code, "version": i.version, "status": i.status} for i in members
        ],
        **_audit(item.created, item.last_updated),
        "links": links(site, "packages", item.name),
    }


def library(item: Library, site: Site) -> dict[str, Any]:
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
        "links": links(site, "libraries", item.id),
    }


def certificate(item: Certificate, site: Site) -> dict[str, Any]:
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
        "links": links(site, "certificates", item.name),
    }


def deployment(item: Deployment) -> dict[str, Any]:
    """A project deployment (§12): create, get and list answer alike."""
    return {**deployment_json(item), "lastUpdated": timestamp(item.last_updated)}


def project(item: Project, site: Site) -> dict[str, Any]:
    """The project object (§12); its deployments under `state.assets.labelsRs`."""
    return {
        "id": item.id,
        "code": item.id,
        "name": item.name,
        "description": item.description,
        "type": item.type,
        "state": {
            "status": "DRAFT",
            "projectRevisionId": str(item.revision),
            "created": timestamp(item.created),
            "updated": timestamp(item.last_updated),
            "assets": {"labelsRs": {"items": [deployment(d) for d in item.deployments.values()]}},
        },
        "links": links(site, "projects", item.id),
    }
