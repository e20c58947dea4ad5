"""The test-only control plane under `/_emulator/` (not part of OIC)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Request

from ..backend import projects
from ..backend.monitoring import TrafficRequest, simulate
from ..errors import bad_request, not_found
from ..faults import FaultRule
from ..snapshot import dump, load
from .common import emulator, json_object

router = APIRouter(prefix="/_emulator", tags=["emulator control (test only)"])
LOCKABLE = {
    "integration": "integrations",
    "connection": "connections",
    "lookup": "lookups",
    "library": "libraries",
}


@router.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


@router.post("/reset")
def reset(request: Request) -> dict[str, str]:
    emulator(request).reset()
    return {"status": "reset"}


@router.post("/seed")
def seed(request: Request, body: Any = Body(None)) -> dict[str, int]:
    with emulator(request).store.write() as store:
        load(store, body)
        return {name: len(getattr(store, name)) for name in (*LOCKABLE.values(), "packages", "certificates")}


@router.get("/state")
def state(request: Request) -> dict[str, Any]:
    with emulator(request).store.read() as store:
        return dump(store, reveal_secrets=False)


@router.get("/stats")
def stats(request: Request) -> dict[str, Any]:
    emu = emulator(request)
    return emu.stats.snapshot(emu.tokens.issued)


@router.post("/stats/reset")
def reset_stats(request: Request) -> dict[str, str]:
    emulator(request).stats.reset()
    return {"status": "reset"}


@router.get("/faults")
def faults(request: Request) -> dict[str, Any]:
    return emulator(request).faults.describe()


@router.put("/faults")
def set_faults(request: Request, body: Any = Body(None)) -> dict[str, Any]:
    body = json_object(body, "faults")
    raw_rules = body.get("rules", [])
    if not isinstance(raw_rules, list):
        raise bad_request("faults.rules must be an array")
    seed = body.get("seed", 0)
    if not isinstance(seed, int):
        raise bad_request("faults.seed must be an integer")
    try:
        rules = [FaultRule.parse(raw, index) for index, raw in enumerate(raw_rules)]
    except TypeError as exc:
        raise bad_request(f"faults.rules: {exc}") from None
    emulator(request).faults.configure(rules, seed)
    return emulator(request).faults.describe()


@router.delete("/faults")
def clear_faults(request: Request) -> dict[str, Any]:
    emulator(request).faults.configure([], seed=0)
    return emulator(request).faults.describe()


def _set_lock(request: Request, body: Any, locked: bool) -> dict[str, Any]:
    body = json_object(body, "lock")
    kind, ident, project = body.get("kind"), body.get("id"), body.get("project")
    if kind not in LOCKABLE:
        raise bad_request(f"lock: kind must be one of {', '.join(LOCKABLE)}")
    with emulator(request).store.write() as store:
        space = store if project is None else projects.space_of(store, str(project))
        item = getattr(space, LOCKABLE[kind]).get(ident)
        if item is None:
            raise not_found(kind.capitalize(), str(ident))
        item.locked = locked
    return {"kind": kind, "id": ident, "project": project, "locked": locked}


@router.post("/lock")
def lock(request: Request, body: Any = Body(None)) -> dict[str, Any]:
    return _set_lock(request, body, True)


@router.post("/unlock")
def unlock(request: Request, body: Any = Body(None)) -> dict[str, Any]:
    return _set_lock(request, body, False)


@router.post("/tokens/revoke")
def revoke_tokens(request: Request) -> dict[str, int]:
    return {"revoked": emulator(request).tokens.revoke_all()}


@router.post("/traffic")
def traffic(request: Request, body: Any = Body(None)) -> dict[str, Any]:
    parsed = TrafficRequest.parse(body)
    emu = emulator(request)
    with emu.store.write() as store:
        return simulate(store, parsed, emu.traffic_rng)
