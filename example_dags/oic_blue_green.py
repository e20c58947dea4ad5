"""Blue-green swap, as one run of the engine's `blue_green` strategy: the release goes in as GREEN_*
beside the live BLUE_* integrations and is activated, then the routing lookup sends each service to
green, then blue is retired. A failure anywhere rolls the whole swap back from the run's journal
(routing, activations, imports), and `RestoreRunOperator` can put a finished swap back by its run id.
Swap the two colour params for the next release; the first run, with no live colour yet, retires nothing.
The task runs in the pool `oracle_oic` (one slot: one promotion per OIC at a time; `make airflow`
creates it). OIC connection: `oracle_oic_default`; `${ERP_PASSWORD}` from `erp_api`.
"""

from __future__ import annotations

from pathlib import Path

import pendulum
from airflow.sdk import DAG, Param

from airflow_provider_oracle_oic.operators.singer_to_oic import SingerToOICOperator

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
        "route_lookup": Param("ORDERS_ACTIVE_COLOR", type="string"),
    },
) as dag:
    swap = SingerToOICOperator(
        task_id="swap",
        input_path="{{ params.release_file }}",
        activate_integrations=True,
        target_config={
            "deployment_strategy": "blue_green",
            "deployment_prefix": "{{ params.next_color }}_",
            "live_prefix": "{{ params.live_color }}_",
            "routing_lookup": "{{ params.route_lookup }}",
        },
        secret_connections={"ERP_PASSWORD": "erp_api"},
        pool="oracle_oic",
    )
