"""Where Airflow tasks keep backups without each task saying so: the `[oracle_oic] backup_directory`
option for every task, the connection's `backup_directory` extra for one OIC (object storage served by
moto on 127.0.0.1); a restore task names no location and still finds the backups. A location may name
the Airflow connection that holds the storage's endpoint and keys (`s3://conn_id@bucket/prefix`), and so
may a `state_path` keeping the ledger and journals there."""

from __future__ import annotations

import base64
import json
import os
import time

from tests.airflow.conftest import connection_json, task_states, xcom_values
from tests.airflow.test_operators import IMPORTS, iar_b64
from tests.http_api import Api
from tests.object_storage import BUCKET, keys

DAG_BODY = (
    IMPORTS
    + """
from airflow_provider_oracle_oic.operators.restore import RestoreRunOperator

def hello(archive):
    return [{{"stream": "integrations", "record": {{"code": "HELLO", "version": "01.00.0000", "archive_base64": archive}}}}]

one = SingerToOICOperator(task_id="one", records=hello({first!r}), target_config={config!r})
two = SingerToOICOperator(task_id="two", records=hello({second!r}), target_config={config!r})
restore = RestoreRunOperator(
    task_id="restore", run_id="{{{{ ti.xcom_pull(task_ids='two')['run_id'] }}}}", target_config={config!r}
)
one >> two >> restore
"""
)


def _run(dag_runner, first: str, second: str, config: dict | None = None):
    return dag_runner.run(DAG_BODY.format(first=first, second=second, config=config or {}))


def test_the_provider_option_and_the_connection_extra_choose_where_backups_live(
    s3, dag_runner, oic_connection, monkeypatch
):
    first, second = iar_b64("HELLO", payload=b"first"), iar_b64("HELLO", payload=b"second")
    api = Api(oic_connection)
    # Every task's default: [oracle_oic] backup_directory.
    monkeypatch.setenv("AIRFLOW__ORACLE_OIC__BACKUP_DIRECTORY", f"s3://{BUCKET}/every-task")
    run = _run(dag_runner, first, second)
    assert task_states(run) == {"one": "success", "two": "success", "restore": "success"}
    assert base64.b64encode(api.get("/integrations/HELLO%7C01.00.0000/archive").content).decode() == first
    assert [k for k in keys(s3) if k.startswith("every-task/")], keys(s3)

    # One OIC's own location: the connection extra wins over the option.
    monkeypatch.setenv(
        "AIRFLOW_CONN_ORACLE_OIC_DEFAULT",
        connection_json(oic_connection, backup_directory=f"s3://{BUCKET}/this-oic"),
    )
    before = set(keys(s3))
    run = _run(dag_runner, second, first)
    assert task_states(run) == {"one": "success", "two": "success", "restore": "success"}
    assert base64.b64encode(api.get("/integrations/HELLO%7C01.00.0000/archive").content).decode() == second
    added = set(keys(s3)) - before
    assert added
    assert all(k.startswith("this-oic/") for k in added), added


def test_a_storage_url_naming_an_airflow_connection_uses_that_connection(
    s3, dag_runner, oic_connection, monkeypatch, capsys, caplog
):
    """`s3://conn_id@bucket/prefix`, as `ObjectStoragePath` reads it: the endpoint and keys come from the
    Airflow connection, not from the worker's environment (which here points at nothing)."""
    import s3fs

    endpoint = os.environ["AWS_ENDPOINT_URL"]
    secret = "aws-secret-in-the-connection-only"
    monkeypatch.setenv(
        "AIRFLOW_CONN_OIC_BACKUPS",
        json.dumps(
            {
                "conn_type": "aws",
                "login": "AKIAOICBACKUPS",
                "password": secret,
                "extra": {"endpoint_url": endpoint, "region_name": "us-east-1"},
            }
        ),
    )
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    s3fs.S3FileSystem.clear_instance_cache()
    monkeypatch.setenv("AIRFLOW__ORACLE_OIC__BACKUP_DIRECTORY", f"s3://oic_backups@{BUCKET}/by-connection")
    first, second = iar_b64("HELLO", payload=b"first"), iar_b64("HELLO", payload=b"second")
    before = set(keys(s3))
    # The ledger, the journals and the run's lease too, instead of the connection's Variables.
    state = {"state_path": f"s3://oic_backups@{BUCKET}/by-connection/state/ledger.json"}
    try:
        run = _run(dag_runner, first, second, state)
    finally:
        s3fs.S3FileSystem.clear_instance_cache()
    assert task_states(run) == {"one": "success", "two": "success", "restore": "success"}
    assert (
        base64.b64encode(Api(oic_connection).get("/integrations/HELLO%7C01.00.0000/archive").content).decode()
        == first
    )
    added = set(keys(s3)) - before
    assert all(k.startswith("by-connection/") for k in added), added
    state_objects = {
        k.removeprefix("by-connection/state/") for k in added if k.startswith("by-connection/state/")
    }
    assert "ledger.json" in state_objects, added
    # The two deploys' journals, each sealed into one object; no lease left.
    assert len([k for k in state_objects if k.startswith("ledger.json.journals/")]) == 2, state_objects
    assert "ledger.json.lock" not in state_objects
    assert [k for k in added if not k.startswith("by-connection/state/")], "no backup was kept"
    assert secret not in capsys.readouterr().out + caplog.text + json.dumps(xcom_values(run), default=str)


def test_with_backups_in_object_storage_one_run_at_a_time_per_connection_across_dags_and_workers(
    s3, dag_runner, oic_connection, monkeypatch
):
    """Ledger and journals in Variables cannot refuse a second writer; a lease beside the backups can."""
    monkeypatch.setenv("AIRFLOW__ORACLE_OIC__BACKUP_DIRECTORY", f"s3://{BUCKET}/leased")
    lease = "leased/leases/oracle_oic_default.lock"
    holder = "pid 4242 on worker-7, task deploy of DAG other_promotion run manual__1"
    s3.put_object(
        Bucket=BUCKET,
        Key=lease,
        Body=json.dumps({"holder": holder, "host": "worker-7", "pid": 4242, "expires": time.time() + 60}),
    )
    first, second = iar_b64("HELLO", payload=b"first"), iar_b64("HELLO", payload=b"second")
    oic_connection.reset_stats()
    refused = _run(dag_runner, first, second)
    assert task_states(refused)["one"] == "failed"
    assert oic_connection.stats()["writes"] == 0
    [message] = [v for k, v in xcom_values(refused).items() if k == "one:return_value"]
    [issue] = message["issues"]
    assert issue["field"] == "backup_directory", issue
    assert issue["message"].startswith(
        f"another target-oracle-oic run ({holder}) holds s3://{BUCKET}/leased/leases/oracle_oic_default.lock ("
    ), issue

    # That run ended: this one goes, and leaves no lease behind.
    s3.delete_object(Bucket=BUCKET, Key=lease)
    run = _run(dag_runner, first, second)
    assert task_states(run) == {"one": "success", "two": "success", "restore": "success"}
    assert lease not in keys(s3)
    # Retention never takes the lease folder for a run's backups.
    assert [k for k in keys(s3) if k.startswith("leased/") and not k.startswith("leased/leases/")]
