"""Operators and the sensor inside DAGs run by `dag.test()` on real Airflow, against the emulator."""

from __future__ import annotations

import base64
import json
import sys
from pathlib import Path

import pytest

from airflow_provider_oracle_oic.emulator import EmulatorServer
from airflow_provider_oracle_oic.emulator.builders import IntegrationArchiveSpec, build_iar
from tests.airflow.conftest import connection_json, task_states, xcom_values
from tests.http_api import Api

IMPORTS = """
from airflow_provider_oracle_oic.operators.activate import ActivateIntegrationOperator
from airflow_provider_oracle_oic.operators.singer_to_oic import SingerToOICOperator
from airflow_provider_oracle_oic.sensors.activation import IntegrationActivationSensor
"""


def iar_b64(code: str, version: str = "01.00.0000", **spec) -> str:
    return base64.b64encode(build_iar(IntegrationArchiveSpec(code, version, **spec))).decode()


# Every emulator token starts with this JWT header segment, so finding it anywhere means a token leaked.
TOKEN_HEADER = "eyJhbGciOiAibm9uZSIsICJ0eXAiOiAiSldUIn0"


def secrets_of(server: EmulatorServer) -> list[str]:
    return [server.config.client_secret, TOKEN_HEADER]


def assert_no_secret(values: list[str], *texts: str) -> None:
    for text in texts:
        for value in values:
            assert value not in text


@pytest.fixture
def slow_connection(monkeypatch, airflow_db):
    """An emulator whose activations take 1.5 s, so waiting (and deferring) really happens."""
    with EmulatorServer(EmulatorServer().with_config(activation_delay=1.5)) as server:
        monkeypatch.setenv("AIRFLOW_CONN_ORACLE_OIC_DEFAULT", connection_json(server))
        yield server


@pytest.mark.smoke
def test_singer_to_oic_with_records_then_activate_deferrable_then_sensor(dag_runner, slow_connection, capfd):
    server = slow_connection
    body = (
        IMPORTS
        + f"""
deploy = SingerToOICOperator(task_id="deploy", records=[
    {{"stream": "integrations", "record": {{"code": "HELLO", "version": "01.00.0000",
                                           "archive_base64": {iar_b64("HELLO")!r}}}}},
    {{"stream": "lookups", "record": {{"name": "CODES", "columns": ["a", "b"], "rows": [["1", "2"]]}}}},
], target_config={{"activation_poll_interval": 0.05}})
activate = ActivateIntegrationOperator(task_id="activate", integration_id="HELLO|01.00.0000",
                                       deferrable=True, poll_interval=0.1, timeout=30)
deploy >> activate
"""
    )
    run = dag_runner.run(body)
    assert task_states(run) == {"deploy": "success", "activate": "success"}
    values = xcom_values(run)
    deployed = _value(values["deploy:return_value"])
    assert deployed["ok"] is True
    assert {(r["kind"], r["action"], r["outcome"]) for r in deployed["results"]} == {
        ("integration", "create", "applied"),
        ("lookup", "create", "applied"),
    }
    activated = _value(values["activate:return_value"])
    assert activated == {"integration_id": "HELLO|01.00.0000", "status": "ACTIVATED", "changed": True}
    assert server.stats()["requests"]["GET /ic/api/integration/v1/integrations/{ident}/activationStatus"] >= 2
    assert _value(values["activate:_link_OICConsoleLink"]).startswith(server.url)
    out, err = capfd.readouterr()
    assert_no_secret(secrets_of(server), out, err, json.dumps(values, default=str))


def test_sensor_deferrable_waits_for_activation(dag_runner, slow_connection):
    server = slow_connection
    api = Api(server)
    api.import_iar("WAITED", "01.00.0000")
    body = (
        IMPORTS
        + """
start = ActivateIntegrationOperator(task_id="start", integration_id="WAITED|01.00.0000", wait_for_completion=False)
wait = IntegrationActivationSensor(task_id="wait", code="WAITED", version="01.00.0000", deferrable=True,
                                   poke_interval=0.1, timeout=30)
start >> wait
"""
    )
    run = dag_runner.run(body)
    assert task_states(run) == {"start": "success", "wait": "success"}
    assert api.status("WAITED|01.00.0000") == "ACTIVATED"
    # More than one poll: the trigger found the activation still in progress and waited for it.
    assert server.stats()["requests"]["GET /ic/api/integration/v1/integrations/{ident}/activationStatus"] >= 2


