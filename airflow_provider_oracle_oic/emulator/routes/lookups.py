"""`/lookups` routes (§5)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, File, Request, UploadFile
from fastapi.responses import Response

from .. import views
from ..backend import lookups as backend
from ..models import Lookup
from ..space import Space
from .common import created, deleted, listing, ordered, reading, site, staged_upload, writing

router = APIRouter()
KEYS = ("name", "type")


def _view(request: Request, store: Space, item: Lookup) -> dict[str, Any]:
    users = [i for i in store.integrations.values() if item.name in i.lookups]
    return views.lookup(item, site(request), users)


@router.get("/lookups")
def list_lookups(request: Request, q: str | None = None, limit: int | None = None, offset: int | None = None):
    with reading(request) as store:
        items = ordered(sorted(store.lookups.values(), key=lambda lk: lk.name), request)
        return listing(
            items,
            KEYS,
            lambda lk, k: lk.name if k == "name" else "DEVELOPED",
            lambda lk: _view(request, store, lk),
            q,
            limit,
            offset,
        )


@router.post("/lookups")
def create_lookup(request: Request, body: Any = Body(None)) -> dict[str, Any]:
    item = backend.parse_body(body)
    with writing(request) as store:
        return _view(request, store, backend.create(store, item))


@router.post("/lookups/archive", status_code=204)
def import_lookup(request: Request, file: UploadFile | None = File(None)):
    with staged_upload(request, file, "Lookup CSV") as staged, writing(request) as store:
        item = backend.create(store, backend.parse_csv(staged, store.limits.max_archive_bytes))
    return created(request, "lookups", item.name)


@router.put("/lookups/archive")
def replace_lookup_csv(request: Request, file: UploadFile | None = File(None)) -> dict[str, Any]:
    with staged_upload(request, file, "Lookup CSV") as staged, writing(request) as store:
        return _view(
            request, store, backend.replace(store, backend.parse_csv(staged, store.limits.max_archive_bytes))
        )


@router.get("/lookups/{name}")
def get_lookup(request: Request, name: str) -> dict[str, Any]:
    with reading(request) as store:
        return _view(request, store, backend.get(store, name))


@router.put("/lookups/{name}")
def update_lookup(request: Request, name: str, body: Any = Body(None)) -> dict[str, Any]:
    item = backend.parse_body(body, name)
    with writing(request) as store:
        return _view(request, store, backend.replace(store, item))


@router.delete("/lookups/{name}")
def delete_lookup(request: Request, name: str):
    with writing(request) as store:
        backend.delete(store, name)
    return deleted()


@router.get("/lookups/{name}/archive")
def export_lookup(request: Request, name: str) -> Response:
    with reading(request) as store:
        text = backend.export(store, name)
    return Response(
        text, media_type="text/csv", headers={"Content-Disposition": f'attachment; filename="{name}.csv"'}
    )


@router.get("/lookups/{name}/usage")
def lookup_usage(request: Request, name: str, limit: int | None = None, offset: int | None = None):
    """The integrations (any status) whose archive names the lookup (§11.15)."""
    with reading(request) as store:
        backend.get(store, name)
        users = sorted((i for i in store.integrations.values() if name in i.lookups), key=lambda i: i.id)
        return listing(
            users,
            (),
            lambda i, k: "",
            lambda i: {"id": i.id, "code": i.code, "version": i.version, "name": i.name, "status": i.status},
            None,
            limit,
            offset,
        )
