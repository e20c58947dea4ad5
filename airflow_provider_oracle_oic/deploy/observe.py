"""Read what OIC holds for the artifacts of a run: by the page where that is cheaper, else one by one."""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from ..oic import OICClient
from ..oic.models import Certificate, Connection, Integration, Library, Lookup, Package
from ..oic.resources.base import PAGE_SIZE
from .families import Family, family
from .records import Inventory
from .specs import Kind

# Up to this many ids of a family are read one by one; more are looked for in the listing.
DIRECT_READS = 2


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


def _worth_paging(missing: int, read: int, total: int | None) -> bool:
    """Whether reading on page by page costs fewer requests than reading the `missing` ids one by one."""
    if total is None or total <= read:
        # OIC does not say how many there are (oic-api.md §2 leaves totalResults unverified).
        return missing > DIRECT_READS
    return math.ceil((total - read) / PAGE_SIZE) < missing


def read_many(resource: Family, idents: Iterable[str], concurrency: int) -> dict[str, Any]:
    """What OIC holds for each id (None when absent), in as few requests as the listing allows.

    The listing is read page by page while that is cheaper than reading the ids still missing one by
    one; an entry the listing gives only in part (a lookup without its rows) is read on its own.
    """
    wanted = list(dict.fromkeys(idents))
    found: dict[str, Any] = {}
    missing = set(wanted)
    if len(wanted) > DIRECT_READS:
        read = 0
        while missing:
            page = resource.page(read)
            for item in page.items:
                key = resource.key_of(item)
                if key in missing:
                    found[key] = item
                    missing.discard(key)
            read += len(page.items)
            if not page.has_more:
                found.update(dict.fromkeys(missing))
                missing.clear()
            elif not _worth_paging(len(missing), read, page.total):
                break
    again = [*missing, *(k for k, v in found.items() if v is not None and not getattr(v, "complete", True))]
    if again:
        with ThreadPoolExecutor(max(min(concurrency, len(again)), 1), thread_name_prefix="oic-read") as pool:
            found.update(zip(again, pool.map(resource.find, again), strict=True))
    return {key: found[key] for key in wanted}


def observe(client: OICClient, inventory: Inventory, concurrency: int) -> Observed:
    """Everything the plan compares against, with at most `concurrency` requests at a time."""
    integrations, packages = inventory.integrations, inventory.packages
    wanted: dict[Kind, list[str]] = {kind: [s.key for s in inventory.of(kind)] for kind in Kind}
    wanted[Kind.INTEGRATION] += [m for p in packages for m in p.integrations]
    wanted[Kind.CONNECTION] += [c for s in (*integrations, *packages) for c in s.connections]
    kinds = list(Kind)
    with ThreadPoolExecutor(len(kinds), thread_name_prefix="oic-observe") as pool:
        tables = dict(
            zip(
                kinds,
                pool.map(lambda kind: read_many(family(client, kind), wanted[kind], concurrency), kinds),
                strict=True,
            )
        )
    return Observed(
        integrations=tables[Kind.INTEGRATION],
        packages=tables[Kind.PACKAGE],
        connections=tables[Kind.CONNECTION],
        lookups=tables[Kind.LOOKUP],
        libraries=tables[Kind.LIBRARY],
        certificates=tables[Kind.CERTIFICATE],
        list_activated=client.integrations.list_activated,
    )
