"""Singer records become typed specs; every problem becomes an `Issue` naming artifact and field."""

from __future__ import annotations

import base64
import binascii
import csv
import hashlib
import io
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from ...oic.errors import OICArchiveError
from ...oic.identifiers import CODE, CODE_RULE, VERSION, VERSION_RULE, IntegrationId
from ..model.issues import Issue, IssueError
from ..model.settings import DeploySettings
from ..model.specs import (
    Attachment,
    CertificateSpec,
    ConnectionSpec,
    IntegrationSpec,
    Kind,
    LibrarySpec,
    LookupSpec,
    PackageSpec,
    ProjectDeploymentSpec,
    ProjectSpec,
    Spec,
    Value,
    label,
    ref,
)
from .file_checks import (
    CATEGORIES,
    LIBRARY_TYPES,
    MAX_ATTACHMENT_BYTES,
    check_attachment,
    check_category,
    check_certificate_file,
    check_library_file,
    is_pkcs12_candidate,
    keystore_password_property,
)
from .placeholders import Placeholders, UnresolvedPlaceholder
from .record_schemas import SCHEMAS
from .sources import (
    ArchiveSources,
    archive_facts,
    check_checksum,
    project_archive_facts,
    renamed,
    with_prefixed_code,
)

log = logging.getLogger(__name__)
# The names OIC accepts for lookups, packages and certificate aliases; never a path.
LOOKUP_OR_ALIAS = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
PROJECT_ID = re.compile(r"^[A-Z0-9][A-Z0-9_-]{0,49}$")
PROJECT_ID_RULE = "upper-case letters, digits, '_' and '-' (the project code, e.g. ORDERS-HUB)"
SECRET_NAME_PARTS = ("password", "secret", "token", "key")
KNOWN_FIELDS: dict[Kind, frozenset[str]] = {
    Kind(stream): frozenset(schema["properties"]) for stream, schema in SCHEMAS.items()
}
SDC_PREFIX = "_sdc_"
S = TypeVar("S")


@dataclass
class Inventory:
    """Everything the input asked for, in arrival order, plus its problems."""

    specs: dict[tuple[Kind, str], Spec] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)

    def of(self, kind: Kind) -> list[Spec]:
        return [spec for (k, _), spec in self.specs.items() if k == kind]

    def _typed(self, kind: Kind, cls: type[S]) -> list[S]:
        return [spec for spec in self.of(kind) if isinstance(spec, cls)]

    @property
    def integrations(self) -> list[IntegrationSpec]:
        return self._typed(Kind.INTEGRATION, IntegrationSpec)

    @property
    def packages(self) -> list[PackageSpec]:
        return self._typed(Kind.PACKAGE, PackageSpec)

    @property
    def connections(self) -> list[ConnectionSpec]:
        return self._typed(Kind.CONNECTION, ConnectionSpec)

    @property
    def projects(self) -> list[ProjectSpec]:
        return self._typed(Kind.PROJECT, ProjectSpec)

    @property
    def archives(self) -> list[IntegrationSpec | PackageSpec]:
        """The integrations and packages: the specs whose imports create connections and activate."""
        return [*self.integrations, *self.packages]


def _text(record: Mapping[str, Any], name: str, required: bool = False) -> str | None:
    value = record.get(name)
    if value is None or value == "":
        if required:
            raise IssueError(name, "is required")
        return None
    if not isinstance(value, str):
        raise IssueError(name, f"must be a string, not {type(value).__name__}")
    return value


def _required(record: Mapping[str, Any], name: str) -> str:
    value = _text(record, name, required=True)
    assert value is not None
    return value


def _flag(record: Mapping[str, Any], name: str, default: bool | None) -> bool | None:
    value = record.get(name)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise IssueError(name, f"must be true or false, not {type(value).__name__}")
    return value


