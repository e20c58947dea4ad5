"""Promote one release to a fleet of OIC instances in waves, as a staged rollout does
(docs/fleet.md).

The fleet is named in one place: the Variable `oracle_oic_fleet`, a JSON list of `oracle_oic`
connection ids, canary first (read when the DAG runs, never when it is parsed). The first instance is
deployed alone and smoke-tested; then the rest, `wave_size` instances per wave, at most `PARALLEL` at a
time. A failure rolls that instance's run back (the engine's promise) and stops every later wave; the
summary names each instance's outcome and run id, and fails the DAG run unless all were deployed.

One promotion per OIC instance at a time: this DAG is the fleet's one writer (`max_active_runs=1`;
each instance appears once in the fleet), its deploy tasks share the pool `oracle_oic_fleet` (PARALLEL
slots; `make airflow` creates it). A pool cannot be chosen per mapped instance (apache/airflow#33657),
so other DAGs must not deploy to fleet members while it runs (docs/fleet.md).
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pendulum
from airflow.sdk import DAG, Param, Variable, task
from airflow.sdk.exceptions import AirflowFailException

from airflow_provider_oracle_oic.operators.fleet import (
    CANARY_WAVE,
    FLEET_VARIABLE,
    WAVES,
    fleet_members,
    fleet_report,
    fleet_summary,
    plan_waves,
)
from airflow_provider_oracle_oic.operators.singer_to_oic import SingerToOICOperator
from airflow_provider_oracle_oic.sensors.activation import IntegrationActivationSensor

RELEASE = Path(__file__).parent / "data" / "release"
PARALLEL = 4

with DAG(
    dag_id="oic_fleet_promotion",
    schedule=None,
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    tags=["oic", "promotion", "fleet"],
    doc_md=__doc__,
    params={
        "release_dir": Param(str(RELEASE), type="string", description="The release folder (a Git checkout)"),
        "wave_size": Param(3, type="integer", minimum=1, description="Instances per wave after the canary"),
        "smoke_integration": Param(
            "ORDERS|01.00.0000", type="string", description="CODE|VERSION that must be live on the canary"
        ),
    },
) as dag:

    @task
    def waves(params: dict[str, Any] | None = None) -> dict[str, list[str]]:
        """The fleet from its Variable, split into waves."""
        members = fleet_members(Variable.get(FLEET_VARIABLE, default=None))
        return plan_waves(members, int((params or {})["wave_size"]))

    @task
    def members(plan: dict[str, list[str]], wave: str) -> list[str]:
        """One wave's instances (a mapped task can only expand over a task's return value)."""
        return plan[wave]

    plan = waves()
    wave_members = {wave: members.override(task_id=f"{wave}_members")(plan, wave) for wave in WAVES}
    deploy = {
        "release_dir": "{{ params.release_dir }}",
        "secret_connections": {"ERP_PASSWORD": "erp_api"},
        "conflict_resolution": "overwrite",
        "activate_integrations": True,
        "pool": "oracle_oic_fleet",
        "max_active_tis_per_dagrun": PARALLEL,
    }
    deployed = [
        SingerToOICOperator.partial(task_id=wave, **deploy).expand(oracle_oic_conn_id=wave_members[wave])
        for wave in WAVES
    ]
    smoke_test = IntegrationActivationSensor.partial(
        task_id="smoke_test", integration_id="{{ params.smoke_integration }}", deferrable=True, timeout=900
    ).expand(oracle_oic_conn_id=wave_members[CANARY_WAVE])

    @task(trigger_rule="all_done")
    def summary(plan: dict[str, list[str]], ti: Any = None) -> list[dict[str, Any]]:
        """Every instance's outcome; fails unless all were deployed."""
        reports = fleet_report(plan, lambda wave, index: ti.xcom_pull(task_ids=wave, map_indexes=index))
        text = fleet_summary(reports)
        print(text)
        if not all(r.ok for r in reports):
            raise AirflowFailException(text)
        return [
            {"conn_id": r.conn_id, "wave": r.wave, "outcome": r.outcome.name, "run_id": r.run_id}
            for r in reports
        ]

    deployed[0] >> smoke_test >> deployed[1]
    for earlier, later in itertools.pairwise(deployed[1:]):
        earlier >> later
    deployed[-1] >> summary(plan)
