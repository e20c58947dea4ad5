"""Lookups (docs/oic-reference.md §5): JSON CRUD and CSV import/export."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..errors import OICConflictError
from ..models import ArchiveDownload, Lookup, LookupUser
from ..transport import Call, encode
from .base import ArtifactResource, Upload


def lookup_body(
    name: str, columns: Sequence[str], rows: Sequence[Sequence[str]], description: str | None
) -> dict:
    body = {
        "name": name,
        "columns": list(columns),
        "rows": [{"rowData": [str(v) for v in row]} for row in rows],
    }
    if description is not None:
        body["description"] = description
    return body


class Lookups(ArtifactResource[Lookup]):
    """Lookup tables."""

    collection = "/lookups"
    noun = "lookup"
    plural = "lookups"
    model = Lookup

    def key_of(self, item: Lookup) -> str:
        return item.name

    def create(
        self, name: str, columns: Sequence[str], rows: Sequence[Sequence[str]], description: str | None = None
    ) -> Lookup:
        """Create a lookup; 409 `OICConflictError` when it exists."""
        call = Call(
            "POST",
            self.collection,
            f"Create lookup {name}{self.where}",
            json=lookup_body(name, columns, rows, description),
            took_effect=lambda: self.find(name) is not None,
        )
        answer = self._call(call)
        return Lookup.from_api(answer) if answer is not None else self.get(name)

    def update(
        self, name: str, columns: Sequence[str], rows: Sequence[Sequence[str]], description: str | None = None
    ) -> Lookup:
        """Replace a lookup's table (PUT is idempotent)."""
        call = Call(
            "PUT",
            f"{self.collection}/{encode(name)}",
            f"Update lookup {name}{self.where}",
            json=lookup_body(name, columns, rows, description),
            idempotent=True,
        )
        return Lookup.from_api(self._call(call))

    def create_or_update(
        self, name: str, columns: Sequence[str], rows: Sequence[Sequence[str]], description: str | None = None
    ) -> Lookup:
        try:
            return self.create(name, columns, rows, description)
        except OICConflictError:
            return self.update(name, columns, rows, description)

    def delete(self, name: str) -> None:
        self._call(Call("DELETE", f"{self.collection}/{encode(name)}", f"Delete lookup {name}{self.where}"))

    def import_csv(self, path: Path, name: str) -> None:
        """POST a lookup CSV in OIC's layout (`DVM,<name>,<description>,<keywords>`, columns, rows)."""
        with Upload(path) as upload:
            self._call(
                Call(
                    "POST",
                    f"{self.collection}/archive",
                    f"Import lookup {name} from {path.name}{self.where}",
                    body=upload,
                    took_effect=lambda: self.find(name) is not None,
                )
            )

    def replace_csv(self, path: Path, name: str) -> None:
        with Upload(path) as upload:
            self._call(
                Call(
                    "PUT",
                    f"{self.collection}/archive",
                    f"Replace lookup {name} from {path.name}{self.where}",
                    body=upload,
                    idempotent=True,
                )
            )

    def export_csv(self, name: str, destination: Path) -> ArchiveDownload:
        return self._download(
            f"{self.collection}/{encode(name)}/archive", f"Export lookup {name}{self.where}", destination
        )

    def usage(self, name: str) -> list[LookupUser]:
        """The integrations (any status) whose archive uses the lookup (§5, rule 15)."""
        return [
            LookupUser(str(i.get("id", "")), str(i.get("status", "")))
            for i in self._pages(
                f"{self.collection}/{encode(name)}/usage", f"Read the usage of lookup {name}{self.where}"
            )
        ]
