"""Lookups: JSON create/update/delete and CSV import/export (§5)."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

from ..errors import bad_request, conflict, locked, not_found
from ..models import Lookup
from ..space import Space
from .common import active_users

NAME = re.compile(r"^[A-Za-z0-9_.\-]{1,100}$")


def get(store: Space, name: str) -> Lookup:
    item = store.lookups.get(name)
    if item is None:
        raise not_found("Lookup", name)
    return item


def _table(name: str, columns: Any, rows: Any) -> tuple[list[str], list[list[str]]]:
    if (
        not isinstance(columns, list)
        or len(columns) < 2
        or not all(isinstance(c, str) and c.strip() for c in columns)
    ):
        raise bad_request(f"Lookup {name}: columns must be at least two non-empty strings")
    if len(set(columns)) != len(columns):
        raise bad_request(f"Lookup {name}: column names must be unique")
    if not isinstance(rows, list):
        raise bad_request(f"Lookup {name}: rows must be an array of row objects")
    table = []
    for index, row in enumerate(rows):
        data = row.get("rowData") if isinstance(row, dict) else row
        if not isinstance(data, list) or len(data) != len(columns):
            raise bad_request(f"Lookup {name}: rows[{index}] must hold {len(columns)} values, one per column")
        if not all(isinstance(v, str) for v in data):
            raise bad_request(f"Lookup {name}: rows[{index}] values must be strings")
        table.append(list(data))
    return list(columns), table


def parse_body(body: Any, path_name: str | None = None) -> Lookup:
    """A lookup from a JSON body; the name must match the URL on update."""
    if not isinstance(body, dict):
        raise bad_request("The lookup body must be a JSON object with name, columns and rows")
    name = body.get("name", path_name)
    if not isinstance(name, str) or not NAME.match(name):
        raise bad_request(f"Lookup name {name!r} is invalid; use letters, digits, '_', '.', '-'")
    if path_name is not None and name != path_name:
        raise bad_request(f"Lookup name '{name}' in the body differs from '{path_name}' in the URL")
    description = body.get("description", "")
    if not isinstance(description, str):
        raise bad_request(f"Lookup {name}: description must be a string")
    columns, rows = _table(name, body.get("columns"), body.get("rows", []))
    return Lookup(name, columns, rows, 0.0, 0.0, description)


CSV_FIRST_LINE = "DVM,<name>,<description>,<keywords>"


def parse_csv(staged: Path, limit: int) -> Lookup:
    """Lookup CSV in OIC's export layout (§5): `DVM,<name>,<description>,<keywords>`, the column
    names, then one line per row."""
    if staged.stat().st_size > limit:
        raise bad_request(f"Lookup CSV is more than the limit of {limit} bytes")
    return parse_csv_text(staged.read_bytes(), limit, "Lookup CSV")


def parse_csv_text(data: bytes, limit: int, what: str) -> Lookup:
    """A lookup from the bytes of its CSV (an upload, or an entry of a project archive)."""
    if len(data) > limit:
        raise bad_request(f"{what} is more than the limit of {limit} bytes")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise bad_request(f"{what} must be UTF-8 text") from None
    lines = [line for line in csv.reader(io.StringIO(text)) if line]
    if not lines or lines[0][0].strip() != "DVM" or len(lines[0]) < 2:
        raise bad_request(f"{what} line 1 must be {CSV_FIRST_LINE} (as OIC exports it)")
    if len(lines) < 2:
        raise bad_request(f"{what} needs the column names on line 2")
    header = [*lines[0], "", ""]
    name = header[1].strip()
    if not NAME.match(name):
        raise bad_request(f"{what} line 1: name {name!r} is invalid")
    columns, rows = _table(name, lines[1], lines[2:])
    return Lookup(name, columns, rows, 0.0, 0.0, header[2], header[3])


def to_csv(item: Lookup) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["DVM", item.name, item.description, item.keywords])
    writer.writerow(item.columns)
    writer.writerows(item.rows)
    return out.getvalue()


def export(store: Space, name: str) -> str:
    """The CSV of a lookup; 423 while it is locked (§11.9)."""
    item = get(store, name)
    if item.locked:
        raise locked(f"Lookup {name} is locked (open in the designer); it cannot be exported")
    return to_csv(item)


def create(store: Space, item: Lookup) -> Lookup:
    if item.name in store.lookups:
        raise conflict(f"Lookup {item.name} already exists; use PUT to replace it")
    item.created = item.last_updated = store.stamp()
    store.lookups[item.name] = item
    return item


def replace(store: Space, item: Lookup) -> Lookup:
    current = get(store, item.name)
    if current.locked:
        raise locked(f"Lookup {item.name} is locked (open in the designer)")
    current.columns, current.rows, current.description = item.columns, item.rows, item.description
    current.keywords = item.keywords or current.keywords
    current.last_updated = store.stamp()
    return current


def delete(store: Space, name: str) -> None:
    item = get(store, name)
    if item.locked:
        raise locked(f"Lookup {name} is locked (open in the designer)")
    users = active_users(store, "lookups", name)
    if users:
        raise locked(f"Lookup {name} is used by active integration(s) {', '.join(i.id for i in users)}")
    del store.lookups[name]
