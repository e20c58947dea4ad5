"""The emulator's state behind one lock, with time-driven activation transitions."""

from __future__ import annotations

import itertools
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from .archives import ArchiveLimits
from .blobs import BlobStore
from .config import EmulatorConfig
from .models import (
    Certificate,
    Connection,
    Instance,
    Integration,
    Library,
    Lookup,
    MonitoringSample,
    Package,
)

MAX_INSTANCES = 50_000


class Store:
    """All artifacts of one emulated OIC instance; use `read()` / `write()` to touch them."""

    def __init__(self, config: EmulatorConfig, blobs: BlobStore) -> None:
        self.config = config
        self.blobs = blobs
        self.limits = ArchiveLimits(
            config.max_archive_bytes, config.max_uncompressed_bytes, config.max_compression_ratio
        )
        self._lock = threading.RLock()
        self._last_stamp = 0.0
        self.on_write: Callable[[Store], None] | None = None
        self.clear()

    def clear(self) -> None:
        self.integrations: dict[str, Integration] = {}
        self.connections: dict[str, Connection] = {}
        self.lookups: dict[str, Lookup] = {}
        self.packages: dict[str, Package] = {}
        self.libraries: dict[str, Library] = {}
        self.certificates: dict[str, Certificate] = {}
        self.samples: list[MonitoringSample] = []
        self.instances: deque[Instance] = deque(maxlen=MAX_INSTANCES)
        self.instance_ids = itertools.count(1)

    def stamp(self) -> float:
        """A wall-clock time strictly after every earlier stamp, so `lastUpdated` always moves."""
        self._last_stamp = max(time.time(), self._last_stamp + 0.001)
        return self._last_stamp

    @contextmanager
    def read(self) -> Iterator[Store]:
        with self._lock:
            self.advance()
            yield self

    @contextmanager
    def write(self) -> Iterator[Store]:
        with self._lock:
            self.advance()
            try:
                yield self
            finally:
                if self.on_write is not None:
                    self.on_write(self)

    def advance(self) -> None:
        """Finish every activation or deactivation whose delay has passed, oldest first."""
        now = time.time()
        due = [i for i in self.integrations.values() if i.pending is not None and i.pending.due <= now]
        for integration in sorted(due, key=lambda i: i.pending.due if i.pending else 0.0):
            self.finish_transition(integration)

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
