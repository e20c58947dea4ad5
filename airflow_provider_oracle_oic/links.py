"""The "OIC console" extra link on operator and sensor pages."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import quote

from airflow.sdk import BaseOperatorLink

from .oic.identifiers import IntegrationId

if TYPE_CHECKING:
    from airflow.sdk import BaseOperator
    from airflow.sdk.types import TaskInstanceKey

# Oracle's deep link into the designer (Gen2 layout; OIC 3 redirects it). Unverified: kept in one place.
CONSOLE_PATH = "/ic/integration/home/faces/link?page=integration&code={code}&version={version}"
CONSOLE_HOME = "/ic/home/"
# Where the provider's pages are served by the Airflow api-server (estate/plugin.py).
PLUGIN_PREFIX = "/oracle-oic"


def console_home(base_url: str) -> str:
    """The OIC console's home page (where a deployment of many artifacts is seen)."""
    return base_url.rstrip("/") + CONSOLE_HOME


def console_url(base_url: str, integration_id: str) -> str:
    """The designer page of `CODE|VERSION` on the OIC at `base_url`."""
    ident = IntegrationId.of(integration_id)
    return base_url.rstrip("/") + CONSOLE_PATH.format(code=ident.code, version=ident.version)


class OICConsoleLink(BaseOperatorLink):
    """Opens the integration in the OIC console; the operator records the URL while it runs."""

    name = "OIC console"

    def get_link(self, operator: BaseOperator, *, ti_key: TaskInstanceKey) -> str:
        return getattr(operator, "console_url", None) or ""


def run_report_path(dag_id: str, dag_run_id: str, task_id: str, map_index: int = -1) -> str:
    """The run view of one deploy task instance in the Airflow UI."""
    path = f"{PLUGIN_PREFIX}/runs/{quote(dag_id, safe='')}/{quote(dag_run_id, safe='')}/{quote(task_id, safe='')}"
    return path + (f"?map_index={map_index}" if map_index is not None and map_index >= 0 else "")


class OICRunReportLink(BaseOperatorLink):
    """Opens the run view of the task's deployment: each step, its diffs, what was rolled back."""

    name = "OIC run report"

    def get_link(self, operator: BaseOperator, *, ti_key: TaskInstanceKey) -> str:
        return run_report_path(ti_key.dag_id, ti_key.run_id, ti_key.task_id, ti_key.map_index)
