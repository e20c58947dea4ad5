"""Packages (docs/oic-reference.md §6): `.par` import/replace/export/delete."""

from __future__ import annotations

from pathlib import Path

from ..archives import read_archive
from ..errors import OICArchiveError
from ..models import Package
from ..transport import Call, encode
from .base import ArchiveResource


def package_name(path: Path) -> str:
    """The package name a `.par` file's name gives (`<name>.par`), for callers that know no other."""
    if path.suffix.lower() != ".par" or not path.stem:
        raise OICArchiveError(f"{path.name}: a package archive must be named <package name>.par")
    return path.stem


class Packages(ArchiveResource[Package]):
    """Packages and the integrations inside them."""

    collection = "/packages"
    noun = "package"
    plural = "packages"
    model = Package

    def key_of(self, item: Package) -> str:
        return item.name

    def archive_id(self, path: Path, name: str | None = None) -> str:
        """`name`, or the file's name; OIC names a package after its upload (§11.16) when its
        integrations carry no packageName, so the archive is uploaded as `<name>.par`."""
        read_archive(path)
        return name or package_name(path)

    def upload_name(self, ident: str, path: Path) -> str:
        return f"{ident}.par"

    def delete(self, name: str) -> None:
        self._call(Call("DELETE", f"/packages/{encode(name)}", f"Delete package {name}"))
