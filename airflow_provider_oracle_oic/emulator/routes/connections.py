"""`/connections` routes (§4)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, File, Form, Request, UploadFile

from .. import views
from ..backend import connections as backend
from ..models import Connection
from ..space import Space
from .common import (
    deleted,
    listing,
    ordered,
    project_id,
    reading,
    require_patch_override,
    site,
    staged_upload,
    writing,
)

router = APIRouter()
FIELDS = {"name": "name", "status": "status", "role": "role", "id": "id"}


def _view(request: Request, store: Space, conn: Connection) -> dict[str, Any]:
    """The connection with `usage` (integrations that use it) and `usageActive` (those ACTIVATED)."""
    users = [i for i in store.integrations.values() if conn.id in i.connections]
    active = sum(1 for i in users if i.status == "ACTIVATED")
    return views.connection(conn, site(request), len(users), active)


@router.get("/connections")
def list_connections(
    request: Request, q: str | None = None, limit: int | None = None, offset: int | None = None
):
    with reading(request) as store:
        items = ordered(sorted(store.connections.values(), key=lambda c: c.id), request)
        return listing(
            items,
            tuple(FIELDS),
            lambda c, k: getattr(c, FIELDS[k]),
            lambda c: _view(request, store, c),
            q,
            limit,
            offset,
        )


@router.get("/connections/{ident}")
def get_connection(request: Request, ident: str) -> dict[str, Any]:
    with reading(request) as store:
        return _view(request, store, backend.get(store, ident))


@router.post("/connections/{ident}")
def update_connection(request: Request, ident: str, body: Any = Body(None)) -> dict[str, Any]:
    require_patch_override(request, f"connection {ident}")
    with writing(request) as store:
        return _view(request, store, backend.update(store, ident, body))


@router.post("/connections/{ident}/attachments/{name}")
def upload_attachment(
    request: Request,
    ident: str,
    name: str,
    file: UploadFile | None = File(None),
    type: str | None = Form(None),  # the practitioner's clients send it; accepted and ignored
) -> dict[str, Any]:
    with (
        staged_upload(request, file, f"Connection {ident} property {name} file") as staged,
        writing(request) as store,
    ):
        return _view(request, store, backend.attach(store, ident, name, staged))


@router.post("/connections/{ident}/test")
def test_connection(request: Request, ident: str) -> dict[str, Any]:
    with writing(request) as store:
        conn = backend.test(store, ident)
        if project_id(request) is not None:
            # A project's connection test answers a test report, not the connection (§12).
            return {
                "id": conn.id,
                "status": "SUCCESS",
                "details": f"Connection {conn.id} tested successfully",
            }
        return _view(request, store, conn)


@router.delete("/connections/{ident}")
def delete_connection(request: Request, ident: str):
    with writing(request) as store:
        backend.delete(store, ident)
    return deleted()
