"""Blue-green swap: deploy the release as GREEN_* beside the live BLUE_* integrations, wait until green is
ACTIVATED, point the routing lookup at green, then retire blue. Swap the two colour params for the next
release. OIC connection: `oracle_oic_default`; `${ERP_PASSWORD}` from the Airflow connection `erp_api`.
"""

from __future__ import annotations

from pathlib import Path

import pendulum
from airflow.sdk import DAG, Param

from airflow_provider_oracle_oic.operators.activate import ActivateIntegrationOperator
from airflow_provider_oracle_oic.operators.singer_to_oic import SingerToOICOperator
from airflow_provider_oracle_oic.sensors.activation import IntegrationActivationSensor

RELEASE = Path(__file__).parent / "data" / "release.jsonl"

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
        activate_integrations=True,
        target_config={"deployment_prefix": "{{ params.next_color }}_"},
        secret_connections={"ERP_PASSWORD": "erp_api"},
    )
    wait_next = IntegrationActivationSensor(
        task_id="wait_next", integration_id=next_id, deferrable=True, timeout=900
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
    )
    retire_live = ActivateIntegrationOperator(
        task_id="retire_live", integration_id=live_id, action="deactivate"
    )

    deploy_next >> wait_next >> switch_route >> retire_live
