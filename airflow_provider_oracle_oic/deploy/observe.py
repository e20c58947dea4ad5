"""Read what OIC holds for the artifacts of a run (reads only, in parallel)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

from ..oic import OICClient
from ..oic.models import Certificate, Connection, Integration, Library, Lookup, Package
from .records import Inventory
from .specs import Kind

T = TypeVar("T")


@dataclass
class Observed:
    """OIC's side of the comparison; None means absent."""

    integrations: dict[str, Integration | None] = field(default_factory=dict)
    packages: dict[str, Package | None] = field(default_factory=dict)
    connections: dict[str, Connection | None] = field(default_factory=dict)
    lookups: dict[str, Lookup | None] = field(default_factory=dict)
    libraries: dict[str, Library | None] = field(default_factory=dict)
    certificates: dict[str, Certificate | None] = field(default_factory=dict)
    list_activated: Callable[[], list[Integration]] = list
    _activated: dict[str, list[Integration]] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def active_versions(self, code: str) -> list[Integration]:
        """The ACTIVATED versions of `code`: one listing of every ACTIVATED integration, made the first
        time a plan needs it (only a run that activates something does)."""
        with self._lock:
            if self._activated is None:
                grouped: dict[str, list[Integration]] = {}
                for item in self.list_activated():
                    grouped.setdefault(item.code, []).append(item)
                self._activated = grouped
            return self._activated.get(code, [])

    def find(self, kind: Kind, ident: str) -> Any:
        """What OIC held for `ident` of `kind` when observed (None: absent or not observed)."""
        table: dict[Kind, dict[str, Any]] = {
            Kind.INTEGRATION: self.integrations,
            Kind.PACKAGE: self.packages,
            Kind.CONNECTION: self.connections,
            Kind.LOOKUP: self.lookups,
            Kind.LIBRARY: self.libraries,
            Kind.CERTIFICATE: self.certificates,
        }
        return table[kind].get(ident)


def _fetch_all(keys: Iterable[str], fetch: Callable[[str], T], pool: ThreadPoolExecutor) -> dict[str, T]:
    unique = list(dict.fromkeys(keys))
    return dict(zip(unique, pool.map(fetch, unique), strict=True))


def observe(client: OICClient, inventory: Inventory, concurrency: int) -> Observed:
    """Everything the plan compares against, fetched with at most `concurrency` requests at a time."""
    integrations, packages = inventory.integrations, inventory.packages
    member_ids = [m for p in packages for m in p.integrations]
    connection_ids = [s.key for s in inventory.of(Kind.CONNECTION)]
    connection_ids += [c for s in integrations for c in s.connections]
    connection_ids += [c for p in packages for c in p.connections]
    with ThreadPoolExecutor(max(concurrency, 1), thread_name_prefix="oic-observe") as pool:
        return Observed(
            integrations=_fetch_all(
                [s.key for s in integrations] + member_ids, client.integrations.find, pool
            ),
            packages=_fetch_all([s.key for s in packages], client.packages.find, pool),
            connections=_fetch_all(connection_ids, client.connections.find, pool),
            lookups=_fetch_all([s.key for s in inventory.of(Kind.LOOKUP)], client.lookups.find, pool),
            libraries=_fetch_all([s.key for s in inventory.of(Kind.LIBRARY)], client.libraries.find, pool),
            certificates=_fetch_all(
                [s.key for s in inventory.of(Kind.CERTIFICATE)], client.certificates.find, pool
            ),
            list_activated=client.integrations.list_activated,
        )
