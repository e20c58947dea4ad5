"""Packages (oic-api.md §6): `.par` import/replace/export/delete."""

from __future__ import annotations

from pathlib import Path

from ..archives import read_archive
from ..errors import OICArchiveError
from ..models import Package
from ..transport import Call, encode
from .base import ArchiveResource


def package_name(path: Path) -> str:
    """OIC names a package after its file (§11.8), so the file must be `<name>.par`."""
    if path.suffix.lower() != ".par" or not path.stem:
        raise OICArchiveError(f"{path.name}: a package archive must be named <package name>.par")
    return path.stem


class Packages(ArchiveResource[Package]):
    """Packages and the integrations inside them."""

    collection = "/packages"
    noun = "package"

    def archive_id(self, path: Path) -> str:
        name = package_name(path)
        read_archive(path)
        return name

    def list(self, q: str | None = None) -> list[Package]:
        return [Package.from_api(p) for p in self._pages("/packages", "List packages", {"q": q} if q else {})]

    def get(self, name: str) -> Package:
        return Package.from_api(self._call(Call("GET", f"/packages/{encode(name)}", f"Get package {name}")))

    def delete(self, name: str) -> None:
        self._call(Call("DELETE", f"/packages/{encode(name)}", f"Delete package {name}"))
