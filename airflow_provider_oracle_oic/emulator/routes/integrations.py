"""`/integrations` routes (§3)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, File, Request, UploadFile
from fastapi.responses import FileResponse

from .. import views
from ..backend import integrations as backend
from ..query import filter_items, page, parse_q
from ..space import Space
from .common import (
    created,
    deleted,
    json_object,
    reading,
    require_patch_override,
    site,
    staged_upload,
    writing,
)

router = APIRouter()
Q_KEYS = ("name", "code", "status", "type", "style")


def _field(item, key: str) -> str:
    """What a `q` key matches; `type` and `style` are **(unverified)** readings of OIC's values."""
    if key == "type":
        return "SCHEDULED" if item.has_schedule else "STANDARD"
    if key == "style":
        return "FREEFORM"
    return getattr(item, key)


def _view(request: Request, store: Space, item) -> dict[str, Any]:
    return views.integration(item, site(request), store.connections)


@router.get("/integrations")
def list_integrations(
    request: Request,
    q: str | None = None,
    limit: int | None = None,
    offset: int | None = None,
    orderBy: str | None = None,
    expand: str | None = None,
) -> dict[str, Any]:
    terms = parse_q(q, Q_KEYS)
    with reading(request) as store:
        items = filter_items(list(store.integrations.values()), terms, _field)
        if orderBy == "name":
            items.sort(key=lambda i: (i.name.lower(), i.id))
        else:
            items.sort(key=lambda i: (i.last_updated, i.id), reverse=True)

        def render(item: Any) -> dict[str, Any]:
            body = _view(request, store, item)
            if expand == "connection":
                for end_point, conn_id in zip(body["endPoints"], item.connections, strict=True):
                    if conn_id in store.connections:
                        end_point["connection"] = views.connection(store.connections[conn_id], site(request))
            return body

        return page(items, limit, offset, render)


@router.post("/integrations/archive", status_code=204)
def import_integration(request: Request, file: UploadFile | None = File(None)):
    with (
        staged_upload(request, file, "Integration archive") as staged,
        writing(request) as store,
    ):
        item = backend.import_archive(store, staged, replace=False)
    return created(request, "integrations", item.id)


@router.put("/integrations/archive")
def replace_integration(request: Request, file: UploadFile | None = File(None)) -> dict[str, Any]:
    with (
        staged_upload(request, file, "Integration archive") as staged,
        writing(request) as store,
    ):
        item = backend.import_archive(store, staged, replace=True)
        return _view(request, store, item)


@router.get("/integrations/{ident}")
def get_integration(request: Request, ident: str) -> dict[str, Any]:
    with reading(request) as store:
        return _view(request, store, backend.get(store, ident))


@router.post("/integrations/{ident}")
def update_integration(request: Request, ident: str, body: Any = Body(None)) -> dict[str, Any]:
    require_patch_override(request, f"integration {ident}")
    body = json_object(body, f"Integration {ident} update")
    with writing(request) as store:
        item, answered = backend.change_status(store, ident, body)
        # A change answers its ..._INPROGRESS status even when it completed at once (§11.14).
        return {**_view(request, store, item), "status": answered}


@router.delete("/integrations/{ident}")
def delete_integration(request: Request, ident: str):
    with writing(request) as store:
        backend.delete(store, ident)
    return deleted()


@router.get("/integrations/{ident}/archive")
def export_integration(request: Request, ident: str) -> FileResponse:
    with reading(request) as store:
        path = backend.export(store, ident)
        item = backend.get(store, ident)
    return FileResponse(
        path, media_type="application/octet-stream", filename=f"{item.code}_{item.version}.iar"
    )


@router.get("/integrations/{ident}/activationStatus")
def activation_status(request: Request, ident: str) -> dict[str, str]:
    with reading(request) as store:
        return {"activationStatus": backend.activation_status(backend.get(store, ident))}


@router.get("/integrations/{ident}/activationErrors")
def activation_errors(request: Request, ident: str) -> dict[str, Any]:
    with reading(request) as store:
        return backend.activation_errors(store, ident)


@router.post("/integrations/{ident}/clone")
def clone_integration(request: Request, ident: str, body: Any = Body(None)) -> dict[str, Any]:
    body = json_object(body, f"Clone of integration {ident}")
    with writing(request) as store:
        return _view(request, store, backend.clone(store, ident, body))


@router.post("/integrations/{ident}/schedule/{action}")
def schedule(request: Request, ident: str, action: str) -> dict[str, Any]:
    with writing(request) as store:
        return _view(request, store, backend.schedule(store, ident, action))
