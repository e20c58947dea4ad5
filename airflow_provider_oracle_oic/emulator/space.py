"""A set of integrations, connections, lookups and libraries: the instance's own, or one OIC 3 project's.

The same rules apply in both (docs/oic-reference.md §12): a project's artifacts live beside the global ones and
neither sees the other, so the backends take a `Space` and never care which one it is.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from .archives import ArchiveLimits
from .blobs import BlobStore
from .config import EmulatorConfig
from .models import Connection, Integration, Library, Lookup


class Space:
    """Artifacts of one scope, with the activation rules that act within it."""

    def __init__(
        self, config: EmulatorConfig, blobs: BlobStore, limits: ArchiveLimits, stamp: Callable[[], float]
    ) -> None:
        self.config = config
        self.blobs = blobs
        self.limits = limits
        self.stamp = stamp
        self.clear_artifacts()

    def clear_artifacts(self) -> None:
        self.integrations: dict[str, Integration] = {}
        self.connections: dict[str, Connection] = {}
        self.lookups: dict[str, Lookup] = {}
        self.libraries: dict[str, Library] = {}

    def due(self, now: float) -> list[Integration]:
        """Integrations whose activation or deactivation delay has passed."""
        return [i for i in self.integrations.values() if i.pending is not None and i.pending.due <= now]

    def unready_connections(self, integration: Integration) -> list[str]:
        """The connections an integration uses that are missing or not CONFIGURED."""
        return [
            conn_id
            for conn_id in integration.connections
            if conn_id not in self.connections or self.connections[conn_id].status != "CONFIGURED"
        ]

    def finish_transition(self, integration: Integration) -> None:
        """Apply the outcome of a transition, including the same-major version rule (§11.7)."""
        assert integration.pending is not None
        target = integration.pending.target
        integration.pending = None
        integration.last_updated = self.stamp()
        if target == "CONFIGURED":
            integration.status = "CONFIGURED"
            return
        unready = self.unready_connections(integration)
        if unready:
            integration.status = "FAILEDACTIVATION"
            integration.activation_error = (
                f"Integration {integration.id} cannot be activated: connection(s) "
                f"{', '.join(unready)} not configured; update and test them first"
            )
            return
        integration.status = "ACTIVATED"
        integration.activation_error = None
        for other in self.integrations.values():
            if (
                other is not integration
                and other.code == integration.code
                and other.major == integration.major
                and other.status == "ACTIVATED"
            ):
                other.status = "CONFIGURED"
                other.last_updated = integration.last_updated


def advance(spaces: list[Space]) -> None:
    """Finish every transition whose delay has passed, oldest first, in every space."""
    now = time.time()
    due = [
        (i.pending.due if i.pending else 0.0, n, i, space)
        for space in spaces
        for n, i in enumerate(space.due(now))
    ]
    for _due, _n, integration, space in sorted(due, key=lambda d: (d[0], d[1])):
        space.finish_transition(integration)
