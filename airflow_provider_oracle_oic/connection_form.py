"""The `oracle_oic` connection form: one description read by `get_provider_info()` and by the hook.

Plain data, no Airflow import, so provider discovery stays cheap.
"""

from __future__ import annotations

from typing import Any

from .oic.settings import CLIENT_SETTINGS, Setting, connection_extras

DEFAULT_CONN_ID = "oracle_oic_default"

JSON_TYPES = {"string": "string", "boolean": "boolean", "integer": "integer", "number": "number"}


def _field(setting: Setting) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": [JSON_TYPES[setting.type], "null"]}
    if setting.secret:
        schema["format"] = "password"
    if setting.default is not None:
        schema["default"] = setting.default
    shown = "" if setting.default is None else f" (default {str(setting.default).lower()})"
    return {"label": setting.label, "description": setting.description + shown, "schema": schema}


# The client settings an `oracle_oic` connection keeps as extras, from their one declaration.
CONN_FIELDS: dict[str, dict[str, Any]] = {name: _field(s) for name, s in connection_extras().items()}

# Where this OIC's runs keep their backups, over `[oracle_oic] backup_directory` (docs/settings.md).
BACKUP_DIRECTORY = "backup_directory"
CONN_FIELDS[BACKUP_DIRECTORY] = {
    "label": "Backup location",
    "description": "Where runs against this OIC keep the exports they take before replacing (an object-storage "
    "URL such as s3://bucket/oic-backups, so a retry or restore on another worker finds them); "
    "overrides [oracle_oic] backup_directory",
    "schema": {"type": ["string", "null"]},
}

# The provider's `[oracle_oic]` configuration section, as Airflow's provider info declares it.
CONFIG: dict[str, Any] = {
    "oracle_oic": {
        "description": "Defaults for every task of airflow-provider-oracle-oic.",
        "options": {
            BACKUP_DIRECTORY: {
                "description": "Where every deployment keeps the exports it takes before replacing an artifact, "
                "unless its connection's backup_directory extra or the task's target_config says otherwise. "
                "Use object storage (an fsspec URL: s3://bucket/prefix, gs://…, file:///shared/…; "
                "s3://conn_id@bucket/prefix reads the endpoint and keys from that Airflow connection) when "
                "tasks run on several machines: a retry or a restore on another worker needs them.",
                "version_added": "0.2.0",
                "type": "string",
                "example": "s3://oic-backups/airflow",
                "default": None,
            }
        },
    }
}

UI_FIELD_BEHAVIOUR: dict[str, Any] = {
    "hidden-fields": ["schema", "port"],
    "relabeling": {
        s.connection: s.label for s in CLIENT_SETTINGS if s.connection in ("host", "login", "password")
    },
    "placeholders": {
        "host": "https://myoic-abc.integration.ocp.oraclecloud.com",
        "login": "IDCS confidential application client id",
        "password": "IDCS client secret",
        "idcs_url": "https://idcs-<guid>.identity.oraclecloud.com/oauth2/v1/token",
        "integration_instance": "myoic-abc",
        "timeout": "30",
        "max_retries": "3",
        BACKUP_DIRECTORY: "s3://bucket/oic-backups",
    },
}
