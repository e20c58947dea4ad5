"""`/projects` routes: OIC 3 projects and their deployments (docs/oic-reference.md §12).

The artifacts inside a project are served by the integration, connection, lookup and library routes,
mounted a second time under `/projects/{project_id}`.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, File, Request, UploadFile
from fastapi.responses import Response

from .. import views
from ..backend import projects as backend
from .common import (
    deleted,
    emulator,
    json_object,
    listing,
    ordered,
    require_patch_override,
    site,
    staged_upload,
)

router = APIRouter()
KEYS = ("name", "type")


@router.get("/projects")
def list_projects(
    request: Request, q: str | None = None, limit: int | None = None, offset: int | None = None
):
    with emulator(request).store.read() as store:
        items = ordered(sorted(store.projects.values(), key=lambda p: p.id), request)
        return listing(
            items,
            KEYS,
            lambda p, k: getattr(p, k),
            lambda p: views.project(p, site(request)),
            q,
            limit,
            offset,
        )


@router.post("/projects/archive")
def import_project(request: Request, file: UploadFile | None = File(None)) -> dict[str, Any]:
    """A new project answers 200 with the project object, not 204 (§12)."""
    with staged_upload(request, file, "Project archive") as staged, emulator(request).store.write() as store:
        return views.project(backend.import_car(store, staged, replace=False), site(request))


@router.put("/projects/archive")
def replace_project(request: Request, file: UploadFile | None = File(None)) -> dict[str, Any]:
    with staged_upload(request, file, "Project archive") as staged, emulator(request).store.write() as store:
        return views.project(backend.import_car(store, staged, replace=True), site(request))


@router.get("/projects/{ident}")
def get_project(request: Request, ident: str) -> dict[str, Any]:
    with emulator(request).store.read() as store:
        return views.project(backend.get(store, ident), site(request))


@router.delete("/projects/{ident}")
def delete_project(request: Request, ident: str):
    with emulator(request).store.write() as store:
        backend.delete(store, ident)
    return deleted()


@router.post("/projects/{ident}/archive")
def export_project(request: Request, ident: str, body: Any = Body(None)) -> Response:
    body = json_object(body if body is not None else {}, f"Project {ident} export")
    with emulator(request).store.read() as store:
        data = backend.export(store, ident, body)
    return Response(
        data,
        media_type="application/octet-stream",
        headers={"Content-Disposition": f'attachment; filename="{ident}.car"'},
    )


@router.get("/projects/{ident}/deployments")
def list_deployments(request: Request, ident: str, limit: int | None = None, offset: int | None = None):
    with emulator(request).store.read() as store:
        items = sorted(
            backend.get(store, ident).deployments.values(), key=lambda d: d.last_updated, reverse=True
        )
        return listing(items, (), lambda d, k: "", views.deployment, None, limit, offset)


@router.post("/projects/{ident}/deployments")
def create_deployment(request: Request, ident: str, body: Any = Body(None)) -> dict[str, Any]:
    with emulator(request).store.write() as store:
        return views.deployment(backend.create_deployment(store, ident, body))


@router.get("/projects/{ident}/deployments/{code}")
def get_deployment(request: Request, ident: str, code: str) -> dict[str, Any]:
    with emulator(request).store.read() as store:
        return views.deployment(backend.get_deployment(store, ident, code))


@router.post("/projects/{ident}/deployments/{code}")
def update_deployment(request: Request, ident: str, code: str, body: Any = Body(None)) -> dict[str, Any]:
    require_patch_override(request, f"deployment {code} of project {ident}")
    with emulator(request).store.write() as store:
        return views.deployment(backend.update_deployment(store, ident, code, body))


@router.delete("/projects/{ident}/deployments/{code}")
def delete_deployment(request: Request, ident: str, code: str):
    with emulator(request).store.write() as store:
        backend.delete_deployment(store, ident, code)
    return deleted()
