"""Packages (oic-api.md §6): `.par` import/replace/export/delete."""

from __future__ import annotations

from pathlib import Path

from ..archives import read_archive
from ..errors import OICArchiveError, OICConflictError
from ..models import ArchiveDownload, ImportResult, Package
from ..transport import Call, encode
from .base import ArtifactResource, Upload


def package_name(path: Path) -> str:
    """OIC names a package after its file (§11.8), so the file must be `<name>.par`."""
    if path.suffix.lower() != ".par" or not path.stem:
        raise OICArchiveError(f"{path.name}: a package archive must be named <package name>.par")
    return path.stem


class Packages(ArtifactResource[Package]):
    """Packages and the integrations inside them."""

    def list(self, q: str | None = None) -> list[Package]:
        return [Package.from_api(p) for p in self._pages("/packages", "List packages", {"q": q} if q else {})]

    def get(self, name: str) -> Package:
        return Package.from_api(self._call(Call("GET", f"/packages/{encode(name)}", f"Get package {name}")))

    def import_archive(self, path: Path) -> ImportResult:
        """POST a new `.par` (409 when the package exists); its integrations and connections are created."""
        name = package_name(path)
        read_archive(path)
        with Upload(path) as upload:
            location = self._create(
                Call(
                    "POST",
                    "/packages/archive",
                    f"Import package {name}",
                    body=upload,
                    took_effect=lambda: self.find(name) is not None,
                )
            )
        return ImportResult(name, replaced=False, location=location)

    def replace_archive(self, path: Path) -> ImportResult:
        """PUT a `.par` over an existing package (412 while any of its integrations is ACTIVATED or locked)."""
        name = package_name(path)
        read_archive(path)
        before = self.get(name).last_updated
        with Upload(path) as upload:
            self._call(
                Call(
                    "PUT",
                    "/packages/archive",
                    f"Replace package {name}",
                    body=upload,
                    took_effect=lambda: self.get(name).last_updated != before,
                )
            )
        return ImportResult(name, replaced=True)

    def import_or_replace(self, path: Path) -> ImportResult:
        try:
            return self.import_archive(path)
        except OICConflictError:
            return self.replace_archive(path)

    def export(self, name: str, destination: Path) -> ArchiveDownload:
        return self._download(f"/packages/{encode(name)}/archive", f"Export package {name}", destination)

    def delete(self, name: str) -> None:
        self._call(Call("DELETE", f"/packages/{encode(name)}", f"Delete package {name}"))
