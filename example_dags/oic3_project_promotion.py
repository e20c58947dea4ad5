"""Promote one deployment of an OIC 3 project from a source OIC (dev) to this DAG's OIC (test or prod).

export (the `.car` of the deployment, from `oracle_oic_source`) → deploy (the projects stream: a new
project is imported, a changed one is exported to a backup, replaced and rolled back on failure; the
project's ERP connection is configured for this environment and tested) → activate (every integration
of the deployment at once; the wait runs in the triggerer) → smoke_test (the deployment is live here
exactly as at the source).

Connections: `oracle_oic_source` and `oracle_oic_default` (both OIC 3: set their integration instance);
the ERP password placeholder `${ERP_PASSWORD}` is filled from the Airflow connection `erp_api`. The
exported `.car` travels to the deploy task inside its records (XCom), so the two may run on different
workers (CeleryExecutor, KubernetesExecutor); for projects of many megabytes, keep XComs in object storage
(`[common.io] xcom_objectstorage_path`). Tasks that write to the target OIC run in the pool `oracle_oic`.
"""

from __future__ import annotations

import base64
import tempfile
from pathlib import Path
from typing import Any

import pendulum
from airflow.sdk import DAG, Param, task

from airflow_provider_oracle_oic.operators.deployment import ActivateProjectDeploymentOperator
from airflow_provider_oracle_oic.operators.singer_to_oic import SingerToOICOperator

SOURCE = "oracle_oic_source"

with DAG(
    dag_id="oic3_project_promotion",
    schedule=None,
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    tags=["oic", "oic3", "promotion"],
    doc_md=__doc__,
    params={
        "project_id": Param("ORDERS-HUB", type="string", description="The OIC 3 project (its code)"),
        "deployment": Param("REL_2", type="string", description="The deployment to promote"),
    },
) as dag:

    @task
    def export(project_id: str, deployment: str) -> list[dict[str, Any]]:
        """Export the deployment's `.car` from the source OIC; returns the records that deploy it."""
        from airflow_provider_oracle_oic.hooks import oic_hook

        client = oic_hook(SOURCE).client
        project = client.projects.get(project_id)
        chosen = project.deployment(deployment) or client.project(project_id).deployments.get(deployment)
        with tempfile.TemporaryDirectory(prefix="oic3-export-") as folder:
            path = Path(folder) / f"{project_id}-{deployment}.car"
            download = client.projects.export(project_id, path, label=deployment, name=project.name)
            archive = base64.b64encode(path.read_bytes()).decode()
        selection = [dict(zip(("code", "version"), i.split("|"), strict=True)) for i in chosen.integrations]
        return [
            {
                "stream": "projects",
                "record": {
                    "id": project_id,
                    "name": project.name,
                    "archive_base64": archive,
                    "checksum": f"sha256:{download.sha256}",
                    "deployment": {"code": deployment, "name": chosen.name, "integrations": selection},
                    "activate": False,
                },
            },
            {
                "stream": "connections",
                "record": {
                    "id": "REST_ERP",
                    "project": project_id,
                    "securityPolicy": "BASIC_AUTH",
                    "connectionUrl": "https://erp.example.com/api",
                    "securityProperties": {"username": "oic-integration", "password": "${ERP_PASSWORD}"},
                },
            },
        ]

    @task
    def smoke_test(project_id: str, deployment: str) -> dict[str, str]:
        """The deployment is live here, and selects what it selects at the source."""
        from airflow_provider_oracle_oic.hooks import oic_hook

        here = oic_hook("oracle_oic_default").client.project(project_id)
        there = oic_hook(SOURCE).client.project(project_id)
        chosen = here.deployments.get(deployment)
        if sorted(chosen.integrations) != sorted(there.deployments.get(deployment).integrations):
            raise ValueError(f"Deployment {deployment} of project {project_id} differs from the source")
        statuses = {i.id: i.status for i in here.integrations.list() if i.id in chosen.integrations}
        down = sorted(i for i, status in statuses.items() if status != "ACTIVATED")
        if down:
            raise ValueError(
                f"Deployment {deployment} of project {project_id}: {', '.join(down)} not ACTIVATED"
            )
        return statuses

    records = export("{{ params.project_id }}", "{{ params.deployment }}")
    deploy = SingerToOICOperator(
        task_id="deploy",
        records=records,
        secret_connections={"ERP_PASSWORD": "erp_api"},
        conflict_resolution="overwrite",
        pool="oracle_oic",
    )
    activate = ActivateProjectDeploymentOperator(
        task_id="activate",
        project_id="{{ params.project_id }}",
        deployment="{{ params.deployment }}",
        pool="oracle_oic",
    )
    deploy >> activate >> smoke_test("{{ params.project_id }}", "{{ params.deployment }}")
