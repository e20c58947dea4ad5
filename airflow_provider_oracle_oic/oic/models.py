"""Typed views of OIC's answers (docs/oic-reference.md §3 to §8); unknown fields are ignored."""

from __future__ import annotations

from dataclasses import astuple, dataclass, field
from pathlib import Path
from typing import Any

from .identifiers import IntegrationId

MASKED = "*****"


def _str(body: dict[str, Any], key: str, default: str = "") -> str:
    value = body.get(key)
    return default if value is None else str(value)


@dataclass(frozen=True)
class Integration:
    """An integration version and its runtime status."""

    code: str
    version: str
    name: str
    status: str
    locked: bool = False
    package_name: str | None = None
    description: str = ""
    pattern: str = ""
    tracing: bool = False
    payload_tracing: bool = False
    record_enabled: bool = False
    schedule_applicable: bool = False
    last_updated: str = ""
    connection_ids: tuple[str, ...] = ()
    lookup_names: tuple[str, ...] = ()

    @property
    def ident(self) -> IntegrationId:
        return IntegrationId(self.code, self.version)

    @property
    def id(self) -> str:
        return str(self.ident)

    @property
    def major(self) -> str:
        return self.ident.major

    @classmethod
    def from_api(cls, body: dict[str, Any]) -> Integration:
        code, version = _str(body, "code"), _str(body, "version")
        if (not code or not version) and "|" in _str(body, "id"):
            code, version = astuple(IntegrationId.of(_str(body, "id")))
        dependencies = body.get("dependencies") or {}
        connections = [c.get("id") for c in dependencies.get("connections") or [] if isinstance(c, dict)]
        if not connections:
            connections = [
                (e.get("connection") or {}).get("id")
                for e in body.get("endPoints") or []
                if isinstance(e, dict)
            ]
        return cls(
            code=code,
            version=version,
            name=_str(body, "name", code),
            status=_str(body, "status"),
            locked=bool(body.get("lockedFlag", False)),
            package_name=body.get("packageName") or None,
            description=_str(body, "description"),
            pattern=_str(body, "pattern"),
            tracing=bool(body.get("tracingEnabledFlag", False)),
            payload_tracing=bool(body.get("payloadTracingEnabledFlag", False)),
            record_enabled=bool(body.get("recordEnabledFlag", False)),
            schedule_applicable=bool(body.get("scheduleApplicableFlag", False)),
            last_updated=_str(body, "lastUpdated"),
            connection_ids=tuple(c for c in connections if c),
            lookup_names=tuple(
                lk.get("name")
                for lk in dependencies.get("lookups") or []
                if isinstance(lk, dict) and lk.get("name")
            ),
        )


@dataclass(frozen=True)
class ActivationErrors:
    """What OIC says about a failed activation."""

    code: str
    version: str
    has_errors: bool
    message: str
    summary: str

    @classmethod
    def from_api(cls, body: dict[str, Any]) -> ActivationErrors:
        return cls(
            code=_str(body, "code"),
            version=_str(body, "version"),
            has_errors=bool(body.get("hasErrors", False)),
            message=_str(body, "errorMessage"),
            summary=_str(body, "shortSummaryMessage"),
        )


@dataclass(frozen=True)
class ConnectionProperty:
    """One connection or security property; `value` is None when OIC withholds it."""

    name: str
    value: str | None
    type: str = "STRING"
    required: bool = False
    # A file was uploaded to it (docs/oic-reference.md §4 Attachments); OIC never returns the file.
    has_attachment: bool = False

    @property
    def withheld(self) -> bool:
        return self.value is None or self.value == MASKED

    @property
    def takes_file(self) -> bool:
        """Whether OIC takes a file for it (a private key, a WSDL, a keystore)."""
        return self.type in ("URL_OR_FILE", "FILE")

    @classmethod
    def from_api(cls, body: dict[str, Any]) -> ConnectionProperty:
        value = body.get("propertyValue")
        return cls(
            name=_str(body, "propertyName"),
            value=None if value is None else str(value),
            type=_str(body, "propertyType", "STRING"),
            required=bool(body.get("requiredFlag", False)),
            has_attachment=bool(body.get("hasAttachment", False)),
        )


