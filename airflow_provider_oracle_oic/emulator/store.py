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
from .models import Certificate, Instance, MonitoringSample, Package, Project
from .space import Space, advance

MAX_INSTANCES = 50_000


class Store(Space):
    """All artifacts of one emulated OIC instance; use `read()` / `write()` to touch them."""

    def __init__(self, config: EmulatorConfig, blobs: BlobStore) -> None:
        limits = ArchiveLimits(
            config.max_archive_bytes, config.max_uncompressed_bytes, config.max_compression_ratio
        )
        self._lock = threading.RLock()
        self._last_stamp = 0.0
        self.on_write: Callable[[Store], None] | None = None
        super().__init__(config, blobs, limits, self.stamp)
        self.clear()

    def clear(self) -> None:
        self.clear_artifacts()
        self.packages: dict[str, Package] = {}
        self.certificates: dict[str, Certificate] = {}
        self.projects: dict[str, Project] = {}
        self.samples: list[MonitoringSample] = []
        self.instances: deque[Instance] = deque(maxlen=MAX_INSTANCES)
        self.instance_ids = itertools.count(1)

    def new_space(self) -> Space:
        """An empty space for a project of this instance."""
        return Space(self.config, self.blobs, self.limits, self.stamp)

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
        """Finish every activation or deactivation whose delay has passed, in every project too."""
        advance([self, *(p.space for p in self.projects.values())])