def test_sensor_poke_mode_and_already_active_activation_writes_nothing(dag_runner, oic_connection):
    server = oic_connection
    api = Api(server)
    api.import_iar("LIVE", "01.00.0000")
    api.set_status("LIVE|01.00.0000", "ACTIVATED")
    server.reset_stats()
    body = (
        IMPORTS
        + """
again = ActivateIntegrationOperator(task_id="again", integration_id="LIVE|01.00.0000")
wait = IntegrationActivationSensor(task_id="wait", integration_id="LIVE|01.00.0000", poke_interval=0.1, timeout=10,
                                   mode="poke")
again >> wait
"""
    )
    run = dag_runner.run(body)
    assert task_states(run) == {"again": "success", "wait": "success"}
    assert _value(xcom_values(run)["again:return_value"])["changed"] is False
    assert server.stats()["writes"] == 0


@pytest.mark.parametrize("deferrable", [False, True])
def test_activation_failure_fails_the_task_with_activation_errors(
    dag_runner, oic_connection, deferrable, capfd
):
    api = Api(oic_connection)
    api.import_iar("BROKEN", "01.00.0000", connections=["REST_UNSET"])
    body = (
        IMPORTS
        + f"""
activate = ActivateIntegrationOperator(task_id="activate", integration_id="BROKEN|01.00.0000",
                                       deferrable={deferrable}, poll_interval=0.05, timeout=20)
"""
    )
    run = dag_runner.run(body)
    assert task_states(run) == {"activate": "failed"}
    out, err = capfd.readouterr()
    assert "REST_UNSET" in out + err
    assert "failed to activate" in out + err


@pytest.mark.parametrize("deferrable", [False, True])
def test_sensor_fails_fast_on_failed_activation_and_soft_fail_skips(dag_runner, oic_connection, deferrable):
    api = Api(oic_connection)
    api.import_iar("BROKEN", "01.00.0000", connections=["REST_UNSET"])
    api.set_status("BROKEN|01.00.0000", "ACTIVATED")
    body = (
        IMPORTS
        + f"""
hard = IntegrationActivationSensor(task_id="hard", integration_id="BROKEN|01.00.0000", deferrable={deferrable},
                                   poke_interval=0.1, timeout=60)
soft = IntegrationActivationSensor(task_id="soft", integration_id="BROKEN|01.00.0000", deferrable={deferrable},
                                   poke_interval=0.1, timeout=60, soft_fail=True)
"""
    )
    run = dag_runner.run(body)
    assert task_states(run) == {"hard": "failed", "soft": "skipped"}


def test_sensor_timeout_in_deferrable_mode(dag_runner, oic_connection, capfd):
    Api(oic_connection).import_iar("IDLE", "01.00.0000")
    body = (
        IMPORTS
        + """
wait = IntegrationActivationSensor(task_id="wait", integration_id="IDLE|01.00.0000", deferrable=True,
                                   poke_interval=0.1, timeout=1, retries=3)
soft = IntegrationActivationSensor(task_id="soft", integration_id="IDLE|01.00.0000", deferrable=True,
                                   poke_interval=0.1, timeout=1, soft_fail=True)
"""
    )
    run = dag_runner.run(body)
    # A sensor timeout is final: with retries left, the task still fails instead of waiting for a retry.
    assert task_states(run) == {"wait": "failed", "soft": "skipped"}
    out, err = capfd.readouterr()
    assert "Sensor timed out after 1 s" in out + err


