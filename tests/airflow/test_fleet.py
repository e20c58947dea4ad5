"""Fleet promotion: one release to ten emulated OIC instances in waves (one emulator process), a fault on
one instance stopping the later waves, and the wave and summary logic on its own."""

from __future__ import annotations

import json
from typing import Any

import pytest

from airflow_provider_oracle_oic.emulator import EmulatorServer
from airflow_provider_oracle_oic.operators.fleet import (
    FleetError,
    InstanceOutcome,
    fleet_members,
    fleet_report,
    fleet_summary,
    plan_waves,
)
from tests.airflow.conftest import ERP_SECRET, connection_json, load, task_states, xcom_values
from tests.http_api import Api

INSTANCES = [f"fleet-{n}" for n in range(1, 11)]
CONN_IDS = [f"oic_fleet_{n}" for n in range(1, 11)]


def test_waves_put_the_canary_alone_then_wave_size_at_a_time_and_the_rest_last():
    members = [f"c{n}" for n in range(1, 11)]
    assert plan_waves(members, 3) == {
        "canary": ["c1"],
        "wave_2": ["c2", "c3", "c4"],
        "wave_3": ["c5", "c6", "c7"],
        "wave_4": ["c8", "c9", "c10"],
    }
    assert plan_waves(members, 2)["wave_4"] == ["c6", "c7", "c8", "c9", "c10"]
    assert plan_waves(["only"], 3) == {"canary": ["only"], "wave_2": [], "wave_3": [], "wave_4": []}
    with pytest.raises(FleetError, match="wave_size is 0"):
        plan_waves(members, 0)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (None, "non-empty JSON list"),
        ("not json", "is not JSON"),
        ("[]", "non-empty JSON list"),
        ('["a", 3]', "non-empty JSON list"),
        ('["a", "b", "a"]', "names a more than once"),
    ],
)
def test_a_fleet_variable_that_is_not_a_list_of_connection_ids_is_named(value, message):
    with pytest.raises(FleetError, match=message) as caught:
        fleet_members(value)
    assert "oracle_oic_fleet" in str(caught.value)


def test_the_report_says_which_instance_failed_and_which_never_ran():
    waves = {"canary": ["a"], "wave_2": ["b", "c"], "wave_3": ["d"]}
    results: dict[tuple[str, int], Any] = {
        ("canary", 0): {"ok": True, "run_id": "r-a"},
        ("wave_2", 0): {"ok": True, "run_id": "r-b"},
        ("wave_2", 1): {
            "ok": False,
            "run_id": "r-c",
            "results": [{"artifact": "integration X", "outcome": "failed", "detail": "HTTP 500"}],
            "not_restorable": [],
        },
    }
    reports = fleet_report(waves, lambda wave, index: results.get((wave, index)))
    assert [r.outcome for r in reports] == [
        InstanceOutcome.DEPLOYED,
        InstanceOutcome.DEPLOYED,
        InstanceOutcome.ROLLED_BACK,
        InstanceOutcome.NOT_RUN,
    ]
    text = fleet_summary(reports)
    assert text.splitlines()[0] == "fleet promotion: 2 of 4 instance(s) deployed"
    assert "c  wave_2   failed, rolled back to its pre-run state (run r-c): integration X: HTTP 500" in text
    assert "d  wave_3   not run: an earlier wave failed" in text


@pytest.fixture(scope="module")
def fleet_server():
    with EmulatorServer(instances=INSTANCES) as server:
        yield server


@pytest.fixture
def fleet(fleet_server, examples, monkeypatch):
    """Ten `oracle_oic` connections, one per emulated instance, named in the fleet Variable."""
    for instance in INSTANCES:
        fleet_server.reset(instance)
    for conn_id, instance in zip(CONN_IDS, INSTANCES, strict=True):
        monkeypatch.setenv(
            f"AIRFLOW_CONN_{conn_id.upper()}",
            connection_json(fleet_server, integration_instance=instance, max_retries=0),
        )
    monkeypatch.setenv("AIRFLOW_VAR_ORACLE_OIC_FLEET", json.dumps(CONN_IDS))
    return fleet_server


def _summary(run: Any) -> list[dict[str, Any]] | None:
    value = xcom_values(run).get("summary:return_value")
    return json.loads(value) if isinstance(value, str) else value


def test_the_fleet_example_promotes_to_ten_instances_in_waves(fleet, examples, capfd):
    run = load(examples, "oic_fleet_promotion").test()
    states = task_states(run)
    assert set(states.values()) == {"success"}, states
    for instance in INSTANCES:
        api = Api(fleet, instance)
        assert api.status("ORDERS|01.00.0000") == "ACTIVATED", instance
        assert api.get("/connections/REST_ERP").json()["status"] == "CONFIGURED"
    summary = _summary(run)
    assert [(r["conn_id"], r["outcome"]) for r in summary] == [(c, "DEPLOYED") for c in CONN_IDS]
    assert [r["wave"] for r in summary] == ["canary"] + ["wave_2"] * 3 + ["wave_3"] * 3 + ["wave_4"] * 3
    out, err = capfd.readouterr()
    assert "fleet promotion: 10 of 10 instance(s) deployed" in out + err
    assert ERP_SECRET not in out + err


def test_a_fault_on_instance_7_stops_the_next_wave_and_rolls_that_instance_back(fleet, examples, capfd):
    before = fleet.state("fleet-7")
    # OIC refuses every activation on instance 7, after the connection and lookup have been written.
    fleet.set_faults(
        [{"route": "*/integrations/ORDERS*", "methods": ["POST"], "p500": 1.0}], instance="fleet-7"
    )
    run = load(examples, "oic_fleet_promotion").test()
    states = task_states(run)
    assert states["summary"] == "failed"
    assert states["wave_4"] == "upstream_failed"
    summary_text = capfd.readouterr()
    text = summary_text.out + summary_text.err
    assert "fleet promotion: 6 of 10 instance(s) deployed" in text
    lines = {line.split()[0]: line for line in text.splitlines() if line.strip().startswith("oic_fleet_")}
    assert "failed, rolled back to its pre-run state" in lines["oic_fleet_7"]
    assert "integration ORDERS|01.00.0000" in lines["oic_fleet_7"]
    for conn_id in CONN_IDS[7:]:
        assert "not run: an earlier wave failed" in lines[conn_id]
    for conn_id in CONN_IDS[:6]:
        assert "deployed (run " in lines[conn_id]
    # Instance 7 is exactly as before the run; the later wave's instances were never written to.
    fleet.set_faults([], instance="fleet-7")
    after = fleet.state("fleet-7")
    assert {k: v for k, v in after.items() if k != "activity"} == {
        k: v for k, v in before.items() if k != "activity"
    }
    for instance in INSTANCES[7:]:
        assert fleet.stats(instance)["writes"] == 0
    assert Api(fleet, "fleet-6").status("ORDERS|01.00.0000") == "ACTIVATED"
    assert ERP_SECRET not in text
