"""Every setting of the OIC client, declared once (name, type, bounds, default, description, and where an
Airflow `oracle_oic` connection keeps it): the target's and the tap's settings, the connection form and
`meltano.yml` are produced from this list."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

TRUE_WORDS = ("true", "1", "yes", "on")
FALSE_WORDS = ("false", "0", "no", "off")


@dataclass(frozen=True)
class Setting:
    """One setting: its JSON type (`string`, `boolean`, `integer`, `number`, `array`), default and rules."""

    name: str
    type: str
    description: str
    default: Any = None
    required: bool = False
    secret: bool = False
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    # The type of an array's items.
    items: str = "string"
    # Where an `oracle_oic` connection keeps it: a field of the connection (host, login, password) or
    # the name of an extra; and the form's label.
    connection: str | None = None
    label: str = ""


CONNECTION_FIELDS = ("host", "login", "password")

CLIENT_SETTINGS: tuple[Setting, ...] = (
    Setting(
        "base_url",
        "string",
        "OIC URL, https://… (plain http only for 127.0.0.1/localhost)",
        required=True,
        connection="host",
        label="OIC base URL",
    ),
    Setting(
        "oauth_client_id",
        "string",
        "IDCS OAuth client id",
        required=True,
        connection="login",
        label="OAuth client ID",
    ),
    Setting(
        "oauth_client_secret",
        "string",
        "IDCS OAuth client secret",
        required=True,
        secret=True,
        connection="password",
        label="OAuth client secret",
    ),
    # Airflow masks every extra whose name contains "token", "secret", "password"…: the IDCS endpoint is
    # a URL, not a secret, so its extra is named so that users can see which endpoint is configured.
    Setting(
        "oauth_token_url",
        "string",
        "IDCS token endpoint, e.g. https://idcs-<guid>.identity.oraclecloud.com/oauth2/v1/token",
        required=True,
        connection="idcs_url",
        label="IDCS token endpoint",
    ),
    Setting(
        "oauth_scope",
        "string",
        "OAuth scope; default <base_url>:443urn:opc:resource:consumer::all",
        connection="scope",
        label="OAuth scope",
    ),
    Setting(
        "oauth_client_aud",
        "string",
        "Primary audience; builds the scope when given",
        connection="client_aud",
        label="OAuth primary audience",
    ),
    Setting(
        "integration_instance",
        "string",
        "OIC 3 service instance name, sent as integrationInstance on every call (empty for Gen2)",
        connection="integration_instance",
        label="Integration instance",
    ),
    Setting(
        "request_timeout",
        "number",
        "Seconds per HTTP request",
        default=30,
        minimum=0.1,
        connection="timeout",
        label="Request timeout (s)",
    ),
    Setting(
        "max_retries",
        "integer",
        "Retries of 429, 502/503/504 and dropped connections",
        default=3,
        minimum=0,
        connection="max_retries",
        label="Max retries",
    ),
    Setting(
        "verify_ssl",
        "boolean",
        "Verify OIC's TLS certificate",
        default=True,
        connection="verify_ssl",
        label="Verify TLS",
    ),
    Setting(
        "client_cert",
        "string",
        "Mutual TLS: the client certificate's PEM file (in an Airflow connection also the PEM text)",
        connection="client_cert",
        label="Client certificate",
    ),
    Setting(
        "client_key",
        "string",
        "Mutual TLS: the client key's PEM file (in an Airflow connection also the PEM text)",
        secret=True,
        connection="client_key",
        label="Client key",
    ),
)
CLIENT_BY_NAME = {setting.name: setting for setting in CLIENT_SETTINGS}


def client_default(name: str) -> Any:
    """The declared default of a client setting."""
    return CLIENT_BY_NAME[name].default


def parse_bool(value: Any, name: str, default: bool) -> bool:
    """true/false (or the words in TRUE_WORDS / FALSE_WORDS); anything else is an error naming `name`."""
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in TRUE_WORDS or word in FALSE_WORDS:
        return word in TRUE_WORDS
    raise ValueError(f"Setting '{name}' must be true or false, not {value!r}")


def connection_extras() -> Mapping[str, Setting]:
    """The client settings an `oracle_oic` connection keeps as extras, by extra name."""
    return {
        s.connection: s for s in CLIENT_SETTINGS if s.connection and s.connection not in CONNECTION_FIELDS
    }
