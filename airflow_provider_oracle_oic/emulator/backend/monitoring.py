"""Monitoring counts and instances (§8), fed by the traffic simulator."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from typing import Any

from ..errors import bad_request, conflict
from ..models import Instance, Integration, MonitoringSample
from ..query import Term
from ..store import Store
from .lookups import get as get_lookup

WINDOWS = {"1h": 3600, "6h": 6 * 3600, "1d": 86400, "2d": 2 * 86400, "3d": 3 * 86400}


def window_seconds(terms: list[Term]) -> float:
    for term in terms:
        if term.key == "timewindow":
            if term.exact not in WINDOWS:
                raise bad_request(
                    f"timewindow {term.exact!r} is not supported; use one of {', '.join(WINDOWS)}"
                )
            return WINDOWS[term.exact]
    return WINDOWS["1h"]


def counts(store: Store, item: Integration, since: float) -> dict[str, Any]:
    samples = [
        s for s in store.samples if s.code == item.code and s.version == item.version and s.at >= since
    ]
    received = sum(s.received for s in samples)
    success = sum(s.success for s in samples)
    errors = sum(s.errors for s in samples)
    aborted = sum(s.aborted for s in samples)
    return {
        "id": item.id,
        "code": item.code,
        "version": item.version,
        "name": item.name,
        "status": item.status,
        "noOfMsgsReceived": received,
        "noOfMsgsProcessed": success + errors + aborted,
        "noOfSuccess": success,
        "noOfErrors": errors,
        "noOfAborted": aborted,
    }


@dataclass(frozen=True)
class TrafficRequest:
    """`POST /_emulator/traffic`: N calls to a code, routed over its active versions."""

    code: str
    requests: int
    routing_lookup: str | None
    error_rates: dict[str, float]
    seed: int | None

    @classmethod
    def parse(cls, body: Any) -> TrafficRequest:
        if not isinstance(body, dict) or not isinstance(body.get("code"), str):
            raise bad_request("traffic: code is required")
        count = body.get("requests")
        if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= 1_000_000:
            raise bad_request("traffic: requests must be an integer between 1 and 1000000")
        rates = body.get("error_rates") or {}
        if not isinstance(rates, dict) or not all(
            isinstance(v, (int, float)) and 0 <= v <= 1 for v in rates.values()
        ):
            raise bad_request("traffic: error_rates maps versions to numbers between 0 and 1")
        seed = body.get("seed")
        if seed is not None and not isinstance(seed, int):
            raise bad_request("traffic: seed must be an integer")
        return cls(body["code"], count, body.get("routing_lookup"), dict(rates), seed)


def _weights(store: Store, request: TrafficRequest, active: list[Integration]) -> dict[str, float]:
    versions = [i.version for i in active]
    if request.routing_lookup is None:
        return dict.fromkeys(versions, 1.0)
    table = get_lookup(store, request.routing_lookup)
    lowered = [c.lower() for c in table.columns]
    if "version" not in lowered or "weight" not in lowered:
        raise bad_request(f"traffic: routing lookup {table.name} needs columns 'version' and 'weight'")
    v_col, w_col = lowered.index("version"), lowered.index("weight")
    weights = dict.fromkeys(versions, 0.0)
    for row in table.rows:
        if row[v_col] in weights:
            try:
                weights[row[v_col]] = max(float(row[w_col]), 0.0)
            except ValueError:
                raise bad_request(
                    f"traffic: weight {row[w_col]!r} in lookup {table.name} is not a number"
                ) from None
    if not any(weights.values()):
        raise bad_request(
            f"traffic: routing lookup {table.name} gives no weight to an active version of {request.code}"
        )
    return weights


def simulate(store: Store, request: TrafficRequest, rng: random.Random) -> dict[str, Any]:
    """Route the requests, draw failures per version, and record counts and instances."""
    active = [i for i in store.integrations.values() if i.code == request.code and i.status == "ACTIVATED"]
    if not active:
        raise conflict(f"traffic: integration {request.code} has no ACTIVATED version")
    weights = _weights(store, request, active)
    draw = random.Random(request.seed) if request.seed is not None else rng
    versions = list(weights)
    tally = {v: {"received": 0, "success": 0, "errors": 0} for v in versions}
    now = time.time()
    for chosen in draw.choices(versions, weights=[weights[v] for v in versions], k=request.requests):
        failed = draw.random() < request.error_rates.get(chosen, 0.0)
        tally[chosen]["received"] += 1
        tally[chosen]["errors" if failed else "success"] += 1
        store.instances.append(
            Instance(
                str(next(store.instance_ids)), request.code, chosen, "FAILED" if failed else "COMPLETED", now
            )
        )
    for version, numbers in tally.items():
        if numbers["received"]:
            store.samples.append(
                MonitoringSample(
                    request.code, version, now, numbers["received"], numbers["success"], numbers["errors"], 0
                )
            )
    return {"code": request.code, "requests": request.requests, "versions": tally}
