"""`tap-oracle-oic`: read a source OIC into the target's streams, so promotion is `tap | target`.

Archives travel inside the records (base64) or, with `archive_directory`, as files next to them.
Secret values cannot be read from OIC: they are emitted as `${CONNECTION_PROPERTY}` placeholders for
the target to fill from its environment. Certificates cannot be exported from OIC, so there is no
certificates stream.
"""

from __future__ import annotations

import base64
import copy
import re
import tempfile
import typing as t
from functools import cached_property
from pathlib import Path

from singer_sdk import Stream, Tap
from singer_sdk import typing as th

from ..deploy.model.settings import oic_config
from ..oic import OICClient
from ..oic.identifiers import IntegrationId
from ..oic.models import ArchiveDownload, Connection, ConnectionProperty, Deployment, Integration, Project
from ..oic.settings import CLIENT_SETTINGS
from ..oic.status import IntegrationStatus
from .distribution import DISTRIBUTION
from .schemas import SCHEMAS
from .settings_schema import properties

PLACEHOLDER_UNSAFE = re.compile(r"[^A-Z0-9_]")


def placeholder(connection_id: str, prop: str) -> str:
    """The `${NAME}` a withheld secret becomes, e.g. `${REST_ERP_PASSWORD}`."""
    return "${" + PLACEHOLDER_UNSAFE.sub("_", f"{connection_id}_{prop}".upper()) + "}"


class OICStream(Stream):
    """A stream whose schema and key come from the target's contract."""

    def __init__(self, tap: TapOracleOIC) -> None:
        spec = SCHEMAS[self.name]
        super().__init__(tap, schema={"type": "object", "properties": spec["properties"]}, name=self.name)
        self.primary_keys = spec["key_properties"]
        self.oic = tap

    @property
    def client(self) -> OICClient:
        return self.oic.client

    def archive_fields(self, download: ArchiveDownload, name: str) -> dict[str, t.Any]:
        """`archive_path` (under the tap's archive_directory) or `archive_base64`, plus the checksum."""
        fields: dict[str, t.Any] = {"checksum": f"sha256:{download.sha256}"}
        if self.oic.archive_directory is not None:
            fields["archive_path"] = name
        else:
            fields["archive_base64"] = base64.b64encode(download.path.read_bytes()).decode()
        return fields

    def export_path(self, name: str) -> Path:
        return (self.oic.archive_directory or self.oic.scratch) / name


class IntegrationsStream(OICStream):
    name = "integrations"

    def get_records(self, context: t.Any) -> t.Iterable[dict[str, t.Any]]:
        packaged = "packages" in self.oic.selected_streams
        for item in self.client.integrations.list(q=self.config.get("integrations_query")):
            if packaged and item.package_name:
                continue
            file_name = f"{item.code}_{item.version}.iar"
            download = self.client.integrations.export(item.id, self.export_path(file_name))
            yield {
                "code": item.code,
                "version": item.version,
                "name": item.name,
                "package": item.package_name,
                "connections": list(item.connection_ids),
                "activate": item.status == IntegrationStatus.ACTIVATED,
                "tracing": item.tracing,
                "payload_tracing": item.payload_tracing,
                "record_enabled": item.record_enabled,
                **self.archive_fields(download, file_name),
            }


class PackagesStream(OICStream):
    name = "packages"

    def get_records(self, context: t.Any) -> t.Iterable[dict[str, t.Any]]:
        for package in self.client.packages.list(q=self.config.get("packages_query")):
            file_name = f"{package.name}.par"
            download = self.client.packages.export(package.name, self.export_path(file_name))
            active = any(m.status == IntegrationStatus.ACTIVATED for m in package.integrations)
            yield {"name": package.name, "activate": active, **self.archive_fields(download, file_name)}


def _attachments(connection_id: str, conn: Connection) -> dict[str, dict[str, str]]:
    """A placeholder per attached file (OIC never gives a file back): the target fills it from a secret."""
    return {
        prop.name: {"secret": placeholder(connection_id, prop.name)}
        for prop in (*conn.connection_properties, *conn.security_properties)
        if prop.has_attachment
    }


def _values(connection_id: str, properties: tuple[ConnectionProperty, ...]) -> dict[str, str]:
    """The values OIC shows; a required PASSWORD-typed property (never shown) becomes a placeholder.
    OIC does not say whether an optional PASSWORD property is set, so those are left out."""
    values = {}
    for prop in properties:
        if prop.type == "PASSWORD":
            if prop.required:
                values[prop.name] = placeholder(connection_id, prop.name)
        elif prop.value is not None:
            values[prop.name] = prop.value
    return values


class ConnectionsStream(OICStream):
    name = "connections"

    def record(self, conn: Connection, project: str | None = None) -> dict[str, t.Any]:
        # A project's connection may share its id with a global one: its placeholders name the project.
        owner = f"{project}_{conn.id}" if project else conn.id
        return {
            "id": conn.id,
            "name": conn.name,
            "adapterType": conn.adapter_type or None,
            "securityPolicy": conn.security_policy,
            "agentGroupId": conn.agent_group_id,
            "connectionProperties": _values(owner, conn.connection_properties),
            "securityProperties": _values(owner, conn.security_properties),
            "attachments": _attachments(owner, conn) or None,
            "test": conn.configured,
            **({"project": project} if project else {}),
        }

    def get_records(self, context: t.Any) -> t.Iterable[dict[str, t.Any]]:
        for conn in self.client.connections.list():
            if conn.security_policy is None:
                continue
            yield self.record(conn)
        if "projects" not in self.oic.selected_streams:
            return
        # A project's connections must be configured at the target before its deployment goes live.
        for project in self.oic.projects:
            for conn in self.client.project(project.id).connections.list():
                if conn.security_policy is not None:
                    yield self.record(conn, project.id)


