"""Reading the estate: each instance's listings and its ledger's drift, read-only and bounded (every
instance read at once, each within a deadline, answers kept a short while), so one slow or unreachable
OIC shows as such instead of holding the page."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import replace
from datetime import datetime, timezone

from ..deploy.model.specs import Kind
from ..deploy.recovery.drift import find_drift
from ..deploy.state.ledger import Ledger, MemoryStore
from ..oic import OICClient, OICConfig, OICError
from ..oic.errors import OICNotFoundError
from .model import Instance, InstanceState, Provenance

# Reads of one instance in flight at once (drift reads one artifact per request).
CONCURRENCY = 8


def _ledger(data: Mapping[str, object], instance: Instance) -> Ledger:
    store = MemoryStore()
    store.data = dict(data)
    return Ledger(store, instance.key)


def read_instance(client: OICClient, instance: Instance, ledger_data: Mapping[str, object]) -> InstanceState:
    """What `instance` holds and what drifted there since this tool deployed it (GETs only)."""
    ledger = _ledger(ledger_data, instance)
    try:
        projects = client.projects.list() if instance.integration_instance else []
    except OICError:
        projects = []  # an OIC without projects (Gen 2) answers 404 here
    integrations, lookups = client.integrations.list(), client.lookups.list()
    members = {}
    for project in projects:
        try:
            members[project.id] = client.in_project(project.id).integrations.list()
        except OICNotFoundError:
            continue  # replaced or deleted since it was listed: the next read shows what it became
    listings = {
        Kind.INTEGRATION: {i.id: i for i in integrations},
        Kind.LOOKUP: {lk.name: lk for lk in lookups},
    }
    drift = {f"{d.kind.value}:{d.ident}": d for d in find_drift(client, ledger, CONCURRENCY, listings)}
    return InstanceState(
        integrations=integrations,
        lookups=lookups,
        projects=projects,
        project_integrations=members,
        drift=drift,
        provenance={k: Provenance.of(e.provenance) for k, e in ledger.entries().items() if e.provenance},
        read_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
    )


def _failure(exc: BaseException, secrets: Sequence[str]) -> str:
    text = (str(exc).splitlines() or [type(exc).__name__])[0][:300]
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return f"cannot be read: {text}"


class EstateReader:
    """Reads instances in parallel within `deadline` seconds each; answers are reused for `ttl` seconds."""

    def __init__(self, deadline: float = 10.0, ttl: float = 30.0, workers: int = 8) -> None:
        self.deadline = deadline
        self.ttl = ttl
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="oic-estate")
        self._cache: dict[str, tuple[float, InstanceState]] = {}
        self._lock = threading.Lock()

    def read(
        self,
        instances: Sequence[Instance],
        config_of: Callable[[Instance], OICConfig],
        ledger_of: Callable[[Instance], Mapping[str, object]],
        fresh: bool = False,
    ) -> dict[str, InstanceState]:
        """Each instance's state by key: from the cache while fresh (unless `fresh`), else read now (or
        its failure)."""
        now = time.monotonic()
        states: dict[str, InstanceState] = {}
        pending = {}
        for instance in instances:
            with self._lock:
                cached = self._cache.get(instance.key)
            if cached and not fresh and now - cached[0] < self.ttl:
                states[instance.key] = cached[1]
                continue
            config = config_of(instance)
            pending[instance.key] = (config, self._pool.submit(self._read_one, config, instance, ledger_of))
        for key, (config, future) in pending.items():
            try:
                state = future.result(timeout=max(self.deadline - (time.monotonic() - now), 0.1))
            except FutureTimeout:
                state = InstanceState(error=f"did not answer within {self.deadline:.0f} s")
            except Exception as exc:  # any failure to read is shown on the page, never raised
                state = InstanceState(error=_failure(exc, [config.client_secret, config.client_key or ""]))
            if state.error is None:
                with self._lock:
                    self._cache[key] = (time.monotonic(), state)
            states[key] = replace(
                state, read_at=state.read_at or datetime.now(timezone.utc).isoformat(timespec="seconds")
            )
        return states

    @staticmethod
    def _read_one(
        config: OICConfig, instance: Instance, ledger_of: Callable[[Instance], Mapping[str, object]]
    ) -> InstanceState:
        with OICClient(config) as client:
            return read_instance(client, instance, ledger_of(instance))
