"""Real Airflow for provider tests: a migrated SQLite database, DAG files run with `dag.test()`."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

DAGS = Path(os.environ["AIRFLOW__CORE__DAGS_FOLDER"])
REPO = Path(__file__).resolve().parents[2]


def launcher() -> Any:
    """`scripts/local_airflow.py` as a module (what `make airflow` runs)."""
    if "local_airflow" not in sys.modules:
        spec = importlib.util.spec_from_file_location("local_airflow", REPO / "scripts" / "local_airflow.py")
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules["local_airflow"] = module
        spec.loader.exec_module(module)
    return sys.modules["local_airflow"]


@pytest.fixture(scope="module")
def local_airflow(tmp_path_factory) -> Any:
    """A real local Airflow (api-server, scheduler, dag-processor, triggerer) and its emulator, as
    `make airflow` starts them; stopped after the module, so it does not load the rest of the suite."""
    deployment = launcher().LocalAirflow(tmp_path_factory.mktemp("airflow-home"), activation_delay=2.0)
    deployment.secrets = ("oic-emulator-secret", launcher().ERP_SECRET, deployment.password)
    try:
        deployment.start()
        yield deployment
    finally:
        deployment.stop()


@pytest.fixture(scope="session")
def airflow_db() -> None:
    """`airflow db migrate` once per session, in the session's own AIRFLOW_HOME."""
    airflow = Path(sys.executable).parent / "airflow"
    done = subprocess.run([str(airflow), "db", "migrate"], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]


def connection_json(server, **extra: Any) -> str:
    return json.dumps(
        {
            "conn_type": "oracle_oic",
            "host": server.url,
            "login": server.config.client_id,
            "password": server.config.client_secret,
            "extra": {"idcs_url": server.token_url, **extra},
        }
    )


@pytest.fixture
def oic_connection(oic_emulator, monkeypatch) -> Any:
    """`oracle_oic_default` pointing at the emulator, as an AIRFLOW_CONN_* JSON variable."""
    monkeypatch.setenv("AIRFLOW_CONN_ORACLE_OIC_DEFAULT", connection_json(oic_emulator))
    return oic_emulator


class DagRunner:
    """Writes a DAG file into the DAGs folder, imports it and runs it with `dag.test()`."""

    def run(self, body: str, dag_id: str | None = None) -> Any:
        dag_id = dag_id or f"test_{uuid.uuid4().hex[:10]}"
        source = (
            "import pendulum\nfrom airflow.sdk import DAG\n"
            f"with DAG({dag_id!r}, schedule=None, start_date=pendulum.datetime(2026, 1, 1), catchup=False) as dag:\n"
            + textwrap.indent(textwrap.dedent(body).strip(), "    ")
            + "\n"
        )
        path = DAGS / f"{dag_id}.py"
        path.write_text(source)
        spec = importlib.util.spec_from_file_location(dag_id, path)
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module.dag.test()


@pytest.fixture
def dag_runner(airflow_db) -> DagRunner:
    return DagRunner()


def task_states(run: Any) -> dict[str, str]:
    return {
        ti.task_id: str(ti.state.value if hasattr(ti.state, "value") else ti.state)
        for ti in run.get_task_instances()
    }


def xcom_values(run: Any) -> dict[str, Any]:
    """Every XCom value the run stored, by task id and key."""
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session

    with create_session() as session:
        rows = (
            session.query(XComModel)
            .filter(XComModel.run_id == run.run_id, XComModel.dag_id == run.dag_id)
            .all()
        )
        return {f"{row.task_id}:{row.key}": row.value for row in rows}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every test that runs a DAG with `dag.test()` is marked `airflow` (make check keeps the `smoke` ones)."""
    for item in items:
        if {"dag_runner", "examples"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.airflow)


EXAMPLES = Path(__file__).resolve().parents[2] / "example_dags"
ERP_SECRET = "erp-secret-from-connection-4417"


@pytest.fixture
def examples(oic_connection, airflow_db, monkeypatch) -> Path:
    """The example DAGs in the DAGs folder, `oracle_oic_default` on the emulator and an `erp_api` connection."""
    target = DAGS / "examples"
    if not target.exists():
        shutil.copytree(EXAMPLES, target, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setenv("AIRFLOW_CONN_ERP_API", json.dumps({"conn_type": "http", "password": ERP_SECRET}))
    return target


def load(folder: Path, name: str, variable: str = "dag") -> Any:
    spec = importlib.util.spec_from_file_location(f"example_{name}", folder / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, variable)


def task_instances(airflow: Any, token: str, dag_id: str, run_id: str) -> list[dict[str, Any]]:
    """A DAG run's task instances, through the REST API."""
    path = f"/dags/{dag_id}/dagRuns/{quote(run_id, safe='')}/taskInstances"
    return airflow.api("GET", path, token=token)["task_instances"]


def task_log(airflow: Any, token: str, ti: dict[str, Any]) -> list[dict[str, Any]]:
    """A task instance's log of its last try, as structured entries, through the REST API."""
    path = (
        f"/dags/{ti['dag_id']}/dagRuns/{quote(ti['dag_run_id'], safe='')}/taskInstances/"
        f"{ti['task_id']}/logs/{ti['try_number']}?full_content=true"
    )
    content = airflow.api("GET", path, token=token)["content"]
    return [entry for entry in content if isinstance(entry, dict)]


def assert_resumed_from_triggerer(airflow: Any, token: str, ti: dict[str, Any], outcome: str) -> None:
    """The task's log says it deferred, its trigger fired, and it went on to `outcome`."""
    events = [e.get("event", "") for e in task_log(airflow, token, ti)]
    for line in ("Pausing task as DEFERRED", "Trigger fired event", outcome):
        assert any(line in e for e in events), (line, events)
