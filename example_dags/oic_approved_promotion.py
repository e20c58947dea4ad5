"""Promote the OIC release kept in Git only after a person approved its plan, and apply exactly that plan.

plan (a dry run that saves the plan: each step, its reason, the OIC facts it rests on; no secret) →
approve (Airflow's human-in-the-loop `ApprovalOperator`: the plan is in the request, answered in the UI
or through the HITL API) → apply (exactly the approved plan; when the release or OIC changed since the
plan, it fails without writing anything and names what changed). Rejecting skips apply: nothing is
written. OIC connection: `oracle_oic_default`; `${ERP_PASSWORD}` comes from the connection `erp_api`.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pendulum
from airflow.providers.standard.operators.hitl import ApprovalOperator
from airflow.sdk import DAG, Param

from airflow_provider_oracle_oic.operators.singer_to_oic import SingerToOICOperator

RELEASE = Path(__file__).parent / "data" / "release"

with DAG(
    dag_id="oic_approved_promotion",
    schedule=None,
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    tags=["oic", "promotion", "approval"],
    doc_md=__doc__,
    params={
        "release_dir": Param(str(RELEASE), type="string", description="The release folder (a Git checkout)")
    },
) as dag:
    release = {
        "release_dir": "{{ params.release_dir }}",
        "secret_connections": {"ERP_PASSWORD": "erp_api"},
        "activate_integrations": True,
    }
    plan = SingerToOICOperator(task_id="plan", plan_only=True, **release)
    approve = ApprovalOperator(
        task_id="approve",
        subject="Promote the OIC release {{ params.release_dir }}?",
        body="The plan (apply does exactly this, or nothing if OIC changes first):\n\n"
        "```\n{{ ti.xcom_pull(task_ids='plan')['summary'] }}\n```",
        response_timeout=timedelta(days=1),
    )
    apply = SingerToOICOperator(task_id="apply", approved_plan=plan.output, pool="oracle_oic", **release)

    plan >> approve >> apply
