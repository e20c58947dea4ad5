"""`/packages` routes (§6)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, File, Request, UploadFile
from fastapi.responses import Response

from .. import views
from ..backend import packages as backend
from ..models import Package
from .common import created, deleted, emulator, listing, ordered, site, staged_upload

router = APIRouter()
KEYS = ("name", "type")


def _view(request: Request, item: Package) -> dict[str, Any]:
    return views.package(item, site(request), backend.members(emulator(request).store, item.name))


@router.get("/packages")
def list_packages(
    request: Request, q: str | None = None, limit: int | None = None, offset: int | None = None
):
    with emulator(request).store.read() as store:
        items = ordered(sorted(store.packages.values(), key=lambda p: p.name), request)
        return listing(items, KEYS, lambda p, k: getattr(p, k), lambda p: _view(request, p), q, limit, offset)


@router.post("/packages/archive", status_code=204)
def import_package(request: Request, file: UploadFile | None = File(None)):
    with staged_upload(request, file, "Package archive") as staged, emulator(request).store.write() as store:
        item = backend.import_archive(store, staged, file.filename if file else None, replace=False)
    return created(request, "packages", item.name)


@router.put("/packages/archive")
def replace_package(request: Request, file: UploadFile | None = File(None)) -> dict[str, Any]:
    with staged_upload(request, file, "Package archive") as staged, emulator(request).store.write() as store:
        return _view(
            request, backend.import_archive(store, staged, file.filename if file else None, replace=True)
        )


@router.get("/packages/{name}")
def get_package(request: Request, name: str) -> dict[str, Any]:
    with emulator(request).store.read() as store:
        return _view(request, backend.get(store, name))


@router.get("/packages/{name}/archive")
def export_package(request: Request, name: str) -> Response:
    with emulator(request).store.read() as store:
        data = backend.export(store, name)
    return Response(
        data,
        media_type="application/octet-stream",
        headers={"Content-Disposition": f'attachment; filename="{name}.par"'},
    )


@router.delete("/packages/{name}")
def delete_package(request: Request, name: str):
    with emulator(request).store.write() as store:
        backend.delete(store, name)
    return deleted()
