"""CanaryPromoteOperator in a DAG, with the emulator's traffic simulator feeding monitoring."""

from __future__ import annotations

import re

import pytest

from tests.airflow.conftest import task_states, xcom_values
from tests.airflow.test_operators import JOURNALS, _value, journal_variable
from tests.http_api import Api
from tests.http_api import traffic as shared_traffic

IMPORT = "from airflow_provider_oracle_oic.operators.canary import CanaryPromoteOperator\n"


def traffic(server, canary_error_rate: float):
    return shared_traffic(server, {"01.00.0000": 0.01, "02.00.0000": canary_error_rate})


@pytest.fixture
def two_versions(oic_connection):
    api = Api(oic_connection)
    api.import_iar("ORDERS", "01.00.0000")
    api.import_iar("ORDERS", "02.00.0000")
    api.set_status("ORDERS|01.00.0000", "ACTIVATED")
    api.post(
        "/lookups",
        json={
            "name": "ORDERS_ROUTING",
            "columns": ["version", "weight"],
            "rows": [{"rowData": ["01.00.0000", "100"]}],
        },
    )
    return api


def canary(deferrable: bool) -> str:
    return (
        IMPORT
        + f"""
canary = CanaryPromoteOperator(task_id="canary", code="ORDERS", stable_version="01.00.0000",
                               canary_version="02.00.0000", routing_lookup="ORDERS_ROUTING", steps=[10, 50, 100],
                               observe_seconds=0.6, poll_interval=0.1, max_error_rate=0.05, min_messages=10,
                               deferrable={deferrable})
"""
    )


@pytest.fixture
def observations(monkeypatch) -> list[int]:
    """The weights of the steps observed by a trigger (dag.test runs each trigger in this process)."""
    from airflow_provider_oracle_oic.triggers.canary import CanaryObservationTrigger

    seen: list[int] = []
    original = CanaryObservationTrigger.run

    def run(self):
        seen.append(self.weight)
        return original(self)

    monkeypatch.setattr(CanaryObservationTrigger, "run", run)
    return seen


@pytest.mark.parametrize("deferrable", [True, False])
def test_healthy_canary_is_promoted(dag_runner, oic_connection, two_versions, deferrable, observations):
    with traffic(oic_connection, canary_error_rate=0.0):
        run = dag_runner.run(canary(deferrable))
    assert task_states(run) == {"canary": "success"}
    api = two_versions
    assert api.status("ORDERS|02.00.0000") == "ACTIVATED"
    assert api.status("ORDERS|01.00.0000") == "CONFIGURED"
    rows = api.get("/lookups/ORDERS_ROUTING").json()["rows"]
    assert [r["rowData"] for r in rows] == [["01.00.0000", "0"], ["02.00.0000", "100"]]
    report = xcom_values(run)["canary:return_value"]
    report = __import__("json").loads(report) if isinstance(report, str) else report
    assert [step["weight"] for step in report["steps"]] == [10, 50, 100]
    assert all(step["processed"] >= 10 for step in report["steps"])
    # Deferrable: each of the three observations ran in a trigger, with no worker held between steps.
    assert observations == ([10, 50, 100] if deferrable else [])


@pytest.mark.parametrize("deferrable", [True, False])
def test_failing_canary_is_rolled_back(
    dag_runner, oic_connection, two_versions, capfd, deferrable, observations
):
    with traffic(oic_connection, canary_error_rate=0.6):
        run = dag_runner.run(canary(deferrable))
    assert task_states(run) == {"canary": "failed"}
    api = two_versions
    assert api.status("ORDERS|01.00.0000") == "ACTIVATED"
    assert api.status("ORDERS|02.00.0000") == "CONFIGURED"
    # Exactly as before the run: the routing lookup's one row, not a 100/0 split.
    rows = api.get("/lookups/ORDERS_ROUTING").json()["rows"]
    assert [r["rowData"] for r in rows] == [["01.00.0000", "100"]]
    out, err = capfd.readouterr()
    assert "at 10% traffic: error rate" in out + err
    assert "Rolled back" in out + err
    assert observations == ([10] if deferrable else [])
    # The engine rolled back from its journal, which names every undo (and, deferred, the pause between).
    [run_id] = set(re.findall(r"failed \(run ([0-9a-f]+)\)", out + err))
    events = journal_variable(JOURNALS)[run_id]
    undone = [e["undo"]["description"] for e in events if e["event"] == "intent"]
    assert undone == ["deactivate integration ORDERS|02.00.0000", "restore lookup ORDERS_ROUTING (1 rows)"]
    assert [e["ok"] for e in events if e["event"] == "rollback"] == [True, True]
    assert events[-1]["status"] == "rolled_back"
    assert ("paused" in [e.get("status") for e in events]) == deferrable


@pytest.mark.smoke
def test_a_promotion_is_restored_by_its_run_id(dag_runner, oic_connection, two_versions):
    body = (
        canary(True)
        + """
from airflow_provider_oracle_oic.operators.restore import RestoreRunOperator
restore = RestoreRunOperator(task_id="restore", run_id="{{ ti.xcom_pull(task_ids='canary')['run_id'] }}")
canary >> restore
"""
    )
    with traffic(oic_connection, canary_error_rate=0.0):
        run = dag_runner.run(body)
    assert task_states(run) == {"canary": "success", "restore": "success"}
    api = two_versions
    assert api.status("ORDERS|01.00.0000") == "ACTIVATED"
    assert api.status("ORDERS|02.00.0000") == "CONFIGURED"
    rows = api.get("/lookups/ORDERS_ROUTING").json()["rows"]
    assert [r["rowData"] for r in rows] == [["01.00.0000", "100"]]
    restored = _value(xcom_values(run)["restore:return_value"])
    assert restored["not_restorable"] == []
    assert {r["outcome"] for r in restored["results"]} == {"applied"}


def test_same_major_canary_is_refused(dag_runner, oic_connection, two_versions, capfd):
    body = (
        IMPORT
        + """
canary = CanaryPromoteOperator(task_id="canary", code="ORDERS", stable_version="01.00.0000",
                               canary_version="01.01.0000", routing_lookup="ORDERS_ROUTING")
"""
    )
    oic_connection.reset_stats()
    run = dag_runner.run(body)
    assert task_states(run) == {"canary": "failed"}
    assert oic_connection.stats()["writes"] == 0
    out, err = capfd.readouterr()
    assert "same major version" in out + err