def test_singer_to_oic_from_a_jsonl_file_and_a_tap(dag_runner, oic_connection, tmp_path):
    server = oic_connection
    jsonl = tmp_path / "artifacts.jsonl"
    jsonl.write_text(
        "\n".join(
            [
                json.dumps(
                    {
                        "type": "SCHEMA",
                        "stream": "lookups",
                        "schema": {"properties": {}},
                        "key_properties": [],
                    }
                ),
                json.dumps(
                    {
                        "type": "RECORD",
                        "stream": "lookups",
                        "record": {"name": "FROM_FILE", "columns": ["a", "b"], "rows": []},
                    }
                ),
            ]
        )
        + "\n"
    )
    url_jsonl = tmp_path / "from_url.jsonl"
    url_jsonl.write_text(jsonl.read_text().replace("FROM_FILE", "FROM_URL"))
    tap = tmp_path / "tap.py"
    tap.write_text(
        "import json, sys\n"
        "print('tap says hello', file=sys.stderr)\n"
        "print(json.dumps({'type': 'SCHEMA', 'stream': 'lookups', 'schema': {'properties': {}}, 'key_properties': []}))\n"
        "print(json.dumps({'type': 'RECORD', 'stream': 'lookups', 'record': {'name': 'FROM_TAP', 'columns': ['a', 'b'],"
        " 'rows': [['x', 'y']]}}))\n"
        "print(json.dumps({'type': 'STATE', 'value': {'done': True}}))\n"
    )
    body = (
        IMPORTS
        + f"""
from_file = SingerToOICOperator(task_id="from_file", input_path={str(jsonl)!r})
from_url = SingerToOICOperator(task_id="from_url", input_path={"file://" + str(url_jsonl)!r})
from_tap = SingerToOICOperator(task_id="from_tap", tap_command=[{sys.executable!r}, {str(tap)!r}])
from_file >> from_url >> from_tap
"""
    )
    run = dag_runner.run(body)
    assert task_states(run) == {"from_file": "success", "from_url": "success", "from_tap": "success"}
    names = {lk["name"] for lk in server.state()["lookups"]}
    assert names == {"FROM_FILE", "FROM_URL", "FROM_TAP"}
    assert _value(xcom_values(run)["from_tap:return_value"])["state"] == {"done": True}


def test_failing_tap_fails_the_task_and_deploys_nothing(dag_runner, oic_connection, tmp_path, capfd):
    tap = tmp_path / "tap.py"
    tap.write_text(
        "import json, sys\n"
        "print(json.dumps({'type': 'SCHEMA', 'stream': 'lookups', 'schema': {'properties': {}}, 'key_properties': []}))\n"
        "print(json.dumps({'type': 'RECORD', 'stream': 'lookups', 'record': {'name': 'HALF', 'columns': ['a', 'b']}}))\n"
        "print('source went away', file=sys.stderr)\n"
        "sys.exit(3)\n"
    )
    oic_connection.reset_stats()
    body = (
        IMPORTS
        + f"""
deploy = SingerToOICOperator(task_id="deploy", tap_command=[{sys.executable!r}, {str(tap)!r}])
"""
    )
    run = dag_runner.run(body)
    assert task_states(run) == {"deploy": "failed"}
    assert oic_connection.stats()["writes"] == 0
    out, err = capfd.readouterr()
    assert "exited with status 3" in out + err
    assert "source went away" in out + err


def test_bad_input_fails_the_task_naming_artifact_and_field(dag_runner, oic_connection, capfd):
    oic_connection.reset_stats()
    body = (
        IMPORTS
        + """
deploy = SingerToOICOperator(task_id="deploy", records=[
    {"stream": "connections", "record": {"id": "REST_X", "securityProperties": {"password": "${NOT_PROVIDED}"}}},
])
"""
    )
    run = dag_runner.run(body)
    assert task_states(run) == {"deploy": "failed"}
    out, err = capfd.readouterr()
    assert "connection REST_X: securityProperties.password" in out + err
    assert oic_connection.stats()["writes"] == 0


def test_secrets_mapping_fills_placeholders_and_never_leaks(dag_runner, oic_connection, capfd):
    server = oic_connection
    Api(server).import_iar("USES", "01.00.0000", connections=["REST_S"])
    secret = "placeholder-secret-9931"
    body = (
        IMPORTS
        + f"""
deploy = SingerToOICOperator(task_id="deploy", secrets={{"ERP_PW": {secret!r}}}, records=[
    {{"stream": "connections", "record": {{"id": "REST_S", "securityPolicy": "BASIC_AUTH",
      "connectionUrl": "https://s", "securityProperties": {{"username": "u", "password": "${{ERP_PW}}"}}}}}},
])
"""
    )
    run = dag_runner.run(body)
    assert task_states(run) == {"deploy": "success"}
    assert Api(server).get("/connections/REST_S").json()["status"] == "CONFIGURED"
    out, err = capfd.readouterr()
    values = json.dumps(xcom_values(run), default=str)
    assert_no_secret([secret, *secrets_of(server)], out, err, values)
    logs = "".join(
        p.read_text(errors="ignore") for p in Path(__import__("os").environ["AIRFLOW_HOME"]).rglob("*.log")
    )
    assert_no_secret([secret, *secrets_of(server)], logs)


