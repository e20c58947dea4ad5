"""The example DAGs on a real local Airflow: api-server, scheduler, dag-processor and triggerer as separate
processes (LocalExecutor, SQLite), driven only through the REST API, as `make airflow` starts them."""

from __future__ import annotations

import itertools
import json
import time
from typing import Any
from urllib.parse import quote

import pytest


def _runs(airflow: Any, token: str, dag_id: str) -> list[dict[str, Any]]:
    return airflow.api("GET", f"/dags/{dag_id}/dagRuns", token=token)["dag_runs"]


def _wait_for_runs(airflow: Any, dag_ids: list[str], timeout: float = 420) -> dict[str, list[dict[str, Any]]]:
    deadline = time.monotonic() + timeout
    while True:
        token = airflow.token()
        runs = {dag_id: _runs(airflow, token, dag_id) for dag_id in dag_ids}
        states = [r["state"] for rs in runs.values() for r in rs]
        if states and all(s in ("success", "failed") for s in states):
            return runs
        if time.monotonic() > deadline:
            pytest.fail(f"runs not finished after {timeout:.0f} s: {runs}")
        time.sleep(3)


def _task_instances(airflow: Any, token: str, dag_id: str, run_id: str) -> list[dict[str, Any]]:
    path = f"/dags/{dag_id}/dagRuns/{quote(run_id, safe='')}/taskInstances"
    return airflow.api("GET", path, token=token)["task_instances"]


def _log(airflow: Any, token: str, ti: dict[str, Any]) -> list[dict[str, Any]]:
    path = (
        f"/dags/{ti['dag_id']}/dagRuns/{quote(ti['dag_run_id'], safe='')}/taskInstances/"
        f"{ti['task_id']}/logs/{ti['try_number']}?full_content=true"
    )
    content = airflow.api("GET", path, token=token)["content"]
    return [entry for entry in content if isinstance(entry, dict)]


@pytest.mark.timeout(900)
def test_example_dags_on_a_real_deployment(local_airflow):
    airflow = local_airflow
    token = airflow.token()
    dag_ids = ["oic_blue_green", "oic_scheduled_promotion"]
    for dag_id in dag_ids:
        airflow.api("PATCH", f"/dags/{dag_id}", {"is_paused": False}, token=token)
    # Two different DAGs deploying to the same OIC through the same connection, triggered together.
    for dag_id in dag_ids:
        airflow.api("POST", f"/dags/{dag_id}/dagRuns", {"logical_date": None}, token=token)
    runs = _wait_for_runs(airflow, dag_ids)
    token = airflow.token()
    instances = [
        ti
        for dag_id, dag_runs in runs.items()
        for run in dag_runs
        for ti in _task_instances(airflow, token, dag_id, run["dag_run_id"])
    ]
    assert {r["state"] for rs in runs.values() for r in rs} == {"success"}, [
        (ti["dag_id"], ti["task_id"], ti["state"]) for ti in instances
    ]

    # The deferrable activation really waited in the triggerer and was resumed by it.
    activate = next(ti for ti in instances if ti["task_id"] == "activate_next")
    events = [e.get("event", "") for e in _log(airflow, token, activate)]
    assert any("Pausing task as DEFERRED" in e for e in events), events
    assert any("Trigger fired event" in e for e in events), events
    assert any("Asked OIC to activate GREEN_ORDERS|01.00.0000" in e for e in events)

    # Clean logs: each line once, nothing at ERROR on a successful run, no secret anywhere.
    for ti in instances:
        entries = _log(airflow, token, ti)
        lines = [(e.get("timestamp"), e.get("level"), e.get("event")) for e in entries if e.get("timestamp")]
        assert len(lines) == len(set(lines)), f"{ti['task_id']}: a line appears twice"
        assert not [e for e in entries if str(e.get("level", "")).lower() in ("error", "critical")], ti[
            "task_id"
        ]
        text = json.dumps(entries)
        for secret in airflow.secrets:
            assert secret not in text, f"{ti['task_id']}: a secret is in its log"

    # One promotion per OIC at a time: the tasks of the oracle_oic pool never overlap.
    pooled = sorted(
        (ti["start_date"], ti["end_date"], ti["dag_id"], ti["task_id"])
        for ti in instances
        if ti["pool"] == "oracle_oic" and ti["start_date"]
    )
    assert {p[2] for p in pooled} == set(dag_ids)
    for earlier, later in itertools.pairwise(pooled):
        assert earlier[1] <= later[0], f"{earlier} overlaps {later}"

    # Both runs' artifacts are in the one ledger of the connection.
    ledger = json.loads(airflow.airflow("variables", "get", "oracle_oic_ledger_secret__oracle_oic_default"))
    keys = json.dumps(ledger)
    assert "integrations:GREEN_ORDERS|01.00.0000" in keys
    assert "integrations:ORDERS|01.00.0000" in keys
