"""Libraries: `.jar`/`.js` register, replace, export, delete (§7)."""

from __future__ import annotations

import zipfile
from pathlib import Path

from ..errors import bad_request, conflict, locked, not_found, precondition_failed
from ..models import Library
from ..space import Space
from .common import active_users, check_code_version

TYPES = ("API",)
SUFFIXES = (".jar", ".js")


def get(store: Space, ident: str) -> Library:
    item = store.libraries.get(ident)
    if item is None:
        raise not_found("Library", ident)
    return item


def _check_file(staged: Path, file_name: str | None, what: str) -> str:
    if not file_name or not file_name.lower().endswith(SUFFIXES):
        raise bad_request(f"{what}: file {file_name!r} must be a .jar or .js file")
    if staged.stat().st_size == 0:
        raise bad_request(f"{what}: file {file_name} is empty")
    if file_name.lower().endswith(".jar") and not zipfile.is_zipfile(staged):
        raise bad_request(f"{what}: {file_name} is not a valid .jar (zip) file")
    return file_name


def register(store: Space, staged: Path, file_name: str | None, fields: dict[str, str | None]) -> Library:
    """Register a new library (204); 409 when `CODE|VERSION` exists."""
    code, version = check_code_version(fields.get("code"), fields.get("version"), "Library")
    what = f"Library {code}|{version}"
    name = fields.get("name")
    if not name:
        raise bad_request(f"{what}: name is required")
    kind = fields.get("type")
    if not kind:
        raise bad_request(f"{what}: type is required (API)")
    if kind not in TYPES:
        raise bad_request(f"{what}: type '{kind}' is not supported; use API")
    file_name = _check_file(staged, file_name, what)
    if f"{code}|{version}" in store.libraries:
        raise conflict(f"{what} already exists; replace it with POST /libraries/{code}%7C{version}/archive")
    now = store.stamp()
    item = Library(
        code,
        version,
        name,
        file_name,
        store.blobs.commit(staged),
        now,
        now,
        kind,
        fields.get("description") or "",
    )
    store.libraries[item.id] = item
    return item


def replace(store: Space, ident: str, staged: Path, file_name: str | None) -> Library:
    item = get(store, ident)
    if item.locked:
        raise precondition_failed(f"Library {ident} is locked (open in the designer)")
    item.file_name = _check_file(staged, file_name, f"Library {ident}")
    item.archive = store.blobs.commit(staged)
    item.last_updated = store.stamp()
    return item


def delete(store: Space, ident: str) -> None:
    item = get(store, ident)
    if item.locked:
        raise locked(f"Library {ident} is locked (open in the designer)")
    users = active_users(store, "libraries", ident)
    if users:
        raise locked(f"Library {ident} is used by active integration(s) {', '.join(i.id for i in users)}")
    del store.libraries[ident]
