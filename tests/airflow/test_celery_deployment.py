"""Production Airflow is many machines: a real CeleryExecutor deployment (Debian's redis-server as the
broker; scheduler, dag-processor, triggerer, api-server and two Celery workers, each with its own HOME
and TMPDIR as two machines would have) and backups in S3-compatible storage (moto's server on
127.0.0.1), set once for every task with `[oracle_oic] backup_directory`.

The worker running a deploy is SIGKILLed after the backup export and the replace, while the activation
is in progress; Airflow retries the task on the other worker, which finds the journal (a Variable) and
the backup (in object storage) and converges. A restore of the killed run, on the surviving worker, puts
the old archive back byte for byte. Then two example DAGs (a scheduled promotion and the OIC 3 project
promotion, whose deployment activation defers to the triggerer) run on both workers."""

from __future__ import annotations

import base64
import json
import shutil
import socket
import subprocess
import time
from typing import Any
from urllib.parse import quote

import pytest
import requests

from airflow_provider_oracle_oic.emulator.builders import IntegrationArchiveSpec, build_iar
from tests.airflow.conftest import EXAMPLES, assert_resumed_from_triggerer, launcher, task_instances
from tests.object_storage import BUCKET, keys

pytestmark = pytest.mark.e2e

REDIS = shutil.which("redis-server")
FIRST = build_iar(IntegrationArchiveSpec("HELLO", "01.00.0000", payload=b"first release"))
SECOND = build_iar(IntegrationArchiveSpec("HELLO", "01.00.0000", payload=b"second release"))

