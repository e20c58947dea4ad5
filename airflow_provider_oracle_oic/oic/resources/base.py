"""What every resource family shares: JSON calls, paging, streamed uploads and downloads."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Generic, Protocol, TypeVar
from urllib.parse import unquote

from requests_toolbelt import MultipartEncoder

from ..errors import OICConflictError, OICNotFoundError, OICRouteError
from ..models import ArchiveDownload, ImportResult
from ..transport import Call, Transport, encode

PAGE_SIZE = 100
DISPOSITION_NAME = re.compile(r"""filename\*?=(?:UTF-8'')?"?([^";]+)"?""", re.IGNORECASE)
T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)
CHUNK = 1 << 20


class Upload:
    """A multipart body streamed from disk, reopened for every attempt and closed afterwards."""

    def __init__(
        self, path: Path, fields: Mapping[str, str | None] | None = None, file_name: str | None = None
    ) -> None:
        self.path = path
        self.file_name = file_name or path.name
        self.fields = {k: v for k, v in (fields or {}).items() if v is not None}
        self._handles: list[BinaryIO] = []

    def __call__(self) -> tuple[MultipartEncoder, str]:
        handle = self.path.open("rb")
        self._handles.append(handle)
        encoder = MultipartEncoder(
            fields={**self.fields, "file": (self.file_name, handle, "application/octet-stream")}
        )
        return encoder, encoder.content_type

    def __enter__(self) -> Upload:
        return self

    def __exit__(self, *_exc: object) -> None:
        for handle in self._handles:
            handle.close()
        self._handles.clear()


class Resource:
    """Base of the resource families; holds the transport, and the OIC 3 project it acts in, if any."""

    collection = ""

    def __init__(self, transport: Transport, project: str | None = None) -> None:
        self._transport = transport
        self.project = project
        if project is not None:
            self.collection = f"/projects/{encode(project)}{type(self).collection}"
        # Appended to every message, so an error names the project as well as the artifact.
        self.where = f" in project {project}" if project else ""

    def _call(self, call: Call) -> Any:
        """The JSON answer of `call`, or None for an empty body."""
        answer = self._transport.request(call)
        if answer is None:
            return None
        try:
            return answer.json() if answer.content else None
        finally:
            answer.close()

    def _listing(self, call: Call) -> Any:
        """The JSON answer of a listing; a 404 for a collection of the instance itself means the URL is
        wrong, never that nothing exists (a project's collections 404 when the project does not)."""
        try:
            return self._call(call)
        except OICNotFoundError as exc:
            if self.project is not None:
                raise
            base = self._transport.config.base_url
            raise OICRouteError(
                f"{call.what} failed: OIC answered 404 for {call.path}, a collection every OIC has: base_url "
                f"{base} does not lead to OIC's REST API; set it to the instance URL "
                "(https://<instance>.integration.ocp.oraclecloud.com) with no path",
                status=404,
                method=call.method,
                path=call.path,
            ) from exc

    def _create(self, call: Call) -> str | None:
        """Send a create call and return the `Location` OIC gives (None when the answer was lost)."""
        answer = self._transport.request(call)
        if answer is None:
            return None
        answer.close()
        return answer.headers.get("Location")

    def _pages(
        self, path: str, what: str, params: Mapping[str, Any] | None = None
    ) -> Iterator[dict[str, Any]]:
        """Every item of a listing, following `hasMore` page by page."""
        offset = 0
        while True:
            body = self._listing(
                Call("GET", path, what, params={**(params or {}), "limit": PAGE_SIZE, "offset": offset})
            )
            items = body.get("items") or []
            yield from items
            if not body.get("hasMore") or not items:
                return
            offset += len(items)

    def _download(self, path: str, what: str, destination: Path, json: Any = None) -> ArchiveDownload:
        """Stream an archive to `destination` (written atomically) with its sha256; a `json` body makes
        it a POST that changes nothing (an OIC 3 project export)."""
        method = "GET" if json is None else "POST"
        call = Call(method, path, what, json=json, stream=True, headers={"Accept": "*/*"}, idempotent=True)
        answer = self._transport.request(call)
        assert answer is not None, "a download has no took-effect probe"
        destination.parent.mkdir(parents=True, exist_ok=True)
        digest, size = hashlib.sha256(), 0
        handle, temp = tempfile.mkstemp(dir=destination.parent, prefix=f".{destination.name}.")
        try:
            with os.fdopen(handle, "wb") as out, answer:
                for chunk in answer.iter_content(CHUNK):
                    digest.update(chunk)
                    size += len(chunk)
                    out.write(chunk)
            os.replace(temp, destination)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        return ArchiveDownload(destination, digest.hexdigest(), size, _file_name(answer.headers))