@dataclass(frozen=True)
class Connection:
    """A connection and its (non-secret) configuration."""

    id: str
    name: str
    adapter_type: str
    status: str
    test_status: str
    security_policy: str | None = None
    agent_group_id: str | None = None
    locked: bool = False
    last_updated: str = ""
    connection_properties: tuple[ConnectionProperty, ...] = ()
    security_properties: tuple[ConnectionProperty, ...] = ()
    policy_properties: dict[str, tuple[ConnectionProperty, ...]] = field(default_factory=dict)

    @property
    def configured(self) -> bool:
        return self.status == "CONFIGURED"

    def properties(self) -> dict[str, str]:
        """The connection properties that have a value, by name (OIC lists unset ones too)."""
        return {p.name: p.value for p in self.connection_properties if p.value is not None}

    @classmethod
    def from_api(cls, body: dict[str, Any]) -> Connection:
        adapter = body.get("adapterType")
        adapter_name = adapter.get("name", "") if isinstance(adapter, dict) else _str(body, "adapterType")
        return cls(
            id=_str(body, "id"),
            name=_str(body, "name", _str(body, "id")),
            adapter_type=str(adapter_name),
            status=_str(body, "status"),
            test_status=_str(body, "testStatus"),
            security_policy=body.get("securityPolicy") or None,
            agent_group_id=body.get("agentGroupId") or None,
            locked=bool(body.get("lockedFlag", False)),
            last_updated=_str(body, "lastUpdated"),
            connection_properties=tuple(
                ConnectionProperty.from_api(p) for p in body.get("connectionProperties") or []
            ),
            security_properties=tuple(
                ConnectionProperty.from_api(p) for p in body.get("securityProperties") or []
            ),
            policy_properties={
                str(info["securityPolicy"]): tuple(
                    ConnectionProperty.from_api(p) for p in info.get("securityProperties") or []
                )
                for info in body.get("securityPolicyInfo") or []
                if isinstance(info, dict) and info.get("securityPolicy")
            },
        )


@dataclass(frozen=True)
class LookupUser:
    """An integration that uses a lookup."""

    id: str
    status: str


@dataclass(frozen=True)
class Lookup:
    """A lookup table."""

    name: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    description: str = ""
    locked: bool = False
    usage_active: int = 0
    last_updated: str = ""
    # False for a listing entry without its columns and rows: only a read of the lookup has them.
    complete: bool = True

    @classmethod
    def from_api(cls, body: dict[str, Any]) -> Lookup:
        rows = []
        for row in body.get("rows") or []:
            data = row.get("rowData") if isinstance(row, dict) else row
            rows.append(tuple(str(v) for v in data or []))
        return cls(
            name=_str(body, "name"),
            columns=tuple(str(c) for c in body.get("columns") or []),
            rows=tuple(rows),
            description=_str(body, "description"),
            locked=bool(body.get("lockedFlag", False)),
            usage_active=int(body.get("usageActive") or 0),
            last_updated=_str(body, "lastUpdated"),
            complete="rows" in body and "columns" in body,
        )


@dataclass(frozen=True)
class PackageMember:
    """An integration inside a package."""

    code: str
    version: str
    status: str

    @property
    def id(self) -> str:
        return str(IntegrationId(self.code, self.version))


@dataclass(frozen=True)
class Package:
    """A package and the integrations it holds."""

    name: str
    type: str
    integrations: tuple[PackageMember, ...] = ()
    last_updated: str = ""

    @classmethod
    def from_api(cls, body: dict[str, Any]) -> Package:
        members = []
        for item in body.get("integrations") or []:
            code, version = _str(item, "code"), _str(item, "version")
            if (not code or not version) and "|" in _str(item, "id"):
                code, version = astuple(IntegrationId.of(_str(item, "id")))
            members.append(PackageMember(code, version, _str(item, "status")))
        return cls(
            name=_str(body, "name"),
            type=_str(body, "type", "DEVELOPED"),
            integrations=tuple(members),
            last_updated=_str(body, "lastUpdated"),
        )


@dataclass(frozen=True)
class Library:
    """A JavaScript or Java library."""

    code: str
    version: str
    name: str
    type: str = "API"
    description: str = ""
    locked: bool = False
    last_updated: str = ""
    # The name the file was uploaded under, where OIC says it ("" when it does not).
    file_name: str = ""

    @property
    def id(self) -> str:
        return f"{self.code}|{self.version}"

    @classmethod
    def from_api(cls, body: dict[str, Any]) -> Library:
        code, version = _str(body, "code"), _str(body, "version")
        return cls(
            code=code,
            version=version,
            name=_str(body, "name", code),
            type=_str(body, "type", "API"),
            description=_str(body, "description"),
            locked=bool(body.get("lockedFlag", False)),
            last_updated=_str(body, "lastUpdated"),
            file_name=_str(body, "fileName"),
        )


