"""Request counters by method and route template, for tests and benchmarks."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

READ_METHODS = ("GET", "HEAD", "OPTIONS")


class Stats:
    """Counts OIC API requests (reads vs writes) and their answers."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self._routes: Counter[str] = Counter()
            self._statuses: Counter[str] = Counter()
            self._reads = 0
            self._writes = 0
            self._token_requests = 0

    def record(self, method: str, template: str, status: int) -> None:
        with self._lock:
            self._routes[f"{method} {template}"] += 1
            self._statuses[str(status)] += 1
            if method in READ_METHODS:
                self._reads += 1
            else:
                self._writes += 1

    def record_token_request(self) -> None:
        with self._lock:
            self._token_requests += 1

    def snapshot(self, tokens_issued: int) -> dict[str, Any]:
        with self._lock:
            return {
                "requests": dict(self._routes),
                "statuses": dict(self._statuses),
                "reads": self._reads,
                "writes": self._writes,
                "token_requests": self._token_requests,
                "tokens_issued": tokens_issued,
            }
