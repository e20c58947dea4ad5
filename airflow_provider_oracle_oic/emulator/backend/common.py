"""Checks several artifact families share."""

from __future__ import annotations

import re
from pathlib import Path

from ..adapters import adapter as catalogue
from ..archives import ArchiveFacts, open_checked_zip, read_facts
from ..errors import bad_request
from ..models import Connection, Integration, Property
from ..space import Space

CODE = re.compile(r"^[A-Z][A-Z0-9_]{0,49}$")
VERSION = re.compile(r"^\d{2}\.\d{2}\.\d{4}$")
IN_PROGRESS = ("ACTIVATION_INPROGRESS", "DEACTIVATION_INPROGRESS")


def check_code_version(code: object, version: object, what: str) -> tuple[str, str]:
    """Validate an artifact's code and version, or raise a 400 naming the bad field."""
    if not isinstance(code, str) or not CODE.match(code):
        raise bad_request(f"{what}: code '{code}' must be upper-case letters, digits and '_'")
    if not isinstance(version, str) or not VERSION.match(version):
        raise bad_request(f"{what}: version '{version}' must look like NN.NN.NNNN, e.g. 01.00.0000")
    return code, version


def is_busy(item: Integration) -> bool:
    return item.locked or item.status in IN_PROGRESS


def busy_reason(item: Integration) -> str:
    if item.locked:
        return f"Integration {item.id} is locked (open in the designer); close it there and retry"
    return f"Integration {item.id} is {item.status}; wait until it finishes and retry"


def checked_facts(store: Space, staged: Path, what: str) -> ArchiveFacts:
    """Run the archive safety checks on a staged upload and read its facts."""
    with open_checked_zip(staged, store.limits, what) as archive:
        return read_facts(archive, what)


def apply_catalogue(conn: Connection) -> None:
    """Every property the adapter (and its chosen policy) defines is listed, with Oracle's type and
    requiredFlag; values set before are kept."""
    adapter = catalogue(conn.adapter)
    policy = adapter.policy(conn.security_policy)
    for defs, props in (
        (adapter.connection_properties, conn.connection_properties),
        (policy.properties if policy else (), conn.security_properties),
    ):
        for definition in defs:
            prop = props.setdefault(definition.name, Property(definition.name, None))
            prop.type, prop.required = definition.type, definition.required


def ensure_connections(store: Space, ids: tuple[str, ...], adapters: dict[str, str] | None = None) -> None:
    """Create the connections an import names that do not exist yet, with the adapter type the archive
    gives (REST when it gives none); an existing connection is never modified (§11.4)."""
    for conn_id in ids:
        if conn_id not in store.connections:
            now = store.stamp()
            adapter = (adapters or {}).get(conn_id, "rest")
            conn = Connection(id=conn_id, name=conn_id, created=now, last_updated=now, adapter=adapter)
            apply_catalogue(conn)
            store.connections[conn_id] = conn


def active_users(store: Space, attribute: str, name: str) -> list[Integration]:
    """Integrations currently ACTIVATED that depend on `name` through `attribute`."""
    return [
        i for i in store.integrations.values() if i.status == "ACTIVATED" and name in getattr(i, attribute)
    ]
