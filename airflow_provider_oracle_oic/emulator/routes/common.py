"""Helpers every route module uses: the emulator, links, uploads, JSON bodies."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import Request, UploadFile
from fastapi.responses import Response

from ..backend import projects
from ..errors import APIError, bad_request
from ..query import filter_items, page, parse_q
from ..runtime import Emulator
from ..space import Space
from ..store import Store
from ..views import Site

OVERRIDE_HEADER = "X-HTTP-Method-Override"


def emulator(request: Request) -> Emulator:
    return request.app.state.emulator


def project_id(request: Request) -> str | None:
    """The project a route under `/projects/{project_id}/…` acts in; None for the global routes."""
    return request.path_params.get("project_id")


def scope(request: Request, store: Store) -> Space:
    """The space a request acts in: the project's (404 when there is none) or the instance's own."""
    ident = project_id(request)
    return store if ident is None else projects.space_of(store, ident)


@contextmanager
def reading(request: Request) -> Iterator[Space]:
    """The request's space under the store's read lock."""
    with emulator(request).store.read() as store:
        yield scope(request, store)


@contextmanager
def writing(request: Request) -> Iterator[Space]:
    """The request's space under the store's write lock (the state file is saved after)."""
    with emulator(request).store.write() as store:
        yield scope(request, store)


def site(request: Request) -> Site:
    """The absolute base of the OIC API on this server (a project's, inside one), for links and `Location`."""
    config = emulator(request).config
    base = str(request.base_url).rstrip("/") + config.api_base
    ident = project_id(request)
    if ident is not None:
        base += f"/projects/{quote(ident, safe='')}"
    return Site(base, config.instance)


def created(request: Request, collection: str, ident: str) -> Response:
    """204 with the absolute `Location` of the new object (§11.13), followable as given."""
    return Response(status_code=204, headers={"Location": site(request).href(collection, ident)})


def ordered(items: list[Any], request: Request) -> list[Any]:
    """Newest first by lastUpdated (§2), unless `orderBy=name`; `items` come sorted by name."""
    if request.query_params.get("orderBy") == "name":
        return items
    return sorted(items, key=lambda item: item.last_updated, reverse=True)


def require_patch_override(request: Request, what: str) -> None:
    """OIC updates with POST + `X-HTTP-Method-Override: PATCH`; a bare POST is 405 (§11.11)."""
    if request.headers.get(OVERRIDE_HEADER, "").upper() != "PATCH":
        raise APIError(405, f"POST on {what} needs the header {OVERRIDE_HEADER}: PATCH")


def json_object(body: Any, what: str) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise bad_request(f"{what}: the request body must be a JSON object")
    return body


@contextmanager
def staged_upload(request: Request, upload: UploadFile | None, what: str) -> Iterator[Path]:
    """The multipart `file`, copied to the blob directory; removed again unless an operation kept it."""
    if upload is None or not hasattr(upload, "file"):
        raise bad_request(f"{what}: the multipart field 'file' is required")
    store = emulator(request).store
    staged = store.blobs.stage(upload.file, store.limits.max_archive_bytes, what)
    try:
        yield staged
    finally:
        staged.unlink(missing_ok=True)


def deleted() -> Response:
    """DELETE answers 200 with an empty body (§11.13)."""
    return Response(status_code=200)


def listing(items: list[Any], keys: tuple[str, ...], field, render, q, limit, offset):
    """Filter by `q` and page a collection (already in its order), rendering only the page."""
    terms = parse_q(q, keys)
    chosen = filter_items(items, terms, field)
    return page(chosen, limit, offset, render)
