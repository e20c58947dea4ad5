"""OIC 3 projects and their deployments (docs/oic-reference.md §12)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..errors import OICArchiveError
from ..identifiers import IntegrationId
from ..models import ArchiveDownload, Deployment, Project
from ..project_archives import read_project_archive
from ..transport import Call, encode
from .base import ArtifactResource, Upload

PATCH = {"X-HTTP-Method-Override": "PATCH"}


def selection(integrations: Sequence[str]) -> list[dict[str, str]]:
    """A deployment's `integrations` body from `CODE|VERSION` ids."""
    return [{"code": i.code, "version": i.version} for i in map(IntegrationId.of, integrations)]


class Projects(ArtifactResource[Project]):
    """Import (`.car`), replace, export, list and delete OIC 3 projects."""

    collection = "/projects"
    noun = "project"
    plural = "projects"
    model = Project

    def key_of(self, item: Project) -> str:
        return item.id

    def import_archive(self, path: Path, ident: str | None = None) -> Project:
        """POST a new project's `.car` (409 `OICConflictError` when it exists); OIC answers the project."""
        ident = ident or self.archive_id(path)
        with Upload(path, file_name=f"{ident}.car") as upload:
            answer = self._call(
                Call(
                    "POST",
                    "/projects/archive",
                    f"Import project {ident}",
                    body=upload,
                    took_effect=lambda: self.find(ident) is not None,
                )
            )
        return Project.from_api(answer) if answer else self.get(ident)

    def replace_archive(self, path: Path, ident: str | None = None) -> Project:
        """PUT a `.car` over an existing project (404 absent; 412 while an integration it holds is active).

        **(unverified)**: Oracle documents no replace call; its own scripts PUT after a 409 (§12).
        """
        ident = ident or self.archive_id(path)
        before = self.get(ident).revision
        with Upload(path, file_name=f"{ident}.car") as upload:
            answer = self._call(
                Call(
                    "PUT",
                    "/projects/archive",
                    f"Replace project {ident}",
                    body=upload,
                    took_effect=lambda: self.get(ident).revision != before,
                )
            )
        return Project.from_api(answer) if answer else self.get(ident)

    def archive_id(self, path: Path) -> str:
        """The project id a `.car` names in its `project.json`."""
        facts = read_project_archive(path)
        if not facts.project_id:
            raise OICArchiveError(f"{path.name} does not name its project; give the project id")
        return facts.project_id

    def export(
        self, ident: str, destination: Path, label: str = "", name: str | None = None
    ) -> ArchiveDownload:
        """Stream the `.car` of the whole project, or with `label` of that deployment only."""
        body = {
            "name": name or self.get(ident).name,
            "code": ident,
            "type": "DEVELOPED",
            "builtBy": "",
            "label": label,
        }
        what = f"Export project {ident}" + (f" deployment {label}" if label else "")
        return self._download(f"/projects/{encode(ident)}/archive", what, destination, json=body)

    def delete(self, ident: str) -> None:
        """Delete the project and everything in it (412 while any of its integrations is active)."""
        self._call(Call("DELETE", f"/projects/{encode(ident)}", f"Delete project {ident}"))


class Deployments(ArtifactResource[Deployment]):
    """The deployments of one project; a deployment has no status of its own."""

    collection = "/deployments"
    noun = "deployment"
    plural = "deployments"
    model = Deployment

    def key_of(self, item: Deployment) -> str:
        return item.code

    def create(
        self, code: str, name: str, integrations: Sequence[str], description: str | None = None
    ) -> Deployment:
        """Create a deployment of `CODE|VERSION` ids (409 when the code exists)."""
        body = {"code": code, "name": name, "integrations": selection(integrations)}
        if description:
            body["description"] = description
        answer = self._call(
            Call(
                "POST",
                self.collection,
                f"Create deployment {code}{self.where}",
                json=body,
                took_effect=lambda: self.find(code) is not None,
            )
        )
        return Deployment.from_api(answer) if answer else self.get(code)

    def update(self, code: str, integrations: Sequence[str], name: str | None = None) -> Deployment:
        """Replace the deployment's whole selection (and its name when given)."""
        body: dict[str, object] = {"integrations": selection(integrations)}
        if name:
            body["name"] = name
        answer = self._call(
            Call(
                "POST",
                f"{self.collection}/{encode(code)}",
                f"Update deployment {code}{self.where}",
                json=body,
                headers=PATCH,
                idempotent=True,
            )
        )
        return Deployment.from_api(answer)

    def delete(self, code: str) -> None:
        self._call(
            Call("DELETE", f"{self.collection}/{encode(code)}", f"Delete deployment {code}{self.where}")
        )