DAG = """
from datetime import timedelta

import pendulum
from airflow.sdk import DAG, Param

from airflow_provider_oracle_oic.operators.restore import RestoreRunOperator
from airflow_provider_oracle_oic.operators.singer_to_oic import SingerToOICOperator

with DAG("celery_deploy", schedule=None, start_date=pendulum.datetime(2026, 1, 1), catchup=False,
         max_active_runs=1, params={"archive": Param("", type="string")}):
    SingerToOICOperator(
        task_id="deploy",
        records=[{"stream": "integrations", "record": {"code": "HELLO", "version": "01.00.0000",
                                                        "archive_base64": "{{ params.archive }}"}}],
        conflict_resolution="overwrite",
        activate_integrations=True,
        retries=2,
        retry_delay=timedelta(seconds=2),
    )

with DAG("celery_restore", schedule=None, start_date=pendulum.datetime(2026, 1, 1), catchup=False,
         params={"run_id": Param("", type="string")}):
    RestoreRunOperator(task_id="restore", run_id="{{ params.run_id }}")
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    if REDIS is None:
        pytest.skip("no redis-server: make test installs Debian's as root (apt-get install redis-server)")
    port, folder = _free_port(), tmp_path_factory.mktemp("redis")
    process = subprocess.Popen(
        [
            REDIS,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(folder),
        ],
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.2)
    yield f"redis://127.0.0.1:{port}/0"
    process.terminate()
    process.wait(timeout=30)


@pytest.fixture(scope="module")
def celery_airflow(tmp_path_factory, redis_url, s3):
    home = tmp_path_factory.mktemp("celery-airflow")
    dags = home / "dags"
    # The example DAGs beside the scenario's (paused until a test runs them).
    shutil.copytree(EXAMPLES, dags, ignore=shutil.ignore_patterns("__pycache__"))
    (dags / "celery_deploy.py").write_text(DAG)
    deployment = launcher().LocalAirflow(
        home,
        dags=dags,
        activation_delay=8.0,
        executor="CeleryExecutor",
        workers=2,
        broker_url=redis_url,
        settings={
            # A lost worker is noticed within seconds, not the default five minutes.
            "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT": "15",
            "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT_DETECTION_INTERVAL": "2",
            "AIRFLOW__ORACLE_OIC__BACKUP_DIRECTORY": f"s3://{BUCKET}/celery",
        },
    )
    try:
        deployment.start()
        token = deployment.token()
        for dag_id in ("celery_deploy", "celery_restore"):
            _wait_for_dag(deployment, dag_id)
            deployment.api("PATCH", f"/dags/{dag_id}", {"is_paused": False}, token=token)
        yield deployment
    finally:
        deployment.stop()


def _wait_for_dag(airflow: Any, dag_id: str) -> None:
    deadline = time.monotonic() + 180
    while True:
        try:
            airflow.api("GET", f"/dags/{dag_id}")
            return
        except Exception:
            assert time.monotonic() < deadline, f"{dag_id} was not parsed"
            time.sleep(2)


def _trigger(airflow: Any, dag_id: str, conf: dict[str, Any]) -> str:
    run = airflow.api("POST", f"/dags/{dag_id}/dagRuns", {"logical_date": None, "conf": conf})
    return run["dag_run_id"]


def _run_state(airflow: Any, dag_id: str, run_id: str) -> str:
    return airflow.api("GET", f"/dags/{dag_id}/dagRuns/{quote(run_id, safe='')}")["state"]


def _finish(airflow: Any, dag_id: str, run_id: str, timeout: float = 300) -> str:
    deadline = time.monotonic() + timeout
    while (state := _run_state(airflow, dag_id, run_id)) not in ("success", "failed"):
        assert time.monotonic() < deadline, f"{dag_id} {run_id} still {state}"
        time.sleep(2)
    return state


def _tries(airflow: Any, dag_id: str, run_id: str, task_id: str) -> list[dict[str, Any]]:
    path = f"/dags/{dag_id}/dagRuns/{quote(run_id, safe='')}/taskInstances/{task_id}/tries"
    return airflow.api("GET", path)["task_instances"]


class Oic:
    """The emulator the deployment deploys to, read as a person would."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.http = requests.Session()
        token = self.http.post(
            f"{url}/oauth2/v1/token",
            auth=("oic-emulator-client", "oic-emulator-secret"),
            data={"grant_type": "client_credentials", "scope": "test"},
            timeout=10,
        ).json()["access_token"]
        self.http.headers["Authorization"] = f"Bearer {token}"

    def get(self, path: str) -> requests.Response:
        return self.http.get(
            f"{self.url}/ic/api/integration/v1{path}",
            params={"integrationInstance": "local-test"},
            timeout=30,
        )

    def status(self) -> str:
        answer = self.get("/integrations/HELLO%7C01.00.0000")
        return answer.json()["status"] if answer.ok else "absent"

    def archive(self) -> bytes:
        return self.get("/integrations/HELLO%7C01.00.0000/archive").content

    def writes(self) -> int:
        return requests.get(f"{self.url}/_emulator/stats", timeout=10).json()["writes"]