@dataclass(frozen=True)
class Certificate:
    """An uploaded certificate (secrets are never returned by OIC)."""

    name: str
    type: str
    category: str | None = None
    subject: str | None = None
    expiry: str | None = None
    last_updated: str = ""

    @classmethod
    def from_api(cls, body: dict[str, Any]) -> Certificate:
        return cls(
            name=_str(body, "name", _str(body, "id")),
            type=_str(body, "type"),
            category=body.get("category") or None,
            subject=body.get("subject") or None,
            expiry=body.get("expiryDate") or None,
            last_updated=_str(body, "lastUpdated"),
        )


@dataclass(frozen=True)
class MonitoringCounts:
    """Message counts of one integration version over a time window."""

    code: str
    version: str
    received: int
    processed: int
    succeeded: int
    errors: int
    aborted: int

    @property
    def error_rate(self) -> float:
        handled = self.succeeded + self.errors + self.aborted
        return (self.errors + self.aborted) / handled if handled else 0.0

    @classmethod
    def from_api(cls, body: dict[str, Any]) -> MonitoringCounts:
        code, version = _str(body, "code"), _str(body, "version")
        if (not code or not version) and "|" in _str(body, "id"):
            code, version = astuple(IntegrationId.of(_str(body, "id")))
        return cls(
            code=code,
            version=version,
            received=int(body.get("noOfMsgsReceived") or 0),
            processed=int(body.get("noOfMsgsProcessed") or 0),
            succeeded=int(body.get("noOfSuccess") or 0),
            errors=int(body.get("noOfErrors") or 0),
            aborted=int(body.get("noOfAborted") or 0),
        )


@dataclass(frozen=True)
class Instance:
    """One run of an integration, as monitoring lists it."""

    id: str
    code: str
    version: str
    status: str
    created: str = ""

    @classmethod
    def from_api(cls, body: dict[str, Any]) -> Instance:
        return cls(
            id=_str(body, "id"),
            code=_str(body, "code"),
            version=_str(body, "version"),
            status=_str(body, "status"),
            created=_str(body, "creationDate"),
        )


@dataclass(frozen=True)
class ArchiveDownload:
    """An archive exported to disk."""

    path: Path
    sha256: str
    size: int
    # The file name OIC sent with it (Content-Disposition), if any.
    file_name: str | None = None


@dataclass(frozen=True)
class ImportResult:
    """The outcome of an archive import: the id OIC assigned and whether it was a replace."""

    id: str
    replaced: bool
    location: str | None = None


@dataclass(frozen=True)
class Deployment:
    """An OIC 3 project deployment: the integration versions (`CODE|VERSION`) that go live together."""

    code: str
    name: str
    integrations: tuple[str, ...]
    description: str = ""
    last_updated: str = ""

    @classmethod
    def from_api(cls, body: dict[str, Any]) -> Deployment:
        chosen = [
            str(IntegrationId(_str(i, "code"), _str(i, "version")))
            for i in body.get("integrations") or []
            if isinstance(i, dict)
        ]
        return cls(
            _str(body, "code"),
            _str(body, "name"),
            tuple(chosen),
            _str(body, "description"),
            _str(body, "lastUpdated"),
        )


@dataclass(frozen=True)
class Project:
    """An OIC 3 project; `last_updated` is its `state.updated`, `revision` its `projectRevisionId`."""

    id: str
    name: str
    description: str = ""
    type: str = ""
    revision: str = ""
    last_updated: str = ""
    deployments: tuple[Deployment, ...] = ()

    def deployment(self, code: str) -> Deployment | None:
        return next((d for d in self.deployments if d.code == code), None)

    @classmethod
    def from_api(cls, body: dict[str, Any]) -> Project:
        state = body.get("state") or {}
        labels = ((state.get("assets") or {}).get("labelsRs") or {}).get("items") or []
        return cls(
            _str(body, "id") or _str(body, "code"),
            _str(body, "name"),
            _str(body, "description"),
            _str(body, "type"),
            _str(state, "projectRevisionId"),
            _str(state, "updated"),
            tuple(Deployment.from_api(d) for d in labels if isinstance(d, dict)),
        )
