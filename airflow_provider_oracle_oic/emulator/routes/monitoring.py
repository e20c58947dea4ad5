"""`/monitoring` routes (§8)."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Body, Request
from fastapi.responses import JSONResponse

from .. import views
from ..backend import integrations as integrations_backend
from ..backend.monitoring import counts, window_seconds
from ..errors import bad_request
from ..models import Instance
from ..query import Term, filter_items, page, parse_q
from .common import emulator, json_object

router = APIRouter()
INTEGRATION_KEYS = ("status", "code", "name", "version", "timewindow")
INSTANCE_KEYS = ("timewindow", "code", "version", "status", "startdate", "enddate")


def _epoch(term: Term) -> float:
    try:
        return datetime.fromisoformat(str(term.exact).replace("Z", "+00:00")).timestamp()
    except ValueError:
        raise bad_request(f"{term.key} {term.exact!r} must be an ISO 8601 date-time") from None


def _instance_view(item: Instance) -> dict[str, Any]:
    return {
        "id": item.id,
        "integrationId": f"{item.code}|{item.version}",
        "integrationName": item.code,
        "code": item.code,
        "version": item.version,
        "status": item.status,
        "creationDate": views.timestamp(item.at),
        "lastTrackedTime": views.timestamp(item.at),
    }


def _instances(request: Request, q: str | None, only_failed: bool) -> list[dict[str, Any]]:
    terms = parse_q(q, INSTANCE_KEYS)
    since = time.time() - window_seconds(terms)
    until = float("inf")
    for term in terms:
        if term.key == "startdate":
            since = _epoch(term)
        elif term.key == "enddate":
            until = _epoch(term)
    plain = [t for t in terms if t.key in ("code", "version", "status")]
    with emulator(request).store.read() as store:
        items = [
            i for i in store.instances if since <= i.at <= until and (not only_failed or i.status == "FAILED")
        ]
    items = filter_items(items, plain, lambda i, k: getattr(i, k))
    return [_instance_view(i) for i in reversed(items)]


@router.get("/monitoring/integrations")
def monitored_integrations(
    request: Request, q: str | None = None, limit: int | None = None, offset: int | None = None
):
    terms = parse_q(q, INTEGRATION_KEYS)
    since = time.time() - window_seconds(terms)
    plain = [t for t in terms if t.key != "timewindow"]
    with emulator(request).store.read() as store:
        items = sorted(store.integrations.values(), key=lambda i: i.id)
        items = filter_items(items, plain, lambda i, k: getattr(i, k))
        return page([counts(store, i, since) for i in items], limit, offset)


@router.get("/monitoring/integrations/{ident}")
def monitored_integration(request: Request, ident: str, q: str | None = None) -> dict[str, Any]:
    since = time.time() - window_seconds(parse_q(q, ("timewindow",)))
    with emulator(request).store.read() as store:
        return counts(store, integrations_backend.get(store, ident), since)


@router.get("/monitoring/instances")
def instances(request: Request, q: str | None = None, limit: int | None = None, offset: int | None = None):
    return page(_instances(request, q, only_failed=False), limit, offset)


@router.get("/monitoring/errors")
def errors(request: Request, q: str | None = None, limit: int | None = None, offset: int | None = None):
    return page(_instances(request, q, only_failed=True), limit, offset)


@router.post("/monitoring/errors/resubmit")
def resubmit(request: Request, body: Any = Body(None)) -> JSONResponse:
    ids = json_object(body, "Resubmit").get("ids")
    if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
        raise bad_request("Resubmit: ids must be a non-empty array of error instance ids")
    with emulator(request).store.write() as store:
        failed = {i.id: i for i in store.instances if i.status == "FAILED"}
        unknown = [i for i in ids if i not in failed]
        if unknown:
            raise bad_request(f"Resubmit: {', '.join(unknown)} are not error instances")
        for ident in ids:
            failed[ident].status = "COMPLETED"
    return JSONResponse({"resubmitted": ids}, status_code=202)
