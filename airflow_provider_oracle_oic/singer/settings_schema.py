"""The target's settings as JSON Schema (shared/singer-streams.md, Configuration)."""

from __future__ import annotations

from singer_sdk import typing as th

from ..deploy.settings import CONFLICT_RESOLUTIONS, IMPORT_MODES
from ..deploy.specs import STREAMS

CONFIG_SCHEMA = th.PropertiesList(
    th.Property(
        "base_url",
        th.StringType,
        required=True,
        description="OIC URL, https://... (plain http only for 127.0.0.1/localhost)",
        examples=["https://myoic-abc.integration.ocp.oraclecloud.com"],
    ),
    th.Property("oauth_client_id", th.StringType, required=True, description="IDCS OAuth client id"),
    th.Property(
        "oauth_client_secret",
        th.StringType,
        required=True,
        secret=True,
        description="IDCS OAuth client secret",
    ),
    th.Property(
        "oauth_token_url",
        th.StringType,
        required=True,
        description="IDCS token endpoint, https://idcs-<guid>.identity.oraclecloud.com/oauth2/v1/token",
    ),
    th.Property(
        "oauth_scope",
        th.StringType,
        description="OAuth scope; default <base_url>:443urn:opc:resource:consumer::all",
    ),
    th.Property(
        "oauth_client_aud", th.StringType, description="Primary audience; builds the scope when given"
    ),
    th.Property(
        "integration_instance",
        th.StringType,
        description="OIC 3 service instance name, sent as integrationInstance on every call",
    ),
    th.Property(
        "import_mode",
        th.StringType,
        default="create_or_update",
        allowed_values=list(IMPORT_MODES),
        description="create_only leaves existing artifacts alone; update_only never creates",
    ),
    th.Property(
        "conflict_resolution",
        th.StringType,
        default="overwrite",
        allowed_values=list(CONFLICT_RESOLUTIONS),
        description="When CODE|VERSION exists with different content: skip (leave it), overwrite "
        "(deactivate, replace, reactivate) or version (refuse: versions are immutable)",
    ),
    th.Property(
        "activate_integrations",
        th.BooleanType,
        default=False,
        description="Activate integrations (and package integrations) after import by default",
    ),
    th.Property(
        "activation_timeout",
        th.IntegerType,
        default=600,
        description="Seconds to wait for ACTIVATED before failing",
    ),
    th.Property(
        "validate_connections",
        th.BooleanType,
        default=True,
        description="Test connections after updating them (activation needs a passing test)",
    ),
    th.Property(
        "archive_directory",
        th.StringType,
        description="Directory where archive_path/file_path resolve; nothing outside it is read",
    ),
    th.Property(
        "streams",
        th.ArrayType(th.StringType),
        description=f"Deploy only these streams (of {', '.join(STREAMS)}); others are skipped and counted",
    ),
    th.Property("dry_run", th.BooleanType, default=False, description="Print the plan, write nothing"),
    th.Property(
        "validate_only",
        th.BooleanType,
        default=False,
        description="Validate input and archives offline; contact nothing but the token endpoint",
    ),
    th.Property(
        "rollback_on_failure",
        th.BooleanType,
        default=True,
        description="Undo this run's changes when a step fails",
    ),
    th.Property(
        "max_concurrency",
        th.IntegerType,
        default=4,
        description="Parallel requests within one dependency level",
    ),
    th.Property("request_timeout", th.IntegerType, default=30, description="Seconds per HTTP request"),
    th.Property(
        "max_retries",
        th.IntegerType,
        default=3,
        description="Retries of 429, 502/503/504 and dropped connections",
    ),
    th.Property("verify_ssl", th.BooleanType, default=True, description="Verify OIC's TLS certificate"),
    th.Property("client_cert", th.StringType, description="Client certificate file for mutual TLS"),
    th.Property("client_key", th.StringType, secret=True, description="Client key file for mutual TLS"),
    th.Property(
        "audit_log",
        th.StringType,
        description="Path of the JSONL audit trail (one event per action, never a secret)",
    ),
    th.Property(
        "state_path",
        th.StringType,
        description="Deployment ledger (JSON) that makes re-runs idempotent and notices drift",
    ),
    th.Property(
        "backup_directory",
        th.StringType,
        description="Where rollback keeps exported archives (default: a folder in the temp dir)",
    ),
    th.Property("backup_retention", th.IntegerType, default=5, description="Runs whose backups are kept"),
    th.Property(
        "deployment_prefix", th.StringType, description="Prefix for integration codes (blue-green: GREEN_)"
    ),
    th.Property(
        "allow_literal_secrets",
        th.BooleanType,
        default=False,
        description="Accept a literal value for a PASSWORD-typed connection property instead of a ${VAR} placeholder",
    ),
).to_dict()
