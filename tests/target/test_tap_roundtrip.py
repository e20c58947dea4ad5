"""OIC-to-OIC promotion: `tap-oracle-oic | target-oracle-oic` between two emulators."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from airflow_provider_oracle_oic.emulator import EmulatorServer
from airflow_provider_oracle_oic.emulator.builders import (
    IntegrationArchiveSpec,
    ProjectArchiveSpec,
    build_car,
    build_jar_library,
    build_par,
)
from airflow_provider_oracle_oic.singer.tap import placeholder
from tests.http_api import Api

BIN = Path(sys.executable).parent


def settings(server: EmulatorServer, **extra) -> dict:
    return {
        "base_url": server.url,
        "oauth_client_id": server.config.client_id,
        "oauth_client_secret": server.config.client_secret,
        "oauth_token_url": server.token_url,
        **extra,
    }


def pipeline(
    tap_config: Path, target_config: Path, env: dict[str, str], tap: str = "tap-oracle-oic"
) -> tuple[int, str, subprocess.CompletedProcess[str]]:
    """`TAP --config A | target-oracle-oic --config B`: the tap's exit code and stderr, and the target's run."""
    with tempfile.TemporaryFile() as tap_stderr:
        tap = subprocess.Popen(
            [str(BIN / tap), "--config", str(tap_config)],
            stdout=subprocess.PIPE,
            stderr=tap_stderr,
            env=env,
        )
        done = subprocess.run(
            [str(BIN / "target-oracle-oic"), "--config", str(target_config)],
            stdin=tap.stdout,
            capture_output=True,
            text=True,
            env=env,
            timeout=300,
        )
        code = tap.wait(timeout=60)
        tap_stderr.seek(0)
        return code, tap_stderr.read().decode(errors="replace"), done


@pytest.fixture
def source_and_target():
    with EmulatorServer() as source, EmulatorServer() as target:
        api = Api(source)
        api.import_iar("ORDERS", "01.00.0000", connections=["REST_ERP"], payload=b"orders")
        api.configure_connection("REST_ERP", url="https://erp.example")
        api.set_status("ORDERS|01.00.0000", "ACTIVATED")
        api.import_iar("DRAFT", "01.00.0000")
        api.upload(
            "POST",
            "/packages/archive",
            build_par([IntegrationArchiveSpec("PKG_A", "01.00.0000")]),
            "com.example.pkg.par",
        )
        api.post("/lookups", json={"name": "CODES", "columns": ["a", "b"], "rows": [{"rowData": ["1", "2"]}]})
        api.upload(
            "POST",
            "/libraries/archive",
            build_jar_library(),
            "util.jar",
            code="UTIL",
            version="01.00.0000",
            type="API",
            name="Util",
        )
        yield source, target


@pytest.mark.parametrize("with_files", [False, True])
def test_tap_into_target_promotes_everything(source_and_target, tmp_path, with_files):
    source, target = source_and_target
    archive_dir = tmp_path / "archives"
    archive_dir.mkdir()
    tap_config = tmp_path / "tap.json"
    tap_config.write_text(
        json.dumps(settings(source, **({"archive_directory": str(archive_dir)} if with_files else {})))
    )
    target_config = tmp_path / "target.json"
    target_config.write_text(
        json.dumps(
            settings(
                target,
                archive_directory=str(archive_dir),
                state_path=str(tmp_path / "ledger.json"),
                activation_poll_interval=0.05,
            )
        )
    )
    env = {**os.environ, placeholder("REST_ERP", "password").strip("${}"): "promoted-password"}
    tap_code, tap_err, done = pipeline(tap_config, target_config, env)
    assert tap_code == 0, tap_err[-2000:]
    assert done.returncode == 0, done.stderr[-3000:]
    state = target.state()
    integrations = {f"{i['code']}|{i['version']}": i for i in state["integrations"]}
    assert integrations["ORDERS|01.00.0000"]["status"] == "ACTIVATED"
    assert integrations["DRAFT|01.00.0000"]["status"] == "CONFIGURED"
    assert integrations["PKG_A|01.00.0000"]["package"] == "com.example.pkg"
    source_archives = {
        f"{i['code']}|{i['version']}": i["archive_sha256"] for i in source.state()["integrations"]
    }
    assert integrations["ORDERS|01.00.0000"]["archive_sha256"] == source_archives["ORDERS|01.00.0000"]
    conn = {c["id"]: c for c in state["connections"]}["REST_ERP"]
    assert conn["status"] == "CONFIGURED"
    assert [lk["rows"] for lk in state["lookups"]] == [[["1", "2"]]]
    assert [lib["code"] for lib in state["libraries"]] == ["UTIL"]
    assert "promoted-password" not in done.stderr


def test_withheld_secret_without_a_value_stops_the_promotion(source_and_target, tmp_path):
    source, target = source_and_target
    tap_config = tmp_path / "tap.json"
    tap_config.write_text(json.dumps(settings(source, integrations_query="{code:'ORDERS'}")))
    target_config = tmp_path / "target.json"
    target_config.write_text(json.dumps(settings(target)))
    env = {k: v for k, v in os.environ.items() if not k.startswith("REST_ERP_")}
    _tap_code, _tap_err, done = pipeline(tap_config, target_config, env)
    assert done.returncode == 2
    assert (
        "connection REST_ERP: securityProperties.password: placeholder ${REST_ERP_PASSWORD} is not set"
        in done.stderr
    )
    assert target.stats()["writes"] == 0


def test_placeholder_names():
    assert placeholder("REST_ERP", "password") == "${REST_ERP_PASSWORD}"
    assert placeholder("my-conn", "client.secret") == "${MY_CONN_CLIENT_SECRET}"
    assert shutil.which("tap-oracle-oic", path=str(BIN))


def test_an_oic3_project_round_trips_with_its_live_deployment(tmp_path):
    specs = [
        IntegrationArchiveSpec(code, version, connections=["REST_ERP"], payload=f"{code}{version}".encode())
        for code in ("ORD_IN", "ORD_OUT", "ORD_SYNC")
        for version in ("01.00.0000", "01.01.0000")
    ]
    car = build_car(
        ProjectArchiveSpec(
            "ORDERS-HUB",
            "Orders hub",
            integrations=specs,
            lookups={"COUNTRIES": (["iso2", "name"], [["NL", "Netherlands"]])},
            deployments=[
                ("REL_1", "Release 1", [(c, "01.00.0000") for c in ("ORD_IN", "ORD_OUT", "ORD_SYNC")]),
                ("REL_2", "Release 2", [(c, "01.01.0000") for c in ("ORD_IN", "ORD_OUT", "ORD_SYNC")]),
            ],
        )
    )
    with EmulatorServer() as source, EmulatorServer() as target:
        api = Api(source)
        assert api.upload("POST", "/projects/archive", car, "hub.car").status_code == 200
        api.patch(
            "/projects/ORDERS-HUB/connections/REST_ERP",
            {
                "connectionProperties": [{"propertyName": "connectionUrl", "propertyValue": "https://erp"}],
                "securityPolicy": "BASIC_AUTH",
                "securityProperties": [
                    {"propertyName": "username", "propertyValue": "svc"},
                    {"propertyName": "password", "propertyValue": "source-only"},
                ],
            },
        )
        assert api.post("/projects/ORDERS-HUB/connections/REST_ERP/test").status_code == 200
        for code in ("ORD_IN", "ORD_OUT", "ORD_SYNC"):
            api.set_status(f"{code}|01.01.0000", "ACTIVATED", project="ORDERS-HUB")
        tap_config = tmp_path / "tap.json"
        tap_config.write_text(json.dumps(settings(source, integration_instance="oic3-src")))
        target_config = tmp_path / "target.json"
        target_config.write_text(
            json.dumps(
                settings(
                    target,
                    integration_instance="oic3-dst",
                    state_path=str(tmp_path / "ledger.json"),
                    activation_poll_interval=0.05,
                )
            )
        )
        env = {**os.environ, "ORDERS_HUB_REST_ERP_PASSWORD": "promoted-project-password"}
        tap_code, tap_err, done = pipeline(tap_config, target_config, env)
        assert tap_code == 0, tap_err[-2000:]
        assert done.returncode == 0, done.stderr[-3000:]
        (there,) = target.state()["projects"]
        (here,) = source.state()["projects"]

        def versions(project):
            return {
                f"{i['code']}|{i['version']}": (i["archive_sha256"], i["status"])
                for i in project["integrations"]
            }

        def deployments(project):
            return {
                d["code"]: sorted((i["code"], i["version"]) for i in d["integrations"])
                for d in project["deployments"]
            }

        assert versions(there) == versions(here)
        assert deployments(there) == deployments(here)
        assert {i["status"] for i in there["integrations"] if i["version"] == "01.01.0000"} == {"ACTIVATED"}
        assert there["connections"][0]["status"] == "CONFIGURED"
        assert "promoted-project-password" not in done.stderr