def test_rerun_of_the_same_deployment_writes_nothing(dag_runner, oic_connection):
    body = (
        IMPORTS
        + f"""
deploy = SingerToOICOperator(task_id="deploy", ledger_variable="oic_ledger_secret_rerun", records=[
    {{"stream": "integrations", "record": {{"code": "SAME", "version": "01.00.0000",
                                           "archive_base64": {iar_b64("SAME")!r}}}}},
])
"""
    )
    first = dag_runner.run(body)
    assert task_states(first) == {"deploy": "success"}
    oic_connection.reset_stats()
    run = dag_runner.run(body)
    assert task_states(run) == {"deploy": "success"}
    assert oic_connection.stats()["writes"] == 0
    rerun = _value(xcom_values(run)["deploy:return_value"])
    assert {r["outcome"] for r in rerun["results"]} == {"skipped"}
    journals = journal_variable(JOURNALS)
    assert rerun["run_id"] not in journals  # the re-run wrote nothing, so it kept no journal
    events = journals[_value(xcom_values(first)["deploy:return_value"])["run_id"]]
    assert events[0]["event"] == "start"
    assert events[-1]["status"] == "deployed"
    assert [e["event"] for e in events].count("intent") == 1


JOURNALS = "oracle_oic_journals__oracle_oic_default"


def test_the_journals_variable_is_not_masked_by_airflow():
    # Airflow masks every value read under a key naming a secret; journals are read before each write.
    from airflow.sdk.execution_time.secrets_masker import should_hide_value_for_key

    from airflow_provider_oracle_oic.deploy.model.settings import deploy_settings
    from airflow_provider_oracle_oic.operators.ledger_store import airflow_state

    state = airflow_state("oracle_oic_default", None, deploy_settings({}))
    ledger, journals = state["ledger_store"], state["journal_store"]
    assert journals.key == JOURNALS
    assert not should_hide_value_for_key(journals.key)
    assert should_hide_value_for_key(ledger.key)  # the ledger holds the key of its HMACs


def journal_variable(key: str) -> dict:
    """The write-ahead journals a SingerToOICOperator kept in an Airflow Variable."""
    from airflow.models import Variable

    return json.loads(Variable.get(key))


def test_bad_operator_arguments_fail_clearly(dag_runner, oic_connection, capfd):
    body = (
        IMPORTS
        + """
both = ActivateIntegrationOperator(task_id="both", integration_id="A|01.00.0000", code="A", version="01.00.0000")
nothing = SingerToOICOperator(task_id="nothing")
"""
    )
    run = dag_runner.run(body)
    assert task_states(run) == {"both": "failed", "nothing": "failed"}
    out, err = capfd.readouterr()
    assert "not both" in out + err
    assert "exactly one of release_dir, tap_command, input_path, records" in out + err


def _value(raw):
    """XCom rows hold JSON text, except plain strings such as extra links."""
    if not isinstance(raw, str):
        return raw
    try:
        return json.loads(raw)
    except json.JSONDecodeError:
        return raw


def test_on_kill_stops_the_tap(airflow_db):
    import threading
    import time

    from airflow_provider_oracle_oic.operators.singer_to_oic import SingerToOICOperator, TapFailedError

    operator = SingerToOICOperator(
        task_id="deploy", tap_command=[sys.executable, "-c", "import time; time.sleep(120)"]
    )
    outcome: list[BaseException | None] = []

    def consume() -> None:
        try:
            list(operator._lines())
            outcome.append(None)
        except BaseException as exc:
            outcome.append(exc)

    reader = threading.Thread(target=consume)
    reader.start()
    deadline = time.monotonic() + 10
    while operator._tap is None and time.monotonic() < deadline:
        time.sleep(0.05)
    operator.on_kill()
    reader.join(timeout=15)
    assert not reader.is_alive()
    assert operator._tap is not None
    assert operator._tap.returncode is not None
    assert isinstance(outcome[0], TapFailedError)


