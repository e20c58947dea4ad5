"""OIC 3 projects in Airflow: the deployment operator (deferrable and not), project_id on the activation
operator and sensor, and the deployment trigger, on real Airflow against the emulator."""

from __future__ import annotations

import asyncio
import time

import pytest

from airflow_provider_oracle_oic.emulator import EmulatorServer
from airflow_provider_oracle_oic.emulator.builders import (
    IntegrationArchiveSpec,
    ProjectArchiveSpec,
    build_car,
)
from airflow_provider_oracle_oic.triggers.deployment import ProjectDeploymentTrigger
from tests.airflow.conftest import connection_json, task_states, xcom_values
from tests.airflow.test_operators import _value, assert_no_secret, secrets_of
from tests.http_api import Api

HUB = "ORDERS-HUB"
V1, V11 = "01.00.0000", "01.01.0000"
CODES = ("ORD_IN", "ORD_OUT", "ORD_SYNC")
IMPORTS = """
from airflow_provider_oracle_oic.operators.activate import ActivateIntegrationOperator
from airflow_provider_oracle_oic.operators.deployment import ActivateProjectDeploymentOperator
from airflow_provider_oracle_oic.operators.drift import CheckDriftOperator
from airflow_provider_oracle_oic.sensors.activation import IntegrationActivationSensor
"""


def seed_project(api: Api, configured: bool = True) -> None:
    car = build_car(
        ProjectArchiveSpec(
            HUB,
            "Orders hub",
            integrations=[
                IntegrationArchiveSpec(code, v, connections=["REST_ERP"]) for code in CODES for v in (V1, V11)
            ],
            deployments=[
                ("REL_1", "Release 1", [(c, V1) for c in CODES]),
                ("REL_2", "Release 2", [(c, V11) for c in CODES]),
            ],
        )
    )
    assert api.upload("POST", "/projects/archive", car, "hub.car").status_code == 200
    if configured:
        api.configure_basic_auth(f"/projects/{HUB}/connections/REST_ERP")


def project_statuses(api: Api) -> dict[str, str]:
    return {i["id"]: i["status"] for i in api.get(f"/projects/{HUB}/integrations").json()["items"]}


@pytest.fixture
def slow_project(monkeypatch, airflow_db):
    """An OIC 3 emulator whose activations take 1 s, with the project seeded and its connection configured."""
    with EmulatorServer(EmulatorServer().with_config(activation_delay=1.0)) as server:
        monkeypatch.setenv(
            "AIRFLOW_CONN_ORACLE_OIC_DEFAULT", connection_json(server, integration_instance="oic3")
        )
        seed_project(Api(server))
        yield server


@pytest.mark.smoke
@pytest.mark.parametrize("deferrable", [True, False])
def test_deployment_goes_live_together_then_the_next_one_replaces_it(
    dag_runner, slow_project, deferrable, capfd
):
    api = Api(slow_project)
    body = (
        IMPORTS
        + f"""
first = ActivateProjectDeploymentOperator(task_id="first", project_id="{HUB}", deployment="REL_1",
                                          deferrable={deferrable}, poll_interval=0.1, timeout=30)
second = ActivateProjectDeploymentOperator(task_id="second", project_id="{HUB}", deployment="REL_2",
                                           deferrable={deferrable}, poll_interval=0.1, timeout=30)
again = ActivateProjectDeploymentOperator(task_id="again", project_id="{HUB}", deployment="REL_2",
                                          deferrable={deferrable}, poll_interval=0.1, timeout=30)
# What the activations left in the ledger is what OIC holds: no drift (a paused run records it on resume).
drift = CheckDriftOperator(task_id="drift")
first >> second >> again >> drift
"""
    )
    started = time.monotonic()
    run = dag_runner.run(body)
    took = time.monotonic() - started
    assert task_states(run) == {
        "first": "success",
        "second": "success",
        "again": "success",
        "drift": "success",
    }
    values = xcom_values(run)
    first = _value(values["first:return_value"])
    assert first["integrations"] == {f"{c}|{V1}": "ACTIVATED" for c in CODES}
    assert sorted(first["changed"]) == sorted(f"{c}|{V1}" for c in CODES)
    assert _value(values["again:return_value"])["changed"] == []
    statuses = project_statuses(api)
    assert {k for k, v in statuses.items() if v == "ACTIVATED"} == {f"{c}|{V11}" for c in CODES}
    # Three activations of 1 s each, twice: together they take about 2 s, one by one 6 s.
    assert took < 30
    out, err = capfd.readouterr()
    assert_no_secret(secrets_of(slow_project), out, err)


