"""Read what OIC holds for the artifacts of a run (reads only, in parallel)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TypeVar

from ..oic import OICClient
from ..oic.identifiers import IntegrationId
from ..oic.models import Certificate, Connection, Integration, Library, Lookup, Package
from .records import Inventory
from .specs import Kind

T = TypeVar("T")


@dataclass
class Observed:
    """OIC's side of the comparison; None means absent."""

    integrations: dict[str, Integration | None] = field(default_factory=dict)
    active_versions: dict[str, list[Integration]] = field(default_factory=dict)
    packages: dict[str, Package | None] = field(default_factory=dict)
    connections: dict[str, Connection | None] = field(default_factory=dict)
    lookups: dict[str, Lookup | None] = field(default_factory=dict)
    libraries: dict[str, Library | None] = field(default_factory=dict)
    certificates: dict[str, Certificate | None] = field(default_factory=dict)


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
    codes = {s.code for s in integrations} | {IntegrationId.of(m).code for m in member_ids}
    with ThreadPoolExecutor(max(concurrency, 1), thread_name_prefix="oic-observe") as pool:
        return Observed(
            integrations=_fetch_all(
                [s.key for s in integrations] + member_ids, client.integrations.find, pool
            ),
            active_versions=_fetch_all(codes, client.integrations.list_activated, pool),
            packages=_fetch_all([s.key for s in packages], client.packages.find, pool),
            connections=_fetch_all(connection_ids, client.connections.find, pool),
            lookups=_fetch_all([s.key for s in inventory.of(Kind.LOOKUP)], client.lookups.find, pool),
            libraries=_fetch_all([s.key for s in inventory.of(Kind.LIBRARY)], client.libraries.find, pool),
            certificates=_fetch_all(
                [s.key for s in inventory.of(Kind.CERTIFICATE)], client.certificates.find, pool
            ),
        )