def test_the_operator_deploys_with_the_hooks_own_client_and_settings(
    airflow_db, oic_emulator, monkeypatch, tmp_path
):
    """One client per task (the hook's), its float timeout unchanged, no settings dict round trip."""
    from airflow_provider_oracle_oic.deploy import engine
    from airflow_provider_oracle_oic.operators.singer_to_oic import SingerToOICOperator

    monkeypatch.setenv("AIRFLOW_CONN_ORACLE_OIC_DEFAULT", connection_json(oic_emulator, timeout=2.5))
    seen: list[tuple[float, object]] = []
    run = engine.Deployment.run

    def watched(self):
        seen.append((self.oic_config.request_timeout, self._client))
        return run(self)

    monkeypatch.setattr(engine.Deployment, "run", watched)
    operator = SingerToOICOperator(
        task_id="deploy",
        records=[
            {"stream": "lookups", "record": {"name": "LK_OP", "columns": ["a", "b"], "rows": [["1", "2"]]}}
        ],
        target_config={"state_path": str(tmp_path / "ledger.json")},
    )
    oic_emulator.reset_stats()
    output = operator.execute({})
    assert output["ok"] is True
    [(timeout, client)] = seen
    assert timeout == 2.5
    assert client is not None
    assert client.config.request_timeout == 2.5
    assert oic_emulator.stats()["token_requests"] == 1
    assert operator.console_url == f"{oic_emulator.url}/ic/home/"
    assert [link.name for link in operator.operator_extra_links] == ["OIC console", "OIC run report"]
    from airflow.models.taskinstancekey import TaskInstanceKey

    key = TaskInstanceKey("promote", "deploy", "manual__2026-12-03T10:00:00+00:00", 1, 3)
    report = operator.operator_extra_links[1].get_link(operator, ti_key=key)
    assert report == "/oracle-oic/runs/promote/manual__2026-12-03T10%3A00%3A00%2B00%3A00/deploy?map_index=3"


def test_a_target_config_typo_fails_the_task_naming_it(airflow_db, oic_emulator, monkeypatch):
    from airflow.sdk.exceptions import AirflowException

    from airflow_provider_oracle_oic.operators.singer_to_oic import SingerToOICOperator

    monkeypatch.setenv("AIRFLOW_CONN_ORACLE_OIC_DEFAULT", connection_json(oic_emulator))
    operator = SingerToOICOperator(
        task_id="deploy",
        records=[{"stream": "lookups", "record": {"name": "LK", "columns": ["a", "b"], "rows": []}}],
        target_config={"state_paht": "/tmp/ledger.json"},
    )
    oic_emulator.reset_stats()
    with pytest.raises(AirflowException, match="unknown setting\\(s\\) state_paht"):
        operator.execute({})
    assert oic_emulator.stats()["writes"] == 0


def test_singer_to_oic_deploys_a_release_folder(dag_runner, oic_connection, tmp_path, capfd):
    release = Path(__file__).resolve().parents[2] / "example_dags" / "data" / "release"
    run = dag_runner.run(
        IMPORTS
        + f"""
SingerToOICOperator(
    task_id="deploy", release_dir={str(release)!r}, activate_integrations=True,
    secrets={{"ERP_PASSWORD": "erp-folder-secret-6620"}},
)
"""
    )
    assert task_states(run) == {"deploy": "success"}
    api = Api(oic_connection)
    assert api.status("ORDERS|01.00.0000") == "ACTIVATED"
    assert api.get("/lookups/COUNTRY_CODES").json()["rowCount"] == 3
    out, err = capfd.readouterr()
    assert "erp-folder-secret-6620" not in out + err


def test_a_bad_release_folder_fails_the_task_before_any_write(dag_runner, oic_connection, tmp_path, capfd):
    folder = tmp_path / "release"
    (folder / "libraries").mkdir(parents=True)
    (folder / "libraries" / "helpers.js").write_text("function f() {}")
    oic_connection.reset_stats()
    run = dag_runner.run(IMPORTS + f"SingerToOICOperator(task_id='deploy', release_dir={str(folder)!r})\n")
    assert task_states(run) == {"deploy": "failed"}
    assert oic_connection.stats()["writes"] == 0
    out, err = capfd.readouterr()
    assert "libraries/helpers.js: name it <CODE>_<VERSION>.js" in out + err


def test_plan_only_then_approved_plan_applies_exactly_or_refuses(dag_runner, oic_connection, capfd):
    body = (
        IMPORTS
        + f"""
records = [{{"stream": "lookups", "record": {{"name": "CODES", "columns": ["a", "b"], "rows": [["1", "2"]]}}}},
           {{"stream": "integrations", "record": {{"code": "HELLO", "version": "01.00.0000",
                                                  "archive_base64": {iar_b64("HELLO")!r}}}}}]
plan = SingerToOICOperator(task_id="plan", records=records, plan_only=True)
apply = SingerToOICOperator(task_id="apply", records=records, approved_plan=plan.output)
"""
    )
    oic_connection.reset_stats()
    run = dag_runner.run(body)
    assert task_states(run) == {"plan": "success", "apply": "success"}
    planned = _value(xcom_values(run)["plan:return_value"])
    assert {(s["artifact"], s["action"]) for s in planned["plan"]["steps"]} == {
        ("lookup CODES", "create"),
        ("integration HELLO|01.00.0000", "create"),
    }
    assert "lookup CODES" in planned["summary"]
    applied = _value(xcom_values(run)["apply:return_value"])
    assert {(r["artifact"], r["action"], r["outcome"]) for r in applied["results"]} == {
        ("lookup CODES", "create", "applied"),
        ("integration HELLO|01.00.0000", "create", "applied"),
    }
    assert oic_connection.stats()["writes"] == 2


