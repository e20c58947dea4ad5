"""Blue-green swap: deploy the release as GREEN_* beside the live BLUE_* integrations, activate green and
wait for it in the triggerer (no worker slot held), point the routing lookup at green, then retire blue.
Swap the two colour params for the next release; the first run, with no live colour yet, retires nothing.
Every task that writes to OIC runs in the pool `oracle_oic` (one slot: one promotion per OIC at a time;
`make airflow` creates it). OIC connection: `oracle_oic_default`; `${ERP_PASSWORD}` from `erp_api`.
"""

from __future__ import annotations

from pathlib import Path

import pendulum
from airflow.sdk import DAG, Param

from airflow_provider_oracle_oic.operators.activate import ActivateIntegrationOperator
from airflow_provider_oracle_oic.operators.singer_to_oic import SingerToOICOperator

RELEASE = Path(__file__).parent / "data" / "release.jsonl"
POOL = "oracle_oic"

with DAG(
    dag_id="oic_blue_green",
    schedule=None,
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    tags=["oic", "blue-green"],
    doc_md=__doc__,
    params={
        "release_file": Param(str(RELEASE), type="string"),
        "live_color": Param("BLUE", enum=["BLUE", "GREEN"]),
        "next_color": Param("GREEN", enum=["BLUE", "GREEN"]),
        "code": Param("ORDERS", type="string"),
        "version": Param("01.00.0000", type="string"),
        "route_lookup": Param("ORDERS_ACTIVE_COLOR", type="string"),
    },
) as dag:
    next_id = "{{ params.next_color }}_{{ params.code }}|{{ params.version }}"
    live_id = "{{ params.live_color }}_{{ params.code }}|{{ params.version }}"

    deploy_next = SingerToOICOperator(
        task_id="deploy_next",
        input_path="{{ params.release_file }}",
        target_config={"deployment_prefix": "{{ params.next_color }}_"},
        secret_connections={"ERP_PASSWORD": "erp_api"},
        pool=POOL,
    )
    activate_next = ActivateIntegrationOperator(
        task_id="activate_next", integration_id=next_id, deferrable=True, poll_interval=5, timeout=900
    )
    switch_route = SingerToOICOperator(
        task_id="switch_route",
        records=[
            {
                "stream": "lookups",
                "record": {
                    "name": "{{ params.route_lookup }}",
                    "columns": ["service", "color"],
                    "rows": [["{{ params.code }}", "{{ params.next_color }}"]],
                },
            }
        ],
        pool=POOL,
    )
    retire_live = ActivateIntegrationOperator(
        task_id="retire_live", integration_id=live_id, action="deactivate", missing_ok=True, pool=POOL
    )

    deploy_next >> activate_next >> switch_route >> retire_live