def _code_version(code: Any, version: Any) -> tuple[str, str]:
    if not isinstance(code, str) or not CODE.match(code):
        raise IssueError("code", f"'{code}' must be {CODE_RULE}")
    if not isinstance(version, str) or not VERSION.match(version):
        raise IssueError("version", f"'{version}' must look like {VERSION_RULE}")
    return code, version


def _identity(kind: Kind, record: Mapping[str, Any]) -> str:
    """A readable name for a record even before it parses, for error messages."""
    if kind in (Kind.INTEGRATION, Kind.LIBRARY):
        if record.get("code") is not None or record.get("version") is not None:
            return f"{record.get('code')}|{record.get('version')}"
        return str(record.get("id", "<no code>"))
    if kind in (Kind.CONNECTION, Kind.PROJECT):
        return str(record.get("id", "<no id>"))
    return str(record.get("name", "<no name>"))


class RecordParser:
    """Parses records stream by stream; problems are collected, not raised, so all are reported at once."""

    def __init__(self, settings: DeploySettings, placeholders: Placeholders, sources: ArchiveSources) -> None:
        self.settings = settings
        self.placeholders = placeholders
        self.sources = sources
        self.inventory = Inventory()
        self._warned: set[tuple[str, str]] = set()
        self._parsers: dict[Kind, Callable[[Mapping[str, Any]], Spec]] = {
            Kind.CONNECTION: self._connection,
            Kind.INTEGRATION: self._integration,
            Kind.LOOKUP: self._lookup,
            Kind.PACKAGE: self._package,
            Kind.LIBRARY: self._library,
            Kind.CERTIFICATE: self._certificate,
            Kind.PROJECT: self._project,
        }

    def skip(self, stream: str) -> None:
        self.inventory.skipped[stream] = self.inventory.skipped.get(stream, 0) + 1

    def add(self, kind: Kind, record: Mapping[str, Any]) -> None:
        """Parse one record of `kind`; a problem becomes an issue, a duplicate too."""
        self._warn_unknown(kind, record)
        artifact = f"{kind.singular} {_identity(kind, record)}"
        try:
            spec = self._parsers[kind](record)
        except IssueError as exc:
            self.inventory.issues.append(Issue(artifact, exc.field, exc.message))
            return
        slot = (kind, ref(spec))
        if slot in self.inventory.specs:
            self.inventory.issues.append(
                Issue(
                    label(spec),
                    "record",
                    "appears twice in this run; send each artifact once",
                )
            )
            return
        self.inventory.specs[slot] = spec

    def _warn_unknown(self, kind: Kind, record: Mapping[str, Any]) -> None:
        for name in record:
            if (
                name not in KNOWN_FIELDS[kind]
                and not name.startswith(SDC_PREFIX)
                and (kind.value, name) not in self._warned
            ):
                self._warned.add((kind.value, name))
                log.warning(
                    "Stream %s: field '%s' is not part of the contract and is ignored", kind.value, name
                )

    def _values(self, raw: Any, field_name: str, security: bool) -> dict[str, Value]:
        if raw is None:
            return {}
        if isinstance(raw, Mapping):
            entries = [(str(k), v, None) for k, v in raw.items()]
        elif isinstance(raw, list):
            entries = []
            for index, entry in enumerate(raw):
                if not isinstance(entry, Mapping) or not isinstance(entry.get("propertyName"), str):
                    raise IssueError(f"{field_name}[{index}]", "needs propertyName and propertyValue")
                entries.append((entry["propertyName"], entry.get("propertyValue"), entry.get("propertyType")))
        else:
            raise IssueError(
                field_name, "must be an object of name to value, or OIC's [{propertyName, propertyValue}]"
            )
        values = {}
        for name, value, kind in entries:
            if value is None:
                continue
            if not isinstance(value, (str, int, float, bool)):
                raise IssueError(f"{field_name}.{name}", "must be a string")
            text, had_placeholder = self._resolve(str(value), f"{field_name}.{name}")
            secret = (
                had_placeholder
                or kind == "PASSWORD"
                or (security and any(part in name.lower() for part in SECRET_NAME_PARTS))
            )
            values[name] = Value(text, secret, had_placeholder)
        return values

    def _resolve(self, text: str, field_name: str) -> tuple[str, bool]:
        try:
            return self.placeholders.resolve(text)
        except UnresolvedPlaceholder as missing:
            raise IssueError(
                field_name,
                f"placeholder ${{{missing.name}}} is not set; export {missing.name} or pass it in secrets",
            ) from None

    def _connection(self, record: Mapping[str, Any]) -> ConnectionSpec:
        conn_id = _required(record, "id")
        properties = self._values(record.get("connectionProperties"), "connectionProperties", security=False)
        url = _text(record, "connectionUrl")
        if url is not None:
            properties["connectionUrl"] = Value(*self._resolve(url, "connectionUrl"))
        security = self._values(record.get("securityProperties"), "securityProperties", security=True)
        return ConnectionSpec(
            id=conn_id,
            connection_properties=properties,
            security_properties=security,
            security_policy=_text(record, "securityPolicy"),
            agent_group_id=_text(record, "agentGroupId"),
            attachments=self._attachments(record.get("attachments"), security),
            adapter_type=_text(record, "adapterType"),
            test=bool(_flag(record, "test", self.settings.validate_connections)),
            project=_project_field(record),
        )

    def _attachments(self, raw: Any, security: Mapping[str, Value]) -> dict[str, Attachment]:
        """Files for file-valued properties: `{"archive_path": …}` under archive_directory, or
        `{"secret": "${VAR}", "encoding": "text" | "base64"}`; checked here, before any write."""
        if raw is None:
            return {}
        if not isinstance(raw, Mapping):
            raise IssueError(
                "attachments", "must be an object of property name to {archive_path} or {secret}"
            )
        found = {}
        for name, source in raw.items():
            where = f"attachments.{name}"
            given = [k for k in ("archive_path", "secret") if isinstance(source, Mapping) and source.get(k)]
            if len(given) != 1 or set(source) - {"archive_path", "secret", "encoding"}:
                raise IssueError(
                    where,
                    "give exactly one of archive_path (a file under archive_directory) or secret (a ${VAR} "
                    "placeholder, with encoding text or base64)",
                )
            if given == ["archive_path"]:
                path = self.sources.confined(str(source["archive_path"]), f"{where}.archive_path")
                size = path.stat().st_size
                if size > MAX_ATTACHMENT_BYTES:
                    raise IssueError(
                        f"{where}.archive_path", f"is {size} bytes, over the limit of {MAX_ATTACHMENT_BYTES}"
                    )
                data = path.read_bytes()
            else:
                data = self._secret_content(source, where)
                path = self.sources.secret_file(data)
            passphrase = security.get("PassPhrase")
            password = next(
                (security[p].text for p in keystore_password_property(name) if p in security), None
            )
            check_attachment(data, f"{where}.{given[0]}", passphrase.text if passphrase else None, password)
            found[name] = Attachment(path, hashlib.sha256(data).hexdigest(), given[0])
        return found

    def _secret_content(self, source: Mapping[str, Any], where: str) -> bytes:
        """The bytes a `secret` attachment names; a literal (not a ${VAR}) is refused like a literal password."""
        text, placeholder = self._resolve(str(source["secret"]), f"{where}.secret")
        if not placeholder and not self.settings.allow_literal_secrets:
            raise IssueError(
                f"{where}.secret",
                "must be a ${VAR} placeholder: key material never lives in the record "
                "(or set allow_literal_secrets to true)",
            )
        encoding = source.get("encoding", "text")
        if encoding == "text":
            return text.encode()
        if encoding != "base64":
            raise IssueError(f"{where}.encoding", f"must be text or base64, not {encoding!r}")
        try:
            return base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raise IssueError(f"{where}.secret", "is not valid base64 (encoding is base64)") from None

    def _integration(self, record: Mapping[str, Any]) -> IntegrationSpec:
        _not_in_project(record, "integrations")
        code, version = record.get("code"), record.get("version")
        ident = record.get("id")
        if isinstance(ident, str):
            parts = IntegrationId.of(ident)
            code, version = code or parts.code, version or parts.version or None
        if version is None:
            raise IssueError("version", "is required (NN.NN.NNNN)")
        code, version = _code_version(code, version)
        archive = self.sources.file(record, "archive_path", "archive_base64", "integration.iar")
        check_checksum(archive, record)
        # OIC refuses an archive without the .iar layout; refused here, before the run's first write.
        facts = archive_facts(archive, archive.field)
        try:
            inside = facts.single
        except OICArchiveError as exc:
            raise IssueError(archive.field, str(exc)) from None
        if (inside.code, inside.version) != (code, version):
            raise IssueError(
                "archive", f"holds {inside.id}, not {code}|{version}; fix the record or the archive"
            )
        prefix = self.settings.deployment_prefix
        if prefix:
            prefixed = _code_version(prefix + code, version)[0]
            archive = with_prefixed_code(archive, code, version, prefix, self.sources.workdir)
            code = prefixed
        declared = record.get("connections") or []
        if not isinstance(declared, list) or not all(isinstance(c, str) for c in declared):
            raise IssueError("connections", "must be an array of connection ids")
        absent = [c for c in declared if c not in facts.connections]
        if absent:
            raise IssueError(
                "connections",
                f"{', '.join(absent)} not in the archive (it holds {', '.join(facts.connections) or 'none'}); "
                "fix the record or export the integration again",
            )
        return IntegrationSpec(
            code=code,
            version=version,
            archive=archive,
            connections=tuple(dict.fromkeys([*declared, *facts.connections])),
            lookups=facts.lookups,
            name=_text(record, "name"),
            package=_text(record, "package"),
            activate=bool(_flag(record, "activate", self.settings.activate_integrations)),
            tracing=_flag(record, "tracing", None),
            payload_tracing=_flag(record, "payload_tracing", None),
            record_enabled=_flag(record, "record_enabled", None),
        )

    def _lookup(self, record: Mapping[str, Any]) -> LookupSpec:
        name = _required(record, "name")
        if not LOOKUP_OR_ALIAS.match(name):
            raise IssueError("name", f"'{name}' must be letters, digits, '_', '.' or '-'")
        description = _text(record, "description")
        if record.get("archive_path") or record.get("archive_base64"):
            if record.get("columns") is not None:
                raise IssueError("columns", "give either columns and rows, or a CSV archive, not both")
            archive = self.sources.file(record, "archive_path", "archive_base64", "lookup.csv")
            columns, rows, csv_description = _csv_table(archive.path.read_bytes(), name, archive.field)
            description = description if description is not None else (csv_description or None)
        else:
            columns, rows = record.get("columns"), record.get("rows", [])
        if (
            not isinstance(columns, list)
            or len(columns) < 2
            or not all(isinstance(c, str) and c for c in columns)
        ):
            raise IssueError("columns", "must be at least two non-empty strings")
        repeated = sorted({c for c in columns if columns.count(c) > 1})
        if repeated:
            raise IssueError(
                "columns", f"names {', '.join(repeated)} more than once; column names must be unique"
            )
        if not isinstance(rows, list):
            raise IssueError("rows", "must be an array of arrays of strings")
        for index, row in enumerate(rows):
            if (
                not isinstance(row, list)
                or len(row) != len(columns)
                or not all(isinstance(v, str) for v in row)
            ):
                raise IssueError(f"rows[{index}]", f"must hold {len(columns)} strings, one per column")
        return LookupSpec(
            name, tuple(columns), tuple(tuple(r) for r in rows), description, _project_field(record)
        )

    def _package(self, record: Mapping[str, Any]) -> PackageSpec:
        name = _required(record, "name")
        if not LOOKUP_OR_ALIAS.match(name):
            raise IssueError(
                "name", f"'{name}' must be letters, digits, '_', '.' or '-' (e.g. com.example.orders)"
            )
        archive = self.sources.file(record, "archive_path", "archive_base64", "package.par")
        check_checksum(archive, record)
        facts = archive_facts(archive, archive.field)
        if facts.package_names and facts.package_names != (name,):
            raise IssueError(
                "name",
                f"the .par's integrations belong to package {', '.join(facts.package_names)} (their "
                f"packageName), which is the name OIC gives it; name the record {facts.package_names[0]}",
            )
        return PackageSpec(
            name=name,
            archive=archive,
            integrations=tuple(i.id for i in facts.integrations),
            connections=facts.connections,
            lookups=facts.lookups,
            activate=bool(_flag(record, "activate", self.settings.activate_integrations)),
        )

    def _library(self, record: Mapping[str, Any]) -> LibrarySpec:
        _not_in_project(record, "libraries")
        code, version = _code_version(record.get("code"), record.get("version"))
        name = _required(record, "name")
        kind = _text(record, "type") or "API"
        if kind not in LIBRARY_TYPES:
            raise IssueError(
                "type", f"'{kind}' is not a library type OIC registers; use {', '.join(LIBRARY_TYPES)}"
            )
        archive = self.sources.file(record, "archive_path", "archive_base64", "library.js")
        if archive.field == "archive_base64" and archive.path.read_bytes()[:2] == b"PK":
            archive = renamed(archive, "library.jar")
        if not archive.file_name.lower().endswith((".jar", ".js")):
            raise IssueError(archive.field, f"'{archive.file_name}' must be a .jar or .js file")
        check_library_file(archive.path, archive.field, archive.file_name)
        check_checksum(archive, record)
        return LibrarySpec(code, version, name, archive, kind, _text(record, "description"))

    def _certificate(self, record: Mapping[str, Any]) -> CertificateSpec:
        name = _required(record, "name")
        if not LOOKUP_OR_ALIAS.match(name):
            raise IssueError(
                "name", f"'{name}' must be letters, digits, '_', '.' or '-' (an alias, not a path)"
            )
        kind = _required(record, "type")
        if kind not in CATEGORIES:
            raise IssueError("type", f"'{kind}' must be X509, PGP, SAML or SIGNKEY")
        category = check_category(kind, _text(record, "category"))
        secrets = {}
        for secret_field in ("keystorePassword", "keyPasswords", "passPhrase"):
            raw = _text(record, secret_field)
            if raw is not None:
                secrets[secret_field] = Value(self._resolve(raw, secret_field)[0], secret=True)
        archive = self.sources.file(record, "file_path", "content_base64", "certificate.cer")
        password = secrets["keystorePassword"].text if "keystorePassword" in secrets else None
        check_certificate_file(archive.path, archive.field, kind, category, password)
        if (
            category == "IDENTITY"
            and archive.field == "content_base64"
            and is_pkcs12_candidate(archive.path.read_bytes())
        ):
            # OIC tells a PKCS#12 keystore by its file name.
            archive = renamed(archive, "certificate.p12")
        return CertificateSpec(name, kind, category, archive, secrets)

    def _project(self, record: Mapping[str, Any]) -> ProjectSpec:
        ident = _required(record, "id")
        if not PROJECT_ID.match(ident):
            raise IssueError("id", f"'{ident}' must be {PROJECT_ID_RULE}")
        archive = self.sources.file(record, "archive_path", "archive_base64", "project.car")
        check_checksum(archive, record)
        facts = project_archive_facts(archive)
        if facts.project_id and facts.project_id != ident:
            raise IssueError(
                archive.field,
                f"holds project {facts.project_id}, not {ident}; fix the record's id or the archive",
            )
        held = tuple(sorted(facts.integration_ids))
        deployment = _deployment(record.get("deployment"), set(held), facts.described or bool(held))
        activate = _flag(record, "activate", None)
        if activate and deployment is None:
            raise IssueError(
                "activate",
                "activates the integrations of the record's deployment, and it has none; add a deployment "
                "{code, name, integrations} or set activate to false",
            )
        return ProjectSpec(
            id=ident,
            archive=archive,
            integrations=held,
            connections=facts.connections,
            lookups=facts.lookups,
            archived_deployments=tuple(
                ProjectDeploymentSpec(d.code, d.name, d.integrations) for d in facts.deployments
            ),
            deployment=deployment,
            name=_text(record, "name"),
            description=_text(record, "description"),
            activate=deployment is not None
            and bool(activate if activate is not None else self.settings.activate_integrations),
            tracing=_flag(record, "tracing", None),
            payload_tracing=_flag(record, "payload_tracing", None),
            record_enabled=_flag(record, "record_enabled", None),
        )


