"""The emulator's state: plain records, no HTTP and no rules (those live in `backend/`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .space import Space


FILE_TYPES = ("URL_OR_FILE", "FILE")


@dataclass
class Property:
    """One connection or security property."""

    name: str
    value: str | None
    type: str = "STRING"
    required: bool = False
    hidden: bool = False
    # The sha256 of the file uploaded to it (an attachment); the file itself is never returned.
    attachment: str | None = None

    @property
    def write_only(self) -> bool:
        """A PASSWORD-typed property (its type comes from the adapter catalogue) is never returned (§11.3)."""
        return self.type == "PASSWORD"

    @property
    def takes_file(self) -> bool:
        """Whether a file may be uploaded to it (a private key, a WSDL, a keystore: §4 Attachments)."""
        return self.type in FILE_TYPES

    @property
    def set(self) -> bool:
        return bool(self.value) or self.attachment is not None


@dataclass
class Connection:
    """A connection; created by archive imports, configured by PATCH updates and tests."""

    id: str
    name: str
    created: float
    last_updated: float
    adapter: str = "rest"
    role: str = "SOURCE_AND_TARGET"
    description: str = ""
    security_policy: str | None = None
    agent_group_id: str | None = None
    connection_properties: dict[str, Property] = field(default_factory=dict)
    security_properties: dict[str, Property] = field(default_factory=dict)
    status: str = "INPROGRESS"
    test_status: str = "NOTTESTED"
    locked: bool = False


@dataclass
class Transition:
    """An activation or deactivation under way, finishing at `due` (epoch seconds)."""

    target: str
    due: float


@dataclass
class Integration:
    """One `CODE|VERSION` with its archive (a blob digest) and runtime status."""

    code: str
    version: str
    name: str
    archive: str
    created: float
    last_updated: float
    description: str = ""
    package_name: str | None = None
    connections: tuple[str, ...] = ()
    lookups: tuple[str, ...] = ()
    libraries: tuple[str, ...] = ()
    has_schedule: bool = False
    schedule_state: str | None = None
    status: str = "CONFIGURED"
    pending: Transition | None = None
    activation_error: str | None = None
    locked: bool = False
    tracing: bool = False
    payload_tracing: bool = False
    record_enabled: bool = False

    @property
    def id(self) -> str:
        return f"{self.code}|{self.version}"

    @property
    def major(self) -> str:
        return self.version.split(".", 1)[0]


@dataclass
class Lookup:
    """A lookup (DVM) table."""

    name: str
    columns: list[str]
    rows: list[list[str]]
    created: float
    last_updated: float
    description: str = ""
    keywords: str = ""
    locked: bool = False


@dataclass
class Package:
    """A package; its integrations are those whose `package_name` is its name."""

    name: str
    created: float
    last_updated: float
    type: str = "DEVELOPED"


@dataclass
class Library:
    """A JavaScript or Java library."""

    code: str
    version: str
    name: str
    file_name: str
    archive: str
    created: float
    last_updated: float
    type: str = "API"
    description: str = ""
    locked: bool = False

    @property
    def id(self) -> str:
        return f"{self.code}|{self.version}"


@dataclass
class Certificate:
    """An uploaded certificate or keystore; `secrets` are write-only."""

    name: str
    type: str
    category: str | None
    file_name: str
    content: str
    created: float
    last_updated: float
    secrets: dict[str, str] = field(default_factory=dict)
    subject: str | None = None
    expiry: float | None = None


@dataclass
class MonitoringSample:
    """Message counts one traffic simulation added to one integration version."""

    code: str
    version: str
    at: float
    received: int
    success: int
    errors: int
    aborted: int


@dataclass
class Instance:
    """One simulated run of an integration, as the monitoring API lists it."""

    id: str
    code: str
    version: str
    status: str
    at: float


@dataclass
class Deployment:
    """An OIC 3 project deployment: the integration versions that go live together (§12)."""

    code: str
    name: str
    integrations: list[tuple[str, str]]
    last_updated: float
    description: str = ""


@dataclass
class Project:
    """An OIC 3 project: its own integrations, connections, lookups and libraries, and its deployments."""

    id: str
    name: str
    space: Space
    created: float
    last_updated: float
    description: str = ""
    type: str = "DEVELOPED"
    revision: int = 1
    deployments: dict[str, Deployment] = field(default_factory=dict)
