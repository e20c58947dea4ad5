"""The `oracle_oic` connection form: one description read by `get_provider_info()` and by the hook.

Plain data, no Airflow import, so provider discovery stays cheap.
"""

from __future__ import annotations

from typing import Any

DEFAULT_CONN_ID = "oracle_oic_default"

STRING = {"type": ["string", "null"]}
SECRET_STRING = {"type": ["string", "null"], "format": "password"}
INTEGER = {"type": ["integer", "null"]}
NUMBER = {"type": ["number", "null"]}

# Airflow masks every extra whose name contains "token", "secret", "password"…: the IDCS endpoint is a
# URL, not a secret, so its field is named so that users can see which endpoint is configured.
CONN_FIELDS: dict[str, dict[str, Any]] = {
    "idcs_url": {
        "label": "IDCS token endpoint",
        "description": "e.g. https://idcs-<guid>.identity.oraclecloud.com/oauth2/v1/token",
        "schema": STRING,
    },
    "scope": {
        "label": "OAuth scope",
        "description": "Leave empty for <host>:443urn:opc:resource:consumer::all",
        "schema": STRING,
    },
    "integration_instance": {
        "label": "Integration instance",
        "description": "OIC 3 service instance name (sent as integrationInstance); empty for Gen2",
        "schema": STRING,
    },
    "verify_ssl": {
        "label": "Verify TLS",
        "description": "Verify OIC's certificate (default true)",
        "schema": {"type": ["boolean", "null"], "default": True},
    },
    "client_cert": {
        "label": "Client certificate",
        "description": "Mutual TLS: path to a PEM certificate, or the PEM text",
        "schema": STRING,
    },
    "client_key": {
        "label": "Client key",
        "description": "Mutual TLS: path to the PEM private key, or the PEM text",
        "schema": SECRET_STRING,
    },
    "timeout": {
        "label": "Request timeout (s)",
        "description": "Seconds per HTTP request (default 30)",
        "schema": NUMBER,
    },
    "max_retries": {
        "label": "Max retries",
        "description": "Retries of 429/502/503/504 (default 3)",
        "schema": INTEGER,
    },
}

UI_FIELD_BEHAVIOUR: dict[str, Any] = {
    "hidden-fields": ["schema", "port"],
    "relabeling": {"host": "OIC base URL", "login": "OAuth client ID", "password": "OAuth client secret"},
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