@pytest.mark.timeout(1200)
def test_a_worker_lost_mid_deploy_is_retried_on_the_other_worker_and_converges(celery_airflow, s3, capsys):
    airflow, oic = celery_airflow, Oic(celery_airflow.emulator_url)
    first, second = base64.b64encode(FIRST).decode(), base64.b64encode(SECOND).decode()
    done = _trigger(airflow, "celery_deploy", {"archive": first})
    assert _finish(airflow, "celery_deploy", done) == "success"
    assert oic.status() == "ACTIVATED"

    # The release changes: the worker running the deploy is lost once it has exported the backup,
    # replaced the archive and asked OIC to activate (the activation takes 8 s).
    run_id = _trigger(airflow, "celery_deploy", {"archive": second})
    deadline = time.monotonic() + 180
    while oic.status() != "ACTIVATION_INPROGRESS":
        assert time.monotonic() < deadline, f"the activation never started ({oic.status()})"
        time.sleep(0.1)
    assert [k for k in keys(s3) if k.startswith("celery/")], "the backup is in object storage"
    killed = _tries(airflow, "celery_deploy", run_id, "deploy")[0]["hostname"]
    airflow.kill(killed)
    assert _finish(airflow, "celery_deploy", run_id, timeout=600) == "success"
    tries = _tries(airflow, "celery_deploy", run_id, "deploy")
    survivor = "worker-2" if killed == "worker-1" else "worker-1"
    with capsys.disabled():
        print("\nCeleryExecutor: the deploy task's tries")
        for ti in tries:
            lost = " (SIGKILLed with its worker)" if ti["hostname"] == killed else ""
            print(f"  try {ti['try_number']}: {ti['state']} on {ti['hostname']}{lost}")
    assert [t["hostname"] for t in tries][-1] == survivor
    assert tries[-1]["state"] == "success"
    assert len(tries) >= 2
    assert oic.status() == "ACTIVATED"
    assert oic.archive() == SECOND

    # A third run of the same release writes nothing.
    before = oic.writes()
    again = _trigger(airflow, "celery_deploy", {"archive": second})
    assert _finish(airflow, "celery_deploy", again) == "success"
    assert oic.writes() == before

    # Restore the run the lost worker started, on the surviving worker: the old archive, byte for byte.
    journals = json.loads(airflow.airflow("variables", "get", "oracle_oic_journals__oracle_oic_default"))
    replaced = [
        run
        for run, events in journals.items()
        if any(e.get("event") == "intent" and e["undo"]["action"] == "restore_archive" for e in events)
    ]
    assert len(replaced) == 1, journals
    restore = _trigger(airflow, "celery_restore", {"run_id": replaced[0]})
    assert _finish(airflow, "celery_restore", restore) == "success"
    assert _tries(airflow, "celery_restore", restore, "restore")[-1]["hostname"] == survivor
    assert oic.archive() == FIRST
    assert oic.status() == "ACTIVATED"


@pytest.mark.timeout(900)
def test_example_dags_succeed_on_the_celery_deployment_and_a_deferral_resumes_in_the_triggerer(
    celery_airflow, capsys
):
    airflow = celery_airflow
    for worker in ("worker-1", "worker-2"):
        if worker not in airflow.processes or airflow.processes[worker].poll() is not None:
            # The scenario above killed it; the examples get both workers again.
            airflow.start_worker(worker)
    token = airflow.token()
    dag_ids = ("oic_scheduled_promotion", "oic3_project_promotion")
    runs = {}
    for dag_id in dag_ids:
        _wait_for_dag(airflow, dag_id)
        airflow.api("PATCH", f"/dags/{dag_id}", {"is_paused": False}, token=token)
        runs[dag_id] = _trigger(airflow, dag_id, {})
    states = {dag_id: _finish(airflow, dag_id, run_id, timeout=600) for dag_id, run_id in runs.items()}
    token = airflow.token()
    instances = [
        ti for dag_id, run_id in runs.items() for ti in task_instances(airflow, token, dag_id, run_id)
    ]
    with capsys.disabled():
        print("\nCeleryExecutor: the example DAGs' tasks")
        for ti in instances:
            print(f"  {ti['dag_id']}.{ti['task_id']}: {ti['state']} on {ti['hostname'] or '-'}")
    assert states == dict.fromkeys(dag_ids, "success"), [(t["task_id"], t["state"]) for t in instances]
    ran = {ti["hostname"] for ti in instances if ti["state"] == "success" and ti["hostname"]}
    assert ran, "no task says which worker ran it"
    assert ran <= {"worker-1", "worker-2"}, ran

    # The deferrable deployment activation waited in the triggerer and went on on a Celery worker.
    activate = next(
        ti for ti in instances if ti["dag_id"] == "oic3_project_promotion" and ti["task_id"] == "activate"
    )
    assert_resumed_from_triggerer(airflow, token, activate, "all 3 integration(s) are ACTIVATED")
    assert activate["hostname"] in ("worker-1", "worker-2"), activate["hostname"]