def test_deactivate_and_a_missing_deployment(dag_runner, slow_project, capfd):
    api = Api(slow_project)
    for code in CODES:
        api.set_status(f"{code}|{V1}", "ACTIVATED", project=HUB)
    body = (
        IMPORTS
        + f"""
down = ActivateProjectDeploymentOperator(task_id="down", project_id="{HUB}", deployment="REL_1",
                                         action="deactivate", poll_interval=0.1, timeout=30)
missing = ActivateProjectDeploymentOperator(task_id="missing", project_id="{HUB}", deployment="NOPE",
                                            poll_interval=0.1, timeout=30)
"""
    )
    run = dag_runner.run(body)
    assert task_states(run) == {"down": "success", "missing": "failed"}
    assert set(project_statuses(api).values()) == {"CONFIGURED"}
    out, err = capfd.readouterr()
    assert f"The deployment NOPE of project {HUB} does not exist (its deployments: " in out + err


@pytest.mark.parametrize("deferrable", [True, False])
def test_a_failed_activation_fails_the_task_with_oics_errors(
    dag_runner, monkeypatch, airflow_db, deferrable, capfd
):
    with EmulatorServer() as server:
        monkeypatch.setenv(
            "AIRFLOW_CONN_ORACLE_OIC_DEFAULT", connection_json(server, integration_instance="oic3")
        )
        seed_project(Api(server), configured=False)
        body = (
            IMPORTS
            + f"""
go = ActivateProjectDeploymentOperator(task_id="go", project_id="{HUB}", deployment="REL_1",
                                       deferrable={deferrable}, poll_interval=0.05, timeout=20)
"""
        )
        run = dag_runner.run(body)
        # The engine rolled the run back: nothing of REL_1 is left ACTIVATED or half-way.
        statuses = project_statuses(Api(server))
    assert task_states(run) == {"go": "failed"}
    assert "ACTIVATED" not in {statuses[f"{c}|{V1}"] for c in CODES}
    out, err = capfd.readouterr()
    assert "failed to activate" in out + err
    assert "REST_ERP" in out + err
    assert "rolled back" in (out + err).lower()


def test_project_id_on_the_activation_operator_and_sensor(dag_runner, slow_project):
    api = Api(slow_project)
    body = (
        IMPORTS
        + f"""
start = ActivateIntegrationOperator(task_id="start", project_id="{HUB}", integration_id="ORD_IN|{V1}",
                                    wait_for_completion=False)
wait = IntegrationActivationSensor(task_id="wait", project_id="{HUB}", integration_id="ORD_IN|{V1}",
                                   deferrable=True, poke_interval=0.1, timeout=30)
global_one = ActivateIntegrationOperator(task_id="global_one", integration_id="ORD_IN|{V1}", missing_ok=True,
                                         action="deactivate")
start >> wait >> global_one
"""
    )
    run = dag_runner.run(body)
    assert task_states(run) == {"start": "success", "wait": "success", "global_one": "success"}
    assert project_statuses(api)[f"ORD_IN|{V1}"] == "ACTIVATED"
    assert _value(xcom_values(run)["global_one:return_value"])["status"] == "ABSENT"


def test_deployment_trigger_serializes_and_reports_progress(slow_project):
    api = Api(slow_project)
    idents = [f"{c}|{V1}" for c in CODES]
    trigger = ProjectDeploymentTrigger(
        "oracle_oic_default", HUB, "REL_1", idents, "ACTIVATED", 0.05, time.time() + 20, idents
    )
    path, kwargs = trigger.serialize()
    module, _, name = path.rpartition(".")
    again = getattr(__import__(module, fromlist=[name]), name)(**kwargs)
    assert again.serialize() == (path, kwargs)
    for ident in idents:
        api.set_status(ident, "ACTIVATED", project=HUB)

    async def collect() -> dict:
        async for event in again.run():
            return event.payload
        raise AssertionError("no event")

    payload = asyncio.run(asyncio.wait_for(collect(), 20))
    assert payload["status"] == "success"
    assert payload["integrations"] == dict.fromkeys(idents, "ACTIVATED")
    assert payload["changed"] == idents