def test_an_approved_plan_that_oic_outran_writes_nothing(dag_runner, oic_connection, capfd):
    api = Api(oic_connection)
    api.post("/lookups", json={"name": "CODES", "columns": ["a", "b"], "rows": [{"rowData": ["0", "0"]}]})
    body = (
        IMPORTS
        + """
from airflow.sdk import task

records = [{"stream": "lookups", "record": {"name": "CODES", "columns": ["a", "b"], "rows": [["1", "2"]]}}]
plan = SingerToOICOperator(task_id="plan", records=records, plan_only=True)

@task
def someone_else():
    from airflow_provider_oracle_oic.hooks import oic_hook
    oic_hook("oracle_oic_default").client.lookups.update("CODES", ["a", "b"], [["9", "9"]])

apply = SingerToOICOperator(task_id="apply", records=records, approved_plan=plan.output)
plan >> someone_else() >> apply
"""
    )
    run = dag_runner.run(body)
    assert task_states(run)["apply"] == "failed"
    rows = [r["rowData"] for r in api.get("/lookups/CODES").json()["rows"]]
    assert rows == [["9", "9"]]
    out, err = capfd.readouterr()
    assert "lookup CODES: plan: OIC changed it since the plan" in out + err


def test_restore_run_operator_puts_back_what_a_run_replaced(dag_runner, oic_connection, tmp_path):
    backups = str(tmp_path / "backups")
    first = iar_b64("HELLO", payload=b"first")
    second = iar_b64("HELLO", payload=b"second")
    body = (
        IMPORTS
        + f"""
from airflow_provider_oracle_oic.operators.restore import RestoreRunOperator

def records(archive, rows):
    return [{{"stream": "integrations", "record": {{"code": "HELLO", "version": "01.00.0000", "archive_base64": archive}}}},
            {{"stream": "lookups", "record": {{"name": "CODES", "columns": ["a", "b"], "rows": rows}}}}]

config = {{"backup_directory": {backups!r}}}
one = SingerToOICOperator(task_id="one", records=records({first!r}, [["1", "one"]]), target_config=config)
two = SingerToOICOperator(task_id="two", records=records({second!r}, [["1", "two"]]), target_config=config)
preview = RestoreRunOperator(task_id="preview", run_id="{{{{ ti.xcom_pull(task_ids='two')['run_id'] }}}}",
                             plan_only=True, target_config=config)
restore = RestoreRunOperator(task_id="restore", run_id="{{{{ ti.xcom_pull(task_ids='two')['run_id'] }}}}",
                             target_config=config)
one >> two >> preview >> restore
"""
    )
    api = Api(oic_connection)
    run = dag_runner.run(body)
    assert task_states(run) == {
        "one": "success",
        "two": "success",
        "preview": "success",
        "restore": "success",
    }
    preview = _value(xcom_values(run)["preview:return_value"])
    assert {r["outcome"] for r in preview["results"]} == {"planned"}
    rows = [r["rowData"] for r in api.get("/lookups/CODES").json()["rows"]]
    assert rows == [["1", "one"]]
    exported = api.get("/integrations/HELLO%7C01.00.0000/archive").content
    assert base64.b64encode(exported).decode() == first


def test_local_backups_on_a_many_machine_executor_are_warned_about(monkeypatch):
    from airflow_provider_oracle_oic.operators.ledger_store import local_backups_warning

    monkeypatch.setenv("AIRFLOW__CORE__EXECUTOR", "LocalExecutor")
    assert local_backups_warning(None) is None
    monkeypatch.setenv("AIRFLOW__CORE__EXECUTOR", "CeleryExecutor")
    warning = local_backups_warning("/var/oic/backups")
    assert warning is not None
    assert "CeleryExecutor runs tasks on several machines" in warning
    assert local_backups_warning("s3://bucket/prod") is None
