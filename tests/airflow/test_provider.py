"""Provider discovery, the connection form, and the hook against the emulator."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from urllib.parse import quote

from tests.airflow.conftest import connection_json

PROVIDER_MODULES = [
    "airflow_provider_oracle_oic",
    "airflow_provider_oracle_oic.hooks.oic",
    "airflow_provider_oracle_oic.operators.singer_to_oic",
    "airflow_provider_oracle_oic.operators.activate",
    "airflow_provider_oracle_oic.sensors.activation",
    "airflow_provider_oracle_oic.triggers.activation",
    "airflow_provider_oracle_oic.links",
]


def test_providers_manager_discovers_hook_connection_type_and_form(airflow_db):
    from airflow.providers_manager import ProvidersManager

    manager = ProvidersManager()
    assert "airflow-provider-oracle-oic" in manager.providers
    hook = manager.hooks["oracle_oic"]
    assert hook.hook_class_name == "airflow_provider_oracle_oic.hooks.oic.OracleOICHook"
    assert hook.hook_name == "Oracle Integration Cloud"
    assert hook.connection_testable is True
    behaviour = manager.field_behaviours["oracle_oic"]
    assert set(behaviour["hidden_fields"]) == {"schema", "port"}
    assert behaviour["relabeling"]["password"] == "OAuth client secret"
    widgets = {k for k in manager.connection_form_widgets if k.startswith("extra__oracle_oic__")}
    assert widgets == {
        f"extra__oracle_oic__{name}"
        for name in (
            "idcs_url",
            "scope",
            "client_aud",
            "integration_instance",
            "verify_ssl",
            "client_cert",
            "client_key",
            "timeout",
            "max_retries",
            "backup_directory",
        )
    }
    # The provider's [oracle_oic] section is declared, so `airflow config list` shows it.
    from airflow.configuration import conf

    assert "backup_directory" in conf.configuration_description["oracle_oic"]["options"]
    assert "airflow_provider_oracle_oic.links.OICConsoleLink" in manager.extra_links_class_names


def test_connection_ui_metadata_marks_the_client_key_secret(airflow_db):
    from airflow_provider_oracle_oic import get_provider_info

    [conn_type] = get_provider_info()["connection-types"]
    assert conn_type["connection-type"] == "oracle_oic"
    assert conn_type["conn-fields"]["client_key"]["schema"]["format"] == "password"
    assert conn_type["ui-field-behaviour"]["placeholders"]["host"].startswith("https://")


def test_airflow_cli_lists_the_provider_and_hook(airflow_db):
    airflow = [sys.executable, "-m", "airflow"]
    providers = subprocess.run([*airflow, "providers", "list"], capture_output=True, text=True, timeout=120)
    assert "airflow-provider-oracle-oic" in providers.stdout
    hooks = subprocess.run([*airflow, "providers", "hooks"], capture_output=True, text=True, timeout=120)
    assert "oracle_oic" in hooks.stdout
    assert "OracleOICHook" in hooks.stdout


def test_hook_test_connection_succeeds(oic_connection):
    from airflow_provider_oracle_oic.hooks.oic import OracleOICHook

    ok, message = OracleOICHook().test_connection()
    assert ok, message
    assert oic_connection.url in message


def test_hook_wrong_secret_is_clear_and_hides_the_secret(oic_emulator, monkeypatch):
    from airflow_provider_oracle_oic.hooks.oic import OracleOICHook

    conn = json.loads(connection_json(oic_emulator))
    conn["password"] = "definitely-wrong-secret"
    monkeypatch.setenv("AIRFLOW_CONN_BAD_SECRET", json.dumps(conn))
    ok, message = OracleOICHook("bad_secret").test_connection()
    assert not ok
    assert "refused the client credentials" in message
    assert "definitely-wrong-secret" not in message


def test_hook_unreachable_host_is_clear(monkeypatch):
    from airflow_provider_oracle_oic.hooks.oic import OracleOICHook

    monkeypatch.setenv(
        "AIRFLOW_CONN_NOWHERE",
        json.dumps(
            {
                "conn_type": "oracle_oic",
                "host": "http://127.0.0.1:9",
                "login": "id",
                "password": "pw",
                "extra": {"token_url": "http://127.0.0.1:9/oauth2/v1/token", "max_retries": 0},
            }
        ),
    )
    ok, message = OracleOICHook("nowhere").test_connection()
    assert not ok
    assert "unreachable" in message


def test_hook_reads_the_uri_form_and_legacy_extras(oic_emulator, monkeypatch):
    from airflow_provider_oracle_oic.hooks.oic import OracleOICHook

    host = oic_emulator.url.replace("http://", "")
    uri = (
        f"oracle-oic://{quote(oic_emulator.config.client_id)}:{quote(oic_emulator.config.client_secret)}@{host}"
        f"?extra__oracle_oic__token_url={quote(oic_emulator.token_url, safe='')}&integration_instance=dev"
        "&verify_ssl=false&timeout=12&max_retries=5"
    )
    monkeypatch.setenv("AIRFLOW_CONN_FROM_URI", uri)
    config = OracleOICHook("from_uri").oic_config
    assert config.base_url == f"https://{host}"
    assert config.token_url == oic_emulator.token_url
    assert (config.integration_instance, config.verify_ssl, config.request_timeout, config.max_retries) == (
        "dev",
        False,
        12.0,
        5,
    )
    assert config.client_secret == oic_emulator.config.client_secret


def test_hook_get_conn_is_the_client_and_extras_are_not_headers(oic_connection):
    from airflow_provider_oracle_oic.hooks.oic import OracleOICHook
    from airflow_provider_oracle_oic.oic import OICClient

    client = OracleOICHook().get_conn()
    assert isinstance(client, OICClient)
    assert "token_url" not in client.transport.session.headers
    assert client.integrations.count() == 0


def test_importing_the_provider_modules_does_no_network_io():
    code = (
        "import importlib, socket, sys\n"
        "def refuse(*args, **kwargs):\n"
        "    raise AssertionError('network I/O at import time')\n"
        "socket.socket.connect = refuse\n"
        "socket.create_connection = refuse\n"
        "socket.getaddrinfo = refuse\n"
        "for module in sys.argv[1:]:\n"
        "    importlib.import_module(module)\n"
        "    print('imported', module)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, *PROVIDER_MODULES], capture_output=True, text=True, timeout=180
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.splitlines() == [f"imported {module}" for module in PROVIDER_MODULES]


def test_no_form_field_is_masked_unless_it_is_a_secret():
    """Airflow hides every extra whose name looks secret; only the client key should be hidden."""
    from airflow.sdk.execution_time.secrets_masker import should_hide_value_for_key

    from airflow_provider_oracle_oic.connection_form import CONN_FIELDS

    hidden = {name for name in CONN_FIELDS if should_hide_value_for_key(name)}
    secret = {name for name, field in CONN_FIELDS.items() if field["schema"].get("format") == "password"}
    assert hidden <= secret
    assert "idcs_url" in CONN_FIELDS
    assert CONN_FIELDS["verify_ssl"]["schema"]["default"] is True


def test_pem_text_becomes_one_private_file_per_process_removed_at_exit(tmp_path):
    """requests takes only paths: PEM text from the form is written once (0600) and deleted on exit."""
    import subprocess
    import sys

    code = """
import os, stat, types
from airflow_provider_oracle_oic.hooks.oic import config_from_connection
key = "-----BEGIN PRIVATE KEY-----\\nMIIB\\n-----END PRIVATE KEY-----\\n"
conn = types.SimpleNamespace(host="https://oic.example.com", port=None, login="id", password="pw",
    extra_dejson={"idcs_url": "https://idcs.example.com/t", "client_cert": key.replace("PRIVATE KEY", "CERTIFICATE"), "client_key": key})
first, second = config_from_connection(conn), config_from_connection(conn)
assert first.client_key == second.client_key
assert stat.S_IMODE(os.stat(first.client_key).st_mode) == 0o600
print("PATHS", first.client_key, first.client_cert)
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    [line] = [line for line in done.stdout.splitlines() if line.startswith("PATHS ")]
    paths = line.split()[1:]
    assert len(paths) == 2
    assert not any(os.path.exists(p) for p in paths)
