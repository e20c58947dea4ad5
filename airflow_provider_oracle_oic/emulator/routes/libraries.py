"""`/libraries` routes (§7)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import FileResponse

from .. import views
from ..backend import libraries as backend
from .common import created, deleted, listing, ordered, reading, site, staged_upload, writing

router = APIRouter()
KEYS = ("name", "code", "type")


@router.get("/libraries")
def list_libraries(
    request: Request, q: str | None = None, limit: int | None = None, offset: int | None = None
):
    with reading(request) as store:
        items = ordered(sorted(store.libraries.values(), key=lambda lib: lib.id), request)
        return listing(
            items,
            KEYS,
            lambda lib, k: getattr(lib, k),
            lambda lib: views.library(lib, site(request)),
            q,
            limit,
            offset,
        )


@router.post("/libraries/archive", status_code=204)
def register_library(
    request: Request,
    file: UploadFile | None = File(None),
    name: str | None = Form(None),
    code: str | None = Form(None),
    version: str | None = Form(None),
    type: str | None = Form(None),
    description: str | None = Form(None),
):
    fields = {"name": name, "code": code, "version": version, "type": type, "description": description}
    with staged_upload(request, file, "Library file") as staged, writing(request) as store:
        item = backend.register(store, staged, file.filename if file else None, fields)
    return created(request, "libraries", item.id)


@router.get("/libraries/{ident}")
def get_library(request: Request, ident: str) -> dict[str, Any]:
    with reading(request) as store:
        return views.library(backend.get(store, ident), site(request))


@router.post("/libraries/{ident}/archive")
def replace_library(request: Request, ident: str, file: UploadFile | None = File(None)) -> dict[str, Any]:
    with (
        staged_upload(request, file, f"Library {ident} file") as staged,
        writing(request) as store,
    ):
        item = backend.replace(store, ident, staged, file.filename if file else None)
        return views.library(item, site(request))


@router.get("/libraries/{ident}/archive")
def export_library(request: Request, ident: str) -> FileResponse:
    with reading(request) as store:
        item = backend.get(store, ident)
        path = store.blobs.path(item.archive)
    return FileResponse(path, media_type="application/octet-stream", filename=item.file_name)


@router.delete("/libraries/{ident}")
def delete_library(request: Request, ident: str):
    with writing(request) as store:
        backend.delete(store, ident)
    return deleted()
