"""Typed specs of the artifacts a run deploys (docs/streams.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from ...oic.identifiers import IntegrationId


class Kind(str, Enum):
    """Artifact families, named as their Singer streams."""

    CERTIFICATE = "certificates"
    LIBRARY = "libraries"
    LOOKUP = "lookups"
    PACKAGE = "packages"
    INTEGRATION = "integrations"
    CONNECTION = "connections"
    PROJECT = "projects"

    @property
    def singular(self) -> str:
        return {"libraries": "library", "certificates": "certificate"}.get(self.value, self.value[:-1])


STREAMS = tuple(kind.value for kind in Kind)


class UnknownStreamError(ValueError):
    """A stream that is not one of the artifact streams, while the `streams` setting does not exclude it."""

    def __init__(self, stream: str) -> None:
        super().__init__(
            f"Unknown stream '{stream}'; target-oracle-oic takes {', '.join(STREAMS)} "
            "(or list the streams to deploy in the 'streams' setting to skip others)"
        )


@dataclass(frozen=True)
class Value:
    """A property value; `secret` values never appear in logs, reports or the ledger in clear."""

    text: str
    secret: bool = False
    placeholder: bool = False

    def shown(self) -> str:
        return "***" if self.secret else self.text

    def __repr__(self) -> str:
        return f"Value({self.shown()!r})"


@dataclass(frozen=True)
class ArchiveFile:
    """A local archive (or file) that a spec deploys, with its sha256 and the record field it came from."""

    path: Path
    sha256: str
    file_name: str
    field: str = ""


# What a spec points at when its artifact is in OIC already (a promotion, a deployment activation):
# nothing is imported from it.
IN_OIC = ArchiveFile(Path("/dev/null"), "", "", "already in OIC")


@dataclass(frozen=True)
class Attachment:
    """The file for a file-valued connection property (a private key, a WSDL, a keystore), as a local
    file; its content is a secret wherever it came from, so only its digest is kept, never shown."""

    path: Path
    sha256: str
    # Where the record took it from: `archive_path` or `secret` (for messages).
    source: str

    def __repr__(self) -> str:
        return f"Attachment(from {self.source})"


@dataclass
class ConnectionSpec:
    """Desired configuration of a connection (connections are updated, never created)."""

    id: str
    connection_properties: dict[str, Value] = field(default_factory=dict)
    security_properties: dict[str, Value] = field(default_factory=dict)
    attachments: dict[str, Attachment] = field(default_factory=dict)
    security_policy: str | None = None
    agent_group_id: str | None = None
    adapter_type: str | None = None
    test: bool = True
    project: str | None = None
    kind: Kind = Kind.CONNECTION

    @property
    def key(self) -> str:
        return self.id


@dataclass
class IntegrationSpec:
    """An integration archive to import, and whether to activate it."""

    code: str
    version: str
    archive: ArchiveFile
    connections: tuple[str, ...] = ()
    lookups: tuple[str, ...] = ()
    name: str | None = None
    package: str | None = None
    activate: bool = False
    tracing: bool | None = None
    payload_tracing: bool | None = None
    record_enabled: bool | None = None
    kind: Kind = Kind.INTEGRATION

    @property
    def key(self) -> str:
        return str(IntegrationId(self.code, self.version))


@dataclass
class LookupSpec:
    """A lookup table (from columns and rows, or from a CSV archive read locally)."""

    name: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    description: str | None = None
    project: str | None = None
    kind: Kind = Kind.LOOKUP

    @property
    def key(self) -> str:
        return self.name


@dataclass
class PackageSpec:
    """A package archive and the integrations it holds."""

    name: str
    archive: ArchiveFile
    integrations: tuple[str, ...] = ()
    connections: tuple[str, ...] = ()
    lookups: tuple[str, ...] = ()
    activate: bool = False
    kind: Kind = Kind.PACKAGE

    @property
    def key(self) -> str:
        return self.name


@dataclass
class LibrarySpec:
    """A `.jar` or `.js` library."""

    code: str
    version: str
    name: str
    archive: ArchiveFile
    type: str = "API"
    description: str | None = None
    kind: Kind = Kind.LIBRARY

    @property
    def key(self) -> str:
        return f"{self.code}|{self.version}"


@dataclass
class CertificateSpec:
    """A certificate or keystore; its passwords are secret values."""

    name: str
    type: str
    category: str | None
    archive: ArchiveFile
    secrets: dict[str, Value] = field(default_factory=dict)
    kind: Kind = Kind.CERTIFICATE

    @property
    def key(self) -> str:
        return self.name


@dataclass(frozen=True)
class ProjectDeploymentSpec:
    """A deployment of an OIC 3 project: the integration versions (`CODE|VERSION`) that go live together."""

    code: str
    name: str
    integrations: tuple[str, ...]


@dataclass
class ProjectSpec:
    """An OIC 3 project's `.car`, the deployment to create or update in it, and whether to activate that."""

    id: str
    archive: ArchiveFile
    integrations: tuple[str, ...] = ()
    connections: tuple[str, ...] = ()
    lookups: tuple[str, ...] = ()
    archived_deployments: tuple[ProjectDeploymentSpec, ...] = ()
    deployment: ProjectDeploymentSpec | None = None
    name: str | None = None
    description: str | None = None
    activate: bool = False
    tracing: bool | None = None
    payload_tracing: bool | None = None
    record_enabled: bool | None = None
    kind: Kind = Kind.PROJECT

    @property
    def key(self) -> str:
        return self.id

    def archived(self, code: str) -> ProjectDeploymentSpec | None:
        """The deployment of that code the `.car` itself carries."""
        return next((d for d in self.archived_deployments if d.code == code), None)


Spec = (
    ConnectionSpec | IntegrationSpec | LookupSpec | PackageSpec | LibrarySpec | CertificateSpec | ProjectSpec
)


def project_of(spec: Spec) -> str | None:
    """The OIC 3 project the spec's own artifact lives in; None for the instance's global artifacts."""
    return spec.project if isinstance(spec, ConnectionSpec | LookupSpec) else None


def scoped(project: str | None, ident: str) -> str:
    """An id made unique across scopes (the same code may exist globally and in a project)."""
    return f"{project}/{ident}" if project else ident


def ref(spec: Spec) -> str:
    """The spec's key within its scope: what plans, the ledger and the journal know it by."""
    return scoped(project_of(spec), spec.key)


def label(spec: Spec) -> str:
    """How messages name an artifact, e.g. `integration ORDERS|01.00.0000` or
    `connection REST_ERP in project ORDERS-HUB`."""
    project = project_of(spec)
    return f"{spec.kind.singular} {spec.key}" + (f" in project {project}" if project else "")
