"""Every hour, promote the OIC release kept in Git (a release folder: OIC's own .iar/.csv/.yaml files,
docs/release-folder.md) into one OIC environment.

validate (offline) → plan (dry run: the plan is in the log and in XCom) → deploy (idempotent: an
unchanged release writes nothing, drift is redeployed, a failure rolls back) → check that the smoke-test
integration is ACTIVATED (in the triggerer). The deploy task runs in the pool `oracle_oic` (one slot: one
promotion per OIC at a time; `make airflow` creates it). OIC connection: `oracle_oic_default`. The ERP
password placeholder `${ERP_PASSWORD}` is filled from the password of the Airflow connection `erp_api`.
"""

from __future__ import annotations

from pathlib import Path

import pendulum
from airflow.sdk import DAG, Param

from airflow_provider_oracle_oic.operators.singer_to_oic import SingerToOICOperator
from airflow_provider_oracle_oic.sensors.activation import IntegrationActivationSensor

RELEASE = Path(__file__).parent / "data" / "release"

with DAG(
    dag_id="oic_scheduled_promotion",
    schedule="@hourly",
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    tags=["oic", "promotion"],
    doc_md=__doc__,
    params={
        "release_dir": Param(str(RELEASE), type="string", description="The release folder (a Git checkout)"),
        "smoke_integration": Param(
            "ORDERS|01.00.0000", type="string", description="CODE|VERSION that must be live"
        ),
    },
) as dag:
    release = {"release_dir": "{{ params.release_dir }}", "secret_connections": {"ERP_PASSWORD": "erp_api"}}

    validate = SingerToOICOperator(task_id="validate", target_config={"validate_only": True}, **release)
    plan = SingerToOICOperator(task_id="plan", dry_run=True, **release)
    deploy = SingerToOICOperator(
        task_id="deploy",
        conflict_resolution="overwrite",
        activate_integrations=True,
        pool="oracle_oic",
        **release,
    )
    smoke_test = IntegrationActivationSensor(
        task_id="smoke_test", integration_id="{{ params.smoke_integration }}", deferrable=True, timeout=900
    )

    validate >> plan >> deploy >> smoke_test