@dataclass
class Page(Generic[T]):
    """One page of a listing; `total` is OIC's `totalResults` when it gives one."""

    items: list[T]
    has_more: bool
    total: int | None


class Model(Protocol[T_co]):
    """A typed view of OIC objects: built from an API answer."""

    def from_api(self, body: dict[str, Any]) -> T_co: ...


class ArtifactResource(Resource, Generic[T]):
    """A family whose objects can be listed page by page and fetched one by one by id."""

    noun = ""
    plural = ""
    model: Model[T]

    def key_of(self, item: T) -> str:
        """The id `get` takes for `item`."""
        raise NotImplementedError

    def list(self, q: str | None = None) -> list[T]:
        return [
            self.model.from_api(i)
            for i in self._pages(self.collection, f"List {self.plural}{self.where}", {"q": q} if q else {})
        ]

    def page(self, offset: int) -> Page[T]:
        """One page of the listing, from `offset`, in OIC's order."""
        body = self._listing(
            Call(
                "GET",
                self.collection,
                f"List {self.plural}{self.where}",
                params={"limit": PAGE_SIZE, "offset": offset},
            )
        )
        items = [self.model.from_api(i) for i in body.get("items") or []]
        total = body.get("totalResults")
        return Page(
            items, bool(body.get("hasMore")) and bool(items), total if isinstance(total, int) else None
        )

    def get(self, ident: str) -> T:
        return self.model.from_api(
            self._call(
                Call("GET", f"{self.collection}/{encode(ident)}", f"Get {self.noun} {ident}{self.where}")
            )
        )

    def find(self, ident: str) -> T | None:
        """The object, or None when OIC has none with that id."""
        try:
            return self.get(ident)
        except OICNotFoundError:
            if self.project is None:
                # The first "absent" of a run is believed only once the collection is known to exist:
                # with a wrong base_url every artifact would 404 too.
                self._transport.confirm_routes(
                    lambda: self._listing(
                        Call("GET", self.collection, f"List {self.plural}", params={"limit": 1})
                    )
                )
            return None


class Stamped(Protocol):
    """An OIC object that says when it last changed."""

    last_updated: str


S = TypeVar("S", bound=Stamped)


class ArchiveResource(ArtifactResource[S]):
    """A family deployed as archives: POST a new one, PUT a replacement, GET an export."""

    def archive_id(self, path: Path, name: str | None = None) -> str:
        """The id OIC will give the archive at `path` (checked before anything is sent)."""
        raise NotImplementedError

    def upload_name(self, ident: str, path: Path) -> str:
        """The file name the archive is uploaded under."""
        return path.name

    def import_archive(self, path: Path, name: str | None = None) -> ImportResult:
        """POST a new archive (409 `OICConflictError` when it exists)."""
        ident = self.archive_id(path, name)
        with Upload(path, file_name=self.upload_name(ident, path)) as upload:
            location = self._create(
                Call(
                    "POST",
                    f"{self.collection}/archive",
                    f"Import {self.noun} {ident}{self.where}",
                    body=upload,
                    took_effect=lambda: self.find(ident) is not None,
                )
            )
        return ImportResult(ident, replaced=False, location=location)

    def replace_archive(self, path: Path, name: str | None = None) -> ImportResult:
        """PUT an archive over an existing one (404 when absent; 412 while active or locked)."""
        ident = self.archive_id(path, name)
        before = self.get(ident).last_updated
        with Upload(path, file_name=self.upload_name(ident, path)) as upload:
            self._call(
                Call(
                    "PUT",
                    f"{self.collection}/archive",
                    f"Replace {self.noun} {ident}{self.where}",
                    body=upload,
                    took_effect=lambda: self.get(ident).last_updated != before,
                )
            )
        return ImportResult(ident, replaced=True)

    def import_or_replace(self, path: Path, name: str | None = None) -> ImportResult:
        """POST, then PUT when OIC answers 409 (it exists)."""
        try:
            return self.import_archive(path, name)
        except OICConflictError:
            return self.replace_archive(path, name)

    def export(self, ident: str, destination: Path) -> ArchiveDownload:
        """Stream the archive of `ident` to `destination`."""
        return self._download(
            f"{self.collection}/{encode(ident)}/archive",
            f"Export {self.noun} {ident}{self.where}",
            destination,
        )


def _file_name(headers: Mapping[str, str]) -> str | None:
    """The file name a download's Content-Disposition gives, without any folder part."""
    found = DISPOSITION_NAME.search(headers.get("Content-Disposition", ""))
    return Path(unquote(found.group(1))).name or None if found else None
