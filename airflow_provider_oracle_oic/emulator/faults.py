"""Fault injection per route pattern: latency with jitter, 429 with Retry-After, 5xx, dropped connections."""

from __future__ import annotations

import fnmatch
import random
import threading
from dataclasses import dataclass
from typing import Any

from .errors import bad_request

STATUS_KEYS = {"p429": 429, "p500": 500, "p502": 502, "p503": 503, "p504": 504}


@dataclass
class FaultRule:
    """Faults for requests whose path matches `route` (a glob) and whose method is in `methods`."""

    route: str = "*"
    methods: tuple[str, ...] = ()
    latency_ms: float = 0.0
    jitter_ms: float = 0.0
    p429: float = 0.0
    p500: float = 0.0
    p502: float = 0.0
    p503: float = 0.0
    p504: float = 0.0
    pdrop: float = 0.0
    retry_after: str | None = "1"
    after: bool = False
    times: int | None = None

    @classmethod
    def parse(cls, raw: Any, index: int) -> FaultRule:
        if not isinstance(raw, dict):
            raise bad_request(f"faults.rules[{index}] must be an object")
        unknown = set(raw) - set(cls.__dataclass_fields__)
        if unknown:
            raise bad_request(f"faults.rules[{index}]: unknown field(s) {', '.join(sorted(unknown))}")
        rule = cls(**{k: v for k, v in raw.items() if k != "methods"})
        rule.methods = tuple(str(m).upper() for m in raw.get("methods", ()))
        if rule.retry_after is not None:
            rule.retry_after = str(rule.retry_after)
        chances = [getattr(rule, key) for key in (*STATUS_KEYS, "pdrop")]
        numbers = [*chances, rule.latency_ms, rule.jitter_ms]
        if not all(isinstance(n, (int, float)) and not isinstance(n, bool) for n in numbers):
            raise bad_request(f"faults.rules[{index}]: probabilities and latencies must be numbers")
        if sum(chances) > 1 or min(chances) < 0:
            raise bad_request(f"faults.rules[{index}]: probabilities must be >= 0 and sum to at most 1")
        if rule.times is not None and (not isinstance(rule.times, int) or rule.times < 0):
            raise bad_request(f"faults.rules[{index}]: times must be a non-negative integer")
        return rule

    def applies(self, method: str, path: str) -> bool:
        return (not self.methods or method in self.methods) and fnmatch.fnmatchcase(path, self.route)


@dataclass(frozen=True)
class Fault:
    """What to do to one request: delay it, then maybe answer an error or drop the connection."""

    delay: float
    status: int | None
    drop: bool
    retry_after: str | None
    after: bool


class FaultInjector:
    """Draws faults from the configured rules with a seeded RNG so runs repeat."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.configure([], seed=0)

    def configure(self, rules: list[FaultRule], seed: int) -> None:
        with self._lock:
            self.rules = rules
            self.rng = random.Random(seed)
            self.injected = 0

    def draw(self, method: str, path: str) -> Fault | None:
        """The fault for one request: rules are tried in order, the first that injects one wins;
        the latency of every matching rule is added up."""
        with self._lock:
            delay = 0.0
            for rule in self.rules:
                if not rule.applies(method, path) or rule.times == 0:
                    continue
                delay += max(rule.latency_ms + self.rng.uniform(-rule.jitter_ms, rule.jitter_ms), 0.0) / 1000
                roll, status, drop = self.rng.random(), None, False
                for key, code in STATUS_KEYS.items():
                    chance = getattr(rule, key)
                    if roll < chance:
                        status = code
                        break
                    roll -= chance
                else:
                    drop = roll < rule.pdrop
                if status or drop:
                    if rule.times is not None:
                        rule.times -= 1
                    self.injected += 1
                    return Fault(delay, status, drop, rule.retry_after if status == 429 else None, rule.after)
            return Fault(delay, None, False, None, False) if delay else None

    def describe(self) -> dict[str, Any]:
        with self._lock:
            return {"rules": [vars(r).copy() for r in self.rules], "injected": self.injected}
