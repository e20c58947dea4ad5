"""meltano.yml declares the loader with every setting of the target, secrets marked sensitive."""

from __future__ import annotations

from pathlib import Path

import yaml

from airflow_provider_oracle_oic.singer.settings_schema import CONFIG_SCHEMA
from airflow_provider_oracle_oic.singer.tap import TAP_SETTINGS

ROOT = Path(__file__).resolve().parents[2]


def test_meltano_loader_matches_the_target_settings():
    project = yaml.safe_load((ROOT / "meltano.yml").read_text())
    loaders = {p["name"]: p for p in project["plugins"]["loaders"]}
    loader = loaders["target-oracle-oic"]
    assert loaders["target-oracle-oic--release"]["inherit_from"] == "target-oracle-oic"
    assert loader["executable"] == "target-oracle-oic"
    assert set(loader["capabilities"]) == {"about", "stream-maps", "structured-logging"}
    settings = {s["name"]: s for s in loader["settings"]}
    assert set(settings) == set(CONFIG_SCHEMA["properties"])
    for name, prop in CONFIG_SCHEMA["properties"].items():
        assert settings[name].get("sensitive", False) == bool(prop.get("secret")), name
    assert settings["oauth_client_secret"]["sensitive"] is True
    assert settings["oauth_client_secret"]["kind"] == "password"
    assert loader["settings_group_validation"] == [CONFIG_SCHEMA["required"]]
    # Without a ledger every re-run would import the archives again.
    assert loader["config"]["state_path"].startswith("$MELTANO_PROJECT_ROOT/")


def test_meltano_extractor_matches_the_tap_settings():
    project = yaml.safe_load((ROOT / "meltano.yml").read_text())
    extractors = {p["name"]: p for p in project["plugins"]["extractors"]}
    extractor = extractors["tap-oracle-oic"]
    assert extractor["executable"] == "tap-oracle-oic"
    release = extractors["tap-oic-release"]
    assert [s["name"] for s in release["settings"]] == ["release_dir"]
    settings = {s["name"]: s for s in extractor["settings"]}
    assert set(settings) == set(TAP_SETTINGS["properties"])
    for name, prop in TAP_SETTINGS["properties"].items():
        assert settings[name].get("sensitive", False) == bool(prop.get("secret")), name


def test_every_meltano_setting_has_a_label_kind_and_description():
    project = yaml.safe_load((ROOT / "meltano.yml").read_text())
    plugins = [*project["plugins"]["extractors"], *project["plugins"]["loaders"]]
    for plugin in plugins:
        for setting in plugin.get("settings", []):
            assert {"label", "kind", "description"} <= set(setting), (plugin["name"], setting["name"])
