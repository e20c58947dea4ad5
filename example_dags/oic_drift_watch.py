"""Every hour, compare what was deployed to OIC with what OIC holds; when something changed behind the
tool's back, an Asset event starts `oic_drift_repair`, which deploys the release kept in Git again.

`oic_drift_watch`: `CheckDriftOperator(fail_on_drift=False)` reads the ledger the deployments keep for
`oracle_oic_default` and emits the `oic_drift` asset with the drift in its `extra` (it is skipped when
there is none, so no event). `oic_drift_repair`: scheduled on that asset, redeploys the release folder
(idempotent: only what drifted is written back). Set `fail_on_drift=True` instead to fail (and alert)
rather than repair.
"""

from __future__ import annotations

from pathlib import Path

import pendulum
from airflow.sdk import DAG, Asset

from airflow_provider_oracle_oic.operators.drift import CheckDriftOperator
from airflow_provider_oracle_oic.operators.singer_to_oic import SingerToOICOperator

OIC_DRIFT = Asset("oic_drift")
RELEASE = Path(__file__).parent / "data" / "release"

with DAG(
    dag_id="oic_drift_watch",
    schedule="@hourly",
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    tags=["oic", "drift"],
    doc_md=__doc__,
) as watch:
    CheckDriftOperator(task_id="check", fail_on_drift=False, outlets=[OIC_DRIFT])

with DAG(
    dag_id="oic_drift_repair",
    schedule=[OIC_DRIFT],
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    tags=["oic", "drift"],
    doc_md=__doc__,
) as repair:
    SingerToOICOperator(
        task_id="redeploy",
        release_dir=str(RELEASE),
        secret_connections={"ERP_PASSWORD": "erp_api"},
        activate_integrations=True,
        conflict_resolution="overwrite",
        pool="oracle_oic",
    )
