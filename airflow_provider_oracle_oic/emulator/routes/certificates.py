"""`/certificates` routes (§7)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, File, Form, Request, UploadFile

from .. import views
from ..backend import certificates as backend
from .common import created, deleted, emulator, listing, ordered, site, staged_upload

router = APIRouter()
KEYS = ("name", "type")


@router.get("/certificates")
def list_certificates(
    request: Request, q: str | None = None, limit: int | None = None, offset: int | None = None
):
    with emulator(request).store.read() as store:
        items = ordered(sorted(store.certificates.values(), key=lambda c: c.name), request)
        return listing(
            items,
            KEYS,
            lambda c, k: getattr(c, k),
            lambda c: views.certificate(c, site(request)),
            q,
            limit,
            offset,
        )


@router.post("/certificates", status_code=204)
def upload_certificate(
    request: Request,
    file: UploadFile | None = File(None),
    name: str | None = Form(None),
    type: str | None = Form(None),
    category: str | None = Form(None),
    keystorePassword: str | None = Form(None),
    keyPasswords: str | None = Form(None),
    passPhrase: str | None = Form(None),
):
    fields = {
        "name": name,
        "type": type,
        "category": category,
        "keystorePassword": keystorePassword,
        "keyPasswords": keyPasswords,
        "passPhrase": passPhrase,
    }
    with staged_upload(request, file, "Certificate file") as staged, emulator(request).store.write() as store:
        item = backend.upload(store, staged, file.filename if file else None, fields)
    return created(request, "certificates", item.name)


@router.get("/certificates/{ident}")
def get_certificate(request: Request, ident: str) -> dict[str, Any]:
    with emulator(request).store.read() as store:
        return views.certificate(backend.get(store, ident), site(request))


@router.delete("/certificates/{ident}")
def delete_certificate(request: Request, ident: str):
    with emulator(request).store.write() as store:
        backend.delete(store, ident)
    return deleted()
