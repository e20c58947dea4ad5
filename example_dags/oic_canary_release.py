"""Canary release: deploy a new major version of an integration beside the live one, then move traffic
10% → 50% → 100% through the routing lookup while the canary's error rate (OIC monitoring) stays under
the limit. On errors the canary gets no traffic and is deactivated; on success the old version is retired.
Both tasks run in the pool `oracle_oic` (one promotion per OIC at a time). OIC connection:
`oracle_oic_default`; `${ERP_PASSWORD}` from the Airflow connection `erp_api`. On `make airflow` the
emulator's traffic simulator sends calls through the routing lookup, so the canary has messages to judge.
"""

from __future__ import annotations

from pathlib import Path

import pendulum
from airflow.sdk import DAG, Param

from airflow_provider_oracle_oic.operators.canary import CanaryPromoteOperator
from airflow_provider_oracle_oic.operators.singer_to_oic import SingerToOICOperator

RELEASE = Path(__file__).parent / "data" / "canary_release.jsonl"

with DAG(
    dag_id="oic_canary_release",
    schedule=None,
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    tags=["oic", "canary"],
    doc_md=__doc__,
    params={
        "release_file": Param(str(RELEASE), type="string"),
        "code": Param("ORDERS", type="string"),
        "stable_version": Param("01.00.0000", type="string"),
        "canary_version": Param("02.00.0000", type="string"),
        "routing_lookup": Param("ORDERS_ROUTING", type="string"),
        "observe_seconds": Param(300, type="number", description="How long each traffic step is watched"),
        "poll_seconds": Param(15, type="number"),
        "max_error_rate": Param(0.05, type="number"),
        "min_messages": Param(20, type="integer"),
    },
) as dag:
    deploy_canary = SingerToOICOperator(
        task_id="deploy_canary",
        input_path="{{ params.release_file }}",
        activate_integrations=False,
        secret_connections={"ERP_PASSWORD": "erp_api"},
        pool="oracle_oic",
    )
    promote = CanaryPromoteOperator(
        task_id="promote",
        code="{{ params.code }}",
        stable_version="{{ params.stable_version }}",
        canary_version="{{ params.canary_version }}",
        routing_lookup="{{ params.routing_lookup }}",
        steps=[10, 50, 100],
        observe_seconds="{{ params.observe_seconds }}",
        poll_interval="{{ params.poll_seconds }}",
        max_error_rate="{{ params.max_error_rate }}",
        min_messages="{{ params.min_messages }}",
        pool="oracle_oic",
    )

    deploy_canary >> promote
