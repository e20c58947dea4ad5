"""The estate read from two emulated OIC 3 instances over HTTP: live versions side by side, the run that
deployed each, drift marks after changes behind the tool's back, an unreachable instance shown as such,
filters, and no secret in the page."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from airflow_provider_oracle_oic.deploy.engine import Deployment
from airflow_provider_oracle_oic.deploy.model.specs import Kind
from airflow_provider_oracle_oic.emulator import EmulatorServer
from airflow_provider_oracle_oic.emulator.builders import IntegrationArchiveSpec, build_iar
from airflow_provider_oracle_oic.estate.model import Instance, build_estate
from airflow_provider_oracle_oic.estate.page import render
from airflow_provider_oracle_oic.estate.reader import EstateReader
from airflow_provider_oracle_oic.oic import OICConfig
from tests.http_api import Api

ORIGIN = {"dag_id": "promote", "dag_run_id": "manual__2026-12-03", "task_id": "deploy", "map_index": "-1"}


@pytest.fixture(scope="module")
def two():
    with EmulatorServer(instances=["test", "prod"]) as server:
        yield server


def _config(server: EmulatorServer, instance: str, root: Path) -> dict[str, Any]:
    return {
        "base_url": server.url,
        "oauth_client_id": server.config.client_id,
        "oauth_client_secret": server.config.client_secret,
        "oauth_token_url": server.token_url,
        "integration_instance": instance,
        "state_path": str(root / "ledger.json"),
        "backup_directory": str(root / "backups"),
        "activation_poll_interval": 0.02,
    }


def _deploy(config: dict[str, Any], version: str, rows: list[list[str]]) -> None:
    archive = base64.b64encode(build_iar(IntegrationArchiveSpec("HELLO", version))).decode()
    deployment = Deployment.from_target_config({**config, "activate_integrations": True}, origin=ORIGIN)
    deployment.add("lookups", {"name": "CODES", "columns": ["a", "b"], "rows": rows})
    deployment.add("integrations", {"code": "HELLO", "version": version, "archive_base64": archive})
    assert deployment.run().ok


def _oic(server: EmulatorServer, instance: str | None, base_url: str | None = None) -> OICConfig:
    return OICConfig(
        base_url=base_url or server.url,
        client_id=server.config.client_id,
        client_secret=server.config.client_secret,
        token_url=server.token_url,
        integration_instance=instance,
        max_retries=0,
        request_timeout=2,
    )


@pytest.fixture
def estate_of(two, tmp_path):
    for name in ("test", "prod"):
        two.reset(name)
    configs = {name: _config(two, name, tmp_path / name) for name in ("test", "prod")}
    _deploy(configs["test"], "01.01.0000", [["1", "one"], ["2", "two"]])
    _deploy(configs["prod"], "01.00.0000", [["1", "one"]])
    instances = [
        Instance(two.url, "test", ("oic_test",)),
        Instance(two.url, "prod", ("oic_prod", "oic_prod_readonly")),
        Instance("http://127.0.0.1:9", None, ("oic_gone",)),
    ]
    oic = {
        "test": _oic(two, "test"),
        "prod": _oic(two, "prod"),
        "http://127.0.0.1:9": _oic(two, None, "http://127.0.0.1:9"),
    }

    def ledger_of(instance: Instance) -> dict[str, object]:
        path = tmp_path / (instance.integration_instance or "none") / "ledger.json"
        return json.loads(path.read_text()) if path.exists() else {}

    def read() -> Any:
        reader = EstateReader(deadline=10, ttl=0)
        return build_estate(instances, reader.read(instances, lambda i: oic[i.key], ledger_of))

    return read


def test_each_instance_shows_its_live_version_status_and_the_run_that_deployed_it(estate_of, two):
    estate = estate_of()
    hello = next(r for r in estate.rows if (r.kind, r.name) == (Kind.INTEGRATION, "HELLO"))
    assert (hello.cells["test"].version, hello.cells["test"].status) == ("01.01.0000", "ACTIVATED")
    assert (hello.cells["prod"].version, hello.cells["prod"].status) == ("01.00.0000", "ACTIVATED")
    assert hello.differs(["test", "prod"]) == {"prod"}
    deployed = hello.cells["prod"].provenance
    assert deployed is not None
    assert (deployed.dag_id, deployed.dag_run_id, deployed.task_id) == (
        "promote",
        "manual__2026-12-03",
        "deploy",
    )
    assert deployed.deployed_at.startswith("20")
    assert {r.name for r in estate.rows if r.kind == Kind.LOOKUP} == {"CODES"}
    assert not any(c.drift for r in estate.rows for c in r.cells.values())
    # The unreachable instance is named as such, never shown as an empty OIC.
    assert estate.states["http://127.0.0.1:9"].error.startswith("cannot be read")
    page = render(estate)
    assert page.count("<td class='unreachable'>unknown</td>") == len(estate.rows)
    assert "/dags/promote/runs/manual__2026-12-03/tasks/deploy" in page
    assert two.config.client_secret not in page


def test_changes_behind_the_tools_back_are_marked_as_drift(estate_of, two):
    estate_of()
    Api(two, "prod").post(
        "/integrations/HELLO%7C01.00.0000",
        json={"status": "CONFIGURED"},
        headers={"X-HTTP-Method-Override": "PATCH"},
    )
    Api(two, "test").call(
        "PUT",
        "/lookups/CODES",
        json={"name": "CODES", "columns": ["a", "b"], "rows": [{"rowData": ["1", "edited"]}]},
    )
    estate = estate_of()
    cells = {(r.kind, r.name): r.cells for r in estate.rows}
    hello, codes = cells[(Kind.INTEGRATION, "HELLO")], cells[(Kind.LOOKUP, "CODES")]
    assert "deactivated in OIC" in (hello["prod"].drift or "")
    assert hello["test"].drift is None
    assert "rows or columns differ" in (codes["test"].drift or "")
    assert codes["prod"].drift is None
    page = render(estate)
    assert page.count("class='drift'") == 2


def test_filters_narrow_rows_by_name_and_columns_by_instance_or_connection(estate_of):
    estate = estate_of()
    by_name = estate.filtered(name="hel")
    assert [r.name for r in by_name.rows] == ["HELLO"]
    by_conn = estate.filtered(instance="readonly")
    assert [i.key for i in by_conn.instances] == ["prod"]
    page = render(by_conn, instance="readonly")
    assert "value='readonly'" in page
    assert "01.01.0000" not in page


def test_oic3_projects_show_their_integrations_and_deployments(two):
    two.reset("prod")
    members = [
        {"code": "ORD_IN", "version": v, "status": "ACTIVATED" if v == "01.01.0000" else "CONFIGURED"}
        for v in ("01.00.0000", "01.01.0000")
    ]
    deployments = [
        {"code": f"REL_{n}", "name": f"Release {n}", "integrations": [{"code": "ORD_IN", "version": v}]}
        for n, v in enumerate(("01.00.0000", "01.01.0000"), start=1)
    ]
    two._control(
        "POST",
        "seed",
        {"projects": [{"id": "HUB", "name": "Hub", "integrations": members, "deployments": deployments}]},
        instance="prod",
    )
    instances = [Instance(two.url, "prod", ("oic_prod",))]
    states = EstateReader(ttl=0).read(instances, lambda i: _oic(two, "prod"), lambda i: {})
    cells = {(r.kind, r.name): r.cells["prod"] for r in build_estate(instances, states).rows}
    assert (
        cells[(Kind.INTEGRATION, "HUB/ORD_IN")].version,
        cells[(Kind.INTEGRATION, "HUB/ORD_IN")].status,
    ) == (
        "01.01.0000",
        "ACTIVATED",
    )
    assert cells[(Kind.PROJECT, "HUB deployment REL_2")].status == "ACTIVATED"
    assert cells[(Kind.PROJECT, "HUB deployment REL_1")].status == "CONFIGURED"
    assert (Kind.PROJECT, "HUB") in cells
