"""Libraries (docs/oic-reference.md §7)."""

from __future__ import annotations

from pathlib import Path

from ..models import ArchiveDownload, Library
from ..transport import Call, encode
from .base import ArtifactResource, Upload


class Libraries(ArtifactResource[Library]):
    """JavaScript and Java libraries."""

    collection = "/libraries"
    noun = "library"
    plural = "libraries"
    model = Library

    def key_of(self, item: Library) -> str:
        return item.id

    def register(
        self,
        path: Path,
        code: str,
        version: str,
        name: str,
        type: str = "API",
        description: str | None = None,
    ) -> str:
        """Register a new `.jar`/`.js` library (409 when `CODE|VERSION` exists); returns its id."""
        ident = f"{code}|{version}"
        fields = {"code": code, "version": version, "name": name, "type": type, "description": description}
        with Upload(path, fields) as upload:
            self._call(
                Call(
                    "POST",
                    f"{self.collection}/archive",
                    f"Register library {ident}{self.where}",
                    body=upload,
                    took_effect=lambda: self.find(ident) is not None,
                )
            )
        return ident

    def replace(self, ident: str, path: Path, file_name: str | None = None) -> Library:
        """Replace the file of an existing library (uploaded as `file_name`, else the path's name)."""
        before = self.get(ident).last_updated
        with Upload(path, file_name=file_name) as upload:
            answer = self._call(
                Call(
                    "POST",
                    f"{self.collection}/{encode(ident)}/archive",
                    f"Replace library {ident}{self.where}",
                    body=upload,
                    took_effect=lambda: self.get(ident).last_updated != before,
                )
            )
        return Library.from_api(answer) if answer is not None else self.get(ident)

    def export(self, ident: str, destination: Path) -> ArchiveDownload:
        return self._download(
            f"{self.collection}/{encode(ident)}/archive", f"Export library {ident}{self.where}", destination
        )

    def delete(self, ident: str) -> None:
        self._call(
            Call("DELETE", f"{self.collection}/{encode(ident)}", f"Delete library {ident}{self.where}")
        )
