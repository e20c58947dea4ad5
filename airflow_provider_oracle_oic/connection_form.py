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
    },
}
