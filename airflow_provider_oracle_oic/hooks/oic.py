"""`OracleOICHook`: an Airflow connection of type `oracle_oic` turned into the OIC client."""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import os
import tempfile
import threading
from collections.abc import Mapping
from functools import cached_property
from typing import Any
from urllib.parse import urlsplit

from airflow.providers.http.hooks.http import HttpHook
from airflow.sdk.log import mask_secret

from ..connection_form import BACKUP_DIRECTORY, CONN_FIELDS, DEFAULT_CONN_ID, UI_FIELD_BEHAVIOUR
from ..oic import OICClient, OICConfig, OICError
from ..oic.settings import client_default, parse_bool


def extra_value(extra: Mapping[str, Any], name: str) -> Any:
    """An extra by its plain name, or by the older `extra__oracle_oic__<name>` form."""
    value = extra.get(name)
    if value in (None, ""):
        value = extra.get(f"extra__oracle_oic__{name}")
    return None if value == "" else value


_PEM_FILES: dict[str, str] = {}
_PEM_LOCK = threading.Lock()


def _remove_pem_files() -> None:
    for path in _PEM_FILES.values():
        with contextlib.suppress(OSError):
            os.unlink(path)


atexit.register(_remove_pem_files)


def _pem_file(value: str | None, suffix: str) -> str | None:
    """A path for requests: the value itself, or a private temp file when the value is PEM text.

    requests only takes certificate paths. The file (mode 0600) is written once per process and content
    (a triggerer that starts many triggers reuses it) and removed when the process exits.
    """
    if not value or "-----BEGIN" not in value:
        return value
    key = hashlib.sha256(value.encode()).hexdigest() + suffix
    with _PEM_LOCK:
        if key not in _PEM_FILES:
            handle, path = tempfile.mkstemp(prefix="oracle-oic-", suffix=suffix)
            with os.fdopen(handle, "w") as out:
                out.write(value)
            _PEM_FILES[key] = path
        return _PEM_FILES[key]


def config_from_connection(conn: Any) -> OICConfig:
    """OIC client settings from an Airflow `Connection` (UI, JSON or URI form); secrets go to the masker."""
    extra = conn.extra_dejson
    host = (conn.host or "").strip()
    if host and "://" not in host:
        host = f"https://{host}"
    if host and conn.port and not urlsplit(host).port:
        host = f"{host.rstrip('/')}:{conn.port}"
    client_key = extra_value(extra, "client_key")
    for secret in (conn.password, client_key):
        if secret:
            mask_secret(secret)
    timeout, retries = extra_value(extra, "timeout"), extra_value(extra, "max_retries")
    return OICConfig(
        base_url=host.rstrip("/"),
        client_id=conn.login or "",
        client_secret=conn.password or "",
        # `token_url` is the field's name before 0.2, kept readable for existing connections.
        token_url=extra_value(extra, "idcs_url") or extra_value(extra, "token_url") or "",
        scope=extra_value(extra, "scope"),
        client_aud=extra_value(extra, "client_aud"),
        integration_instance=extra_value(extra, "integration_instance"),
        request_timeout=float(timeout if timeout is not None else client_default("request_timeout")),
        max_retries=int(retries if retries is not None else client_default("max_retries")),
        verify_ssl=parse_bool(extra_value(extra, "verify_ssl"), "verify_ssl", client_default("verify_ssl")),
        client_cert=_pem_file(extra_value(extra, "client_cert"), ".crt"),
        client_key=_pem_file(client_key, ".key"),
    )


class OracleOICHook(HttpHook):
    """Talks to Oracle Integration Cloud with IDCS OAuth client credentials.

    Host is the OIC base URL, login the OAuth client id, password the client secret; the extras
    (token URL, scope, integration instance, TLS, timeout, retries) come from the connection form.
    """

    conn_name_attr = "oracle_oic_conn_id"
    default_conn_name = DEFAULT_CONN_ID
    conn_type = "oracle_oic"
    hook_name = "Oracle Integration Cloud"

    def __init__(self, oracle_oic_conn_id: str = default_conn_name, **kwargs: Any) -> None:
        super().__init__(method="GET", http_conn_id=oracle_oic_conn_id, **kwargs)
        self.oracle_oic_conn_id = oracle_oic_conn_id

    @classmethod
    def get_connection_form_widgets(cls) -> dict[str, Any]:
        """The extra fields for the Airflow 3.0/3.1 connection form (3.2+ reads `conn-fields`)."""
        try:
            from flask_appbuilder.fieldwidgets import BS3PasswordFieldWidget, BS3TextFieldWidget
            from flask_babel import lazy_gettext
            from wtforms import BooleanField, IntegerField, PasswordField, StringField
        except ImportError:
            return {}
        widgets: dict[str, Any] = {}
        for name, field in CONN_FIELDS.items():
            label, description = lazy_gettext(field["label"]), field["description"]
            kind = field["schema"]["type"][0]
            if field["schema"].get("format") == "password":
                widgets[name] = PasswordField(label, widget=BS3PasswordFieldWidget(), description=description)
            elif kind == "boolean":
                widgets[name] = BooleanField(label, default=True, description=description)
            elif kind == "integer":
                widgets[name] = IntegerField(label, widget=BS3TextFieldWidget(), description=description)
            else:
                widgets[name] = StringField(label, widget=BS3TextFieldWidget(), description=description)
        return widgets

    @classmethod
    def get_ui_field_behaviour(cls) -> dict[str, Any]:
        """Hidden, relabelled and placeholder fields of the connection form."""
        return {
            "hidden_fields": list(UI_FIELD_BEHAVIOUR["hidden-fields"]),
            "relabeling": dict(UI_FIELD_BEHAVIOUR["relabeling"]),
            "placeholders": dict(UI_FIELD_BEHAVIOUR["placeholders"]),
        }

    @cached_property
    def oic_config(self) -> OICConfig:
        """The client settings from the Airflow connection (read once); its secrets go to the masker."""
        return config_from_connection(self.get_connection(self.oracle_oic_conn_id))

    @cached_property
    def backup_directory(self) -> str | None:
        """Where runs against this OIC keep backups: the connection's extra, else `[oracle_oic] backup_directory`."""
        from airflow.configuration import conf

        extra = self.get_connection(self.oracle_oic_conn_id).extra_dejson
        given = extra_value(extra, BACKUP_DIRECTORY) or conf.get(
            "oracle_oic", BACKUP_DIRECTORY, fallback=None
        )
        return (str(given).strip() or None) if given else None

    @cached_property
    def client(self) -> OICClient:
        """The OIC client for this connection (built on first use, never at import or in `__init__`)."""
        return OICClient(self.oic_config, secret_masker=mask_secret)

    def get_conn(self, *_args: Any, **_kwargs: Any) -> OICClient:  # type: ignore[override]
        """The OIC client; unlike `HttpHook`, extras never become HTTP headers."""
        return self.client

    def test_connection(self) -> tuple[bool, str]:
        """Fetch a token and make one cheap read; on failure say what OIC said, never the secret."""
        try:
            config = self.oic_config
            with OICClient(config, secret_masker=mask_secret) as client:
                count = client.integrations.count()
        except (OICError, ValueError) as exc:
            message = str(exc)
            secret = self.get_connection(self.oracle_oic_conn_id).password
            if secret:
                message = message.replace(secret, "***")
            return False, message
        where = f" (instance {config.integration_instance})" if config.integration_instance else ""
        return (
            True,
            f"Connected to {config.base_url}{where} as {config.client_id}; {count} integration(s) visible",
        )