class LookupsStream(OICStream):
    name = "lookups"

    def get_records(self, context: t.Any) -> t.Iterable[dict[str, t.Any]]:
        for summary in self.client.lookups.list(q=self.config.get("lookups_query")):
            lookup = self.client.lookups.get(summary.name) if not summary.columns else summary
            yield {
                "name": lookup.name,
                "description": lookup.description or None,
                "columns": list(lookup.columns),
                "rows": [list(row) for row in lookup.rows],
            }


class LibrariesStream(OICStream):
    name = "libraries"

    def get_records(self, context: t.Any) -> t.Iterable[dict[str, t.Any]]:
        for library in self.client.libraries.list():
            download = self.client.libraries.export(library.id, self.export_path(f"{library.code}.download"))
            # OIC does not say which kind of file it stored; a zip is a .jar, anything else JavaScript.
            suffix = ".jar" if download.path.read_bytes()[:2] == b"PK" else ".js"
            file_name = f"{library.code.lower()}_{library.version}{suffix}"
            final = download.path.replace(download.path.with_name(file_name))
            download = ArchiveDownload(final, download.sha256, download.size)
            yield {
                "code": library.code,
                "version": library.version,
                "name": library.name,
                "type": library.type,
                "description": library.description or None,
                **self.archive_fields(download, file_name),
            }


def live_deployment(project: Project, integrations: list[Integration]) -> Deployment | None:
    """The deployment whose integrations are all ACTIVATED (the newest by lastUpdated when several are)."""
    active = {i.id for i in integrations if i.status == IntegrationStatus.ACTIVATED}
    live = [d for d in project.deployments if d.integrations and set(d.integrations) <= active]
    return max(live, key=lambda d: d.last_updated, default=None)


class ProjectsStream(OICStream):
    """OIC 3 projects: the whole project's `.car`, and the deployment live at the source to activate."""

    name = "projects"

    def get_records(self, context: t.Any) -> t.Iterable[dict[str, t.Any]]:
        for project in self.oic.projects:
            file_name = f"{project.id}.car"
            download = self.client.projects.export(project.id, self.export_path(file_name), name=project.name)
            live = live_deployment(project, self.client.project(project.id).integrations.list())
            record: dict[str, t.Any] = {
                "id": project.id,
                "name": project.name,
                "description": project.description or None,
                **self.archive_fields(download, file_name),
            }
            if live is not None:
                record["deployment"] = {
                    "code": live.code,
                    "name": live.name,
                    "integrations": [
                        {"code": ident.code, "version": ident.version}
                        for ident in map(IntegrationId.of, live.integrations)
                    ],
                }
                record["activate"] = True
            yield record


TAP_SETTINGS = th.PropertiesList(
    *properties(CLIENT_SETTINGS),
    th.Property(
        "integrations_query",
        th.StringType,
        description="OIC q filter for integrations, e.g. {code:/^ORD/, status:'ACTIVATED'}",
    ),
    th.Property("packages_query", th.StringType, description="OIC q filter for packages"),
    th.Property("lookups_query", th.StringType, description="OIC q filter for lookups"),
    th.Property(
        "projects_query",
        th.StringType,
        description="OIC q filter for OIC 3 projects, e.g. {name:/^Orders/}; projects are read only "
        "when integration_instance is set (OIC 3)",
    ),
    th.Property(
        "archive_directory",
        th.StringType,
        description="Write archives here and reference them by archive_path instead of base64",
    ),
).to_dict()


STREAM_TYPES: tuple[type[OICStream], ...] = (
    ConnectionsStream,
    IntegrationsStream,
    LookupsStream,
    PackagesStream,
    LibrariesStream,
    ProjectsStream,
)


class TapOracleOIC(Tap):
    """Reads integrations, packages, connections, lookups, libraries and OIC 3 projects from an OIC instance."""

    name = "tap-oracle-oic"
    package_name = DISTRIBUTION
    # singer-sdk adds its built-in settings to this dict in place; TAP_SETTINGS keeps the tap's own.
    config_jsonschema = copy.deepcopy(TAP_SETTINGS)

    @cached_property
    def client(self) -> OICClient:
        return OICClient(oic_config(self.config))

    @cached_property
    def scratch(self) -> Path:
        return Path(tempfile.mkdtemp(prefix="tap-oracle-oic-"))

    @property
    def archive_directory(self) -> Path | None:
        value = self.config.get("archive_directory")
        if not value:
            return None
        path = Path(value)
        path.mkdir(parents=True, exist_ok=True)
        return path

    @cached_property
    def projects(self) -> list[Project]:
        """The source's OIC 3 projects; none on an instance without them (no integration_instance)."""
        if not self.config.get("integration_instance"):
            return []
        return self.client.projects.list(q=self.config.get("projects_query"))

    @property
    def selected_streams(self) -> set[str]:
        return {name for name, stream in self.streams.items() if stream.selected}

    def discover_streams(self) -> list[Stream]:
        return [stream_type(self) for stream_type in STREAM_TYPES]


def cli() -> None:
    """The `tap-oracle-oic` command. singer-sdk builds its click command with logging set up on the root
    logger, so it is built only when the command runs, never when a host process imports this module."""
    TapOracleOIC.cli()