def _project_field(record: Mapping[str, Any]) -> str | None:
    """The OIC 3 project a connection or lookup record targets, if any."""
    project = _text(record, "project")
    if project is not None and not PROJECT_ID.match(project):
        raise IssueError("project", f"'{project}' must be {PROJECT_ID_RULE}")
    return project


def _not_in_project(record: Mapping[str, Any], stream: str) -> None:
    if record.get("project") not in (None, ""):
        raise IssueError(
            "project",
            f"{stream} of an OIC 3 project are deployed with the project's .car (a projects record); "
            "put it in the .car, or remove project to deploy it globally",
        )


def _deployment(raw: Any, held: set[str], checkable: bool) -> ProjectDeploymentSpec | None:
    """A projects record's `deployment`: every version must be in the `.car`, one minor per major."""
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        raise IssueError("deployment", "must be an object {code, name, integrations: [{code, version}]}")
    code = raw.get("code")
    if not isinstance(code, str) or not code.strip():
        raise IssueError("deployment.code", "is required")
    name = raw.get("name") or code
    if not isinstance(name, str):
        raise IssueError("deployment.name", "must be a string")
    chosen = raw.get("integrations")
    if not isinstance(chosen, list) or not chosen:
        raise IssueError("deployment.integrations", "must be a non-empty array of {code, version}")
    idents: list[str] = []
    majors: dict[tuple[str, str], str] = {}
    for index, entry in enumerate(chosen):
        where = f"deployment.integrations[{index}]"
        if not isinstance(entry, Mapping):
            raise IssueError(where, "must be an object {code, version}")
        try:
            entry_code, version = _code_version(entry.get("code"), entry.get("version"))
        except IssueError as exc:
            raise IssueError(f"{where}.{exc.field}", exc.message) from None
        ident = str(IntegrationId(entry_code, version))
        if checkable and ident not in held:
            raise IssueError(
                where,
                f"{ident} is not in the project's .car (it holds {', '.join(sorted(held)) or 'no integration'}); "
                "export the project again or fix the version",
            )
        major = (entry_code, version.split(".", 1)[0])
        if major in majors:
            raise IssueError(
                where,
                f"{majors[major]} and {ident} are two minor versions of one major version; a deployment "
                "takes one (OIC keeps one minor of a major active)",
            )
        majors[major] = ident
        idents.append(ident)
    return ProjectDeploymentSpec(code, name, tuple(idents))


def _csv_table(data: bytes, name: str, field: str) -> tuple[list[str], list[list[str]], str]:
    """A lookup CSV in OIC's export layout: `DVM,<name>,<description>,<keywords>`, the column names,
    then the rows. Returns the columns, the rows and the description."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise IssueError(field, "the lookup CSV must be UTF-8") from None
    lines = [line for line in csv.reader(io.StringIO(text)) if line]
    if not lines or lines[0][0].strip() != "DVM" or len(lines[0]) < 2:
        raise IssueError(
            field,
            "line 1 of the lookup CSV must be DVM,<name>,<description>,<keywords> (OIC's export layout)",
        )
    if len(lines) < 2:
        raise IssueError(field, "the lookup CSV needs the column names on line 2")
    header = [*lines[0], ""]
    if header[1].strip() != name:
        raise IssueError(field, f"the CSV names lookup '{header[1].strip()}', not '{name}'")
    return lines[1], lines[2:], header[2]
