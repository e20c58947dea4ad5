"""Activating an OIC 3 project deployment through the engine over HTTP: one journaled run, waited in-run
or paused for the triggerer's verdict; a member that fails to activate rolls the whole run back,
bringing back the deployment it was replacing."""

from __future__ import annotations

import pytest

from airflow_provider_oracle_oic.deploy.engine import Deployment
from airflow_provider_oracle_oic.deploy.strategies.deployment import DeploymentActivation
from airflow_provider_oracle_oic.emulator.builders import (
    IntegrationArchiveSpec,
    ProjectArchiveSpec,
    build_car,
)
from tests.http_api import Api

HUB = "ORDERS-HUB"
V1, V11 = "01.00.0000", "01.01.0000"
CODES = ("ORD_IN", "ORD_OUT", "ORD_SYNC")


@pytest.fixture
def hub(oic_emulator) -> Api:
    """REL_1 and REL_2 (the next minor of each) in a project whose connection is configured."""
    api = Api(oic_emulator)
    members = [IntegrationArchiveSpec(code, v, connections=["REST_ERP"]) for code in CODES for v in (V1, V11)]
    car = build_car(
        ProjectArchiveSpec(
            HUB,
            "Orders hub",
            integrations=members,
            deployments=[
                ("REL_1", "Release 1", [(c, V1) for c in CODES]),
                ("REL_2", "Release 2", [(c, V11) for c in CODES]),
                ("REL_2_OK", "Release 2 without sync", [(c, V11) for c in CODES[:2]]),
            ],
        )
    )
    assert api.upload("POST", "/projects/archive", car, "hub.car").status_code == 200
    api.configure_basic_auth(f"/projects/{HUB}/connections/REST_ERP")
    return api


def statuses(api: Api) -> dict[str, str]:
    return {i["id"]: i["status"] for i in api.get(f"/projects/{HUB}/integrations").json()["items"]}


def active(api: Api) -> set[str]:
    return {ident for ident, status in statuses(api).items() if status == "ACTIVATED"}


def engine(config: dict) -> Deployment:
    return Deployment.from_target_config(config)


def test_a_deployment_goes_live_and_an_unchanged_one_writes_nothing(project_config, hub, oic_emulator):
    first = engine(project_config).activate_deployment(DeploymentActivation(HUB, "REL_1"))
    assert first.ok, first.summary()
    assert active(hub) == {f"{c}|{V1}" for c in CODES}
    oic_emulator.reset_stats()
    again = engine(project_config).activate_deployment(DeploymentActivation(HUB, "REL_1"))
    assert again.ok
    assert again.results == []
    assert oic_emulator.stats()["writes"] == 0


def test_a_member_that_fails_rolls_back_and_brings_the_replaced_release_back(
    project_config, hub, oic_emulator
):
    assert engine(project_config).activate_deployment(DeploymentActivation(HUB, "REL_1")).ok
    sync = f"/ic/api/integration/v1/projects/{HUB}/integrations/ORD_SYNC?01.01.0000"
    oic_emulator.set_faults([{"route": sync, "methods": ["POST", "PATCH"], "p500": 1.0}])
    failed = engine(project_config).activate_deployment(DeploymentActivation(HUB, "REL_2"))
    oic_emulator.set_faults([])
    assert not failed.ok
    [failure] = failed.failures
    assert failure.id == "ORD_SYNC|01.01.0000"
    assert failed.not_restorable == []
    # Exactly as before: REL_1 live again (OIC retired each V1 when its V11 activated), REL_2 down.
    assert active(hub) == {f"{c}|{V1}" for c in CODES}


def test_a_paused_activation_closes_or_rolls_back_on_the_verdict(project_config, hub):
    paused = engine(project_config)
    paused.activations_elsewhere = True
    sent = paused.activate_deployment(DeploymentActivation(HUB, "REL_2_OK"))
    assert sent.ok, sent.summary()
    assert sorted(sent.awaiting) == [f"{c}|{V11}" for c in CODES[:2]]
    closed = engine(project_config).finish_activation(sent.run_id, None)
    assert closed.ok, closed.summary()
    assert closed.undo == []
    down = engine(project_config)
    down.activations_elsewhere = True
    again = down.activate_deployment(DeploymentActivation(HUB, "REL_1"))
    rolled = engine(project_config).finish_activation(again.run_id, "ORD_IN|01.00.0000 failed to activate")
    assert not rolled.ok
    assert rolled.error == "ORD_IN|01.00.0000 failed to activate"
    assert active(hub) == {f"{c}|{V11}" for c in CODES[:2]}


def test_only_a_paused_run_can_be_finished(project_config, hub):
    result = engine(project_config).finish_activation("0123456789ab", None)
    assert [str(i) for i in result.issues] == ["run 0123456789ab: run_id: is not a paused run of this OIC"]


def test_a_missing_deployment_is_named_with_the_ones_that_exist(project_config, hub, oic_emulator):
    oic_emulator.reset_stats()
    result = engine(project_config).activate_deployment(DeploymentActivation(HUB, "NOPE"))
    [issue] = result.issues
    assert issue.message == "does not exist (its deployments: REL_1, REL_2, REL_2_OK)"
    assert oic_emulator.stats()["writes"] == 0
