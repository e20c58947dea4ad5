"""Each setting is declared once (oic/settings.py, deploy/model/setting_specs.py); the schemas, the connection
form, docs and meltano.yml follow it."""

from __future__ import annotations

import re
import runpy
from pathlib import Path

import yaml

from airflow_provider_oracle_oic.deploy.model.setting_specs import SETTINGS
from airflow_provider_oracle_oic.singer.settings_schema import CONFIG_SCHEMA

ROOT = Path(__file__).resolve().parents[1]
MELTANO_KINDS = runpy.run_path(str(ROOT / "scripts" / "settings_reference.py"))["MELTANO_KINDS"]


def test_every_setting_in_the_schema_is_documented_and_every_documented_setting_is_in_the_schema():
    text = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    documented = re.findall(r"^\| `([a-z_]+)` \|", text, flags=re.MULTILINE)
    assert documented == [s.name for s in SETTINGS]
    assert set(documented) == set(CONFIG_SCHEMA["properties"])
    generated = runpy.run_path(str(ROOT / "scripts" / "settings_reference.py"))["document"]()
    assert text == generated, "docs/settings.md is stale: run `make docs`"


def test_the_schema_carries_each_declared_type_default_and_secret():
    for setting in SETTINGS:
        prop = CONFIG_SCHEMA["properties"][setting.name]
        assert setting.type in str(prop.get("type")), setting.name
        assert prop.get("default") == setting.default, setting.name
        assert bool(prop.get("secret")) == setting.secret, setting.name
    assert CONFIG_SCHEMA["properties"]["request_timeout"]["type"] == ["number", "null"]
    assert sorted(CONFIG_SCHEMA["required"]) == sorted(s.name for s in SETTINGS if s.required)


def test_meltano_yml_declares_the_same_settings():
    project = yaml.safe_load((ROOT / "meltano.yml").read_text())
    loader = next(p for p in project["plugins"]["loaders"] if p["name"] == "target-oracle-oic")
    declared = {s["name"]: s for s in loader["settings"]}
    assert list(declared) == [s.name for s in SETTINGS]
    for setting in SETTINGS:
        entry = declared[setting.name]
        kind = "password" if setting.secret else "options" if setting.choices else MELTANO_KINDS[setting.type]
        assert entry["kind"] == kind, setting.name
        assert entry.get("value") == setting.default, setting.name
        assert entry["description"] == setting.description, setting.name
        assert entry.get("sensitive", False) == setting.secret, setting.name


def test_meltano_yml_is_what_make_docs_writes():
    text = (ROOT / "meltano.yml").read_text(encoding="utf-8")
    generated = runpy.run_path(str(ROOT / "scripts" / "settings_reference.py"))["meltano_yml"](text)
    assert text == generated, "meltano.yml's settings are stale: run `make docs`"


def test_the_client_settings_are_declared_once_for_target_tap_and_connection():
    from airflow_provider_oracle_oic.connection_form import CONN_FIELDS
    from airflow_provider_oracle_oic.oic.settings import CLIENT_SETTINGS
    from airflow_provider_oracle_oic.singer.tap import TAP_SETTINGS

    for setting in CLIENT_SETTINGS:
        assert CONFIG_SCHEMA["properties"][setting.name] == TAP_SETTINGS["properties"][setting.name]
        if setting.connection not in ("host", "login", "password"):
            field = CONN_FIELDS[setting.connection]
            assert setting.type in field["schema"]["type"], setting.name
            assert field["description"].startswith(setting.description), setting.name
    assert TAP_SETTINGS["properties"]["request_timeout"]["type"] == ["number", "null"]
