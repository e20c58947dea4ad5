"""Drift watch: what the ledger recorded after each artifact's last deployment, compared with OIC now.

It reads no input: the ledger says what was deployed (fingerprints, `lastUpdated`, the status OIC
reported), OIC says what is there. An artifact is drifted when it is gone, when its `lastUpdated`
moved, or when an integration that was ACTIVATED is not any more.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ...oic import OICClient
from ...oic.errors import OICNotFoundError
from ...oic.reading import read_many
from ...oic.status import IntegrationStatus
from ..model.specs import Kind, LookupSpec, scoped
from ..plan.families import family
from ..plan.fingerprints import fingerprint
from ..state.ledger import Ledger, LedgerEntry

# Families whose listing carries what the drift rule compares (for a lookup: whether it moved at all).
LISTED = (Kind.INTEGRATION, Kind.LOOKUP)


@dataclass(frozen=True)
class Drift:
    """One artifact changed behind the tool's back, and how."""

    kind: Kind
    ident: str
    reason: str
    # Deleted in OIC (the rest changed in place).
    gone: bool = False

    def line(self) -> str:
        return f"drift: {self.kind.singular} {self.ident}: {self.reason}"


def parse_key(key: str) -> tuple[Kind, str | None, str] | None:
    """(kind, project, id) of a ledger key `kind:id` or `kind:PROJECT/id`; None for one this version
    does not know."""
    stream, _, ref = key.partition(":")
    try:
        kind = Kind(stream)
    except ValueError:
        return None
    project, slash, ident = ref.partition("/")
    return (kind, project, ident) if slash else (kind, None, ref)


def _lookup_rows_differ(current: Any, entry: LedgerEntry, key: bytes) -> bool:
    """Whether the table in OIC is not the one deployed (with or without its description: a record
    may have left the description to OIC)."""
    columns, rows = tuple(current.columns), tuple(tuple(r) for r in current.rows)
    return all(
        fingerprint(LookupSpec(current.name, columns, rows, description), key) != entry.fingerprint
        for description in (current.description, None)
    )


def _reason(kind: Kind, entry: LedgerEntry, current: Any, key: bytes) -> str | None:
    if current is None:
        return "deleted in OIC since the last deployment"
    status = getattr(current, "status", "")
    if kind == Kind.INTEGRATION and entry.status == IntegrationStatus.ACTIVATED and status != entry.status:
        return f"deactivated in OIC (was ACTIVATED after the last deployment, now {status})"
    if not entry.last_updated or current.last_updated == entry.last_updated:
        return None
    moved = f"lastUpdated {entry.last_updated} → {current.last_updated}"
    if kind == Kind.LOOKUP and _lookup_rows_differ(current, entry, key):
        return f"its rows or columns differ from what was deployed ({moved})"
    if kind == Kind.CONNECTION:
        now = f"; it is {status} now" if status and status != "CONFIGURED" else ""
        return f"its properties changed in OIC ({moved}){now}"
    return f"changed in OIC since the last deployment ({moved})"


def _listed(
    kind: Kind, entries: dict[str, LedgerEntry], listing: Mapping[str, Any]
) -> tuple[dict[str, Any], list[str]]:
    """What a listing already settles (an integration's status and lastUpdated; a lookup that is gone
    or unchanged), and the ids that still need a read of their own (a lookup whose lastUpdated moved:
    only its rows tell drift from a touch)."""
    settled, unread = {}, []
    for ident, entry in entries.items():
        current = listing.get(ident)
        if kind == Kind.LOOKUP and current is not None and current.last_updated != entry.last_updated:
            unread.append(ident)
        else:
            settled[ident] = current
    return settled, unread


def find_drift(
    client: OICClient,
    ledger: Ledger,
    concurrency: int,
    listings: Mapping[Kind, Mapping[str, Any]] | None = None,
) -> list[Drift]:
    """Every artifact of the ledger that OIC no longer holds as deployed, in ledger order. `listings`
    (the instance's integrations and lookups by id, as listed) spare one read per artifact they settle."""
    groups: dict[tuple[Kind, str | None], dict[str, LedgerEntry]] = {}
    for key, entry in ledger.entries().items():
        parsed = parse_key(key)
        if parsed is not None:
            kind, project, ident = parsed
            groups.setdefault((kind, project), {})[ident] = entry
    drifted = []
    for (kind, project), entries in groups.items():
        listing = (listings or {}).get(kind) if project is None and kind in LISTED else None
        found, unread = _listed(kind, entries, listing) if listing is not None else ({}, list(entries))
        if unread:
            try:
                found.update(read_many(family(client.in_project(project), kind), unread, concurrency))
            except OICNotFoundError:
                if project is None:
                    raise
                # The project itself is gone, and with it everything the ledger holds inside it.
        for ident, entry in entries.items():
            reason = _reason(kind, entry, found.get(ident), ledger.hmac_key)
            if reason is not None:
                drifted.append(Drift(kind, scoped(project, ident), reason, found.get(ident) is None))
    return drifted
