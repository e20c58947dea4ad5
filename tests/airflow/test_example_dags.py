"""The example DAGs: they import cleanly (no network, no connection lookups) and run end to end on the emulator."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from airflow_provider_oracle_oic.emulator import EmulatorServer
from airflow_provider_oracle_oic.emulator.builders import (
    IntegrationArchiveSpec,
    ProjectArchiveSpec,
    build_car,
)
from tests.airflow.conftest import ERP_SECRET, EXAMPLES, connection_json, load, task_states, xcom_values
from tests.airflow.test_canary import traffic
from tests.http_api import Api

EXAMPLE_FILES = sorted(EXAMPLES.glob("*.py"))


def test_example_dags_load_without_errors(airflow_db):
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(EXAMPLES))
    assert bag.import_errors == {}
    assert set(bag.dag_ids) == {
        "oic_scheduled_promotion",
        "oic_blue_green",
        "oic_canary_release",
        "oic3_project_promotion",
        "oic_approved_promotion",
        "oic_drift_watch",
        "oic_drift_repair",
        "oic_fleet_promotion",
    }


def test_importing_the_example_dags_does_no_io():
    # One interpreter for all of them (each would pay Airflow's import again); each file is run afresh.
    code = (
        "import socket, sys\n"
        "def refuse(*a, **k):\n"
        "    raise AssertionError('network I/O at import time')\n"
        "socket.socket.connect = refuse\n"
        "socket.create_connection = refuse\n"
        "from airflow.sdk import BaseHook\n"
        "def no_lookup(*a, **k):\n"
        "    raise AssertionError('connection lookup at import time')\n"
        "BaseHook.get_connection = classmethod(no_lookup)\n"
        "import runpy\n"
        "for path in sys.argv[1:]:\n"
        "    runpy.run_path(path)\n"
        "    print('imported', path)\n"
    )
    paths = [str(path) for path in EXAMPLE_FILES]
    done = subprocess.run([sys.executable, "-c", code, *paths], capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.splitlines() == [f"imported {path}" for path in paths]


def test_scheduled_promotion_deploys_then_rerun_writes_nothing(examples, oic_connection, capfd):
    dag = load(examples, "oic_scheduled_promotion")
    run = dag.test()
    assert task_states(run) == {
        "validate": "success",
        "plan": "success",
        "deploy": "success",
        "smoke_test": "success",
    }
    api = Api(oic_connection)
    assert api.status("ORDERS|01.00.0000") == "ACTIVATED"
    assert api.get("/connections/REST_ERP").json()["status"] == "CONFIGURED"
    plan = xcom_values(run)["plan:return_value"]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    assert plan["mode"] == "dry-run"
    oic_connection.reset_stats()
    again = dag.test()
    assert task_states(again)["deploy"] == "success"
    assert oic_connection.stats()["writes"] == 0
    out, err = capfd.readouterr()
    assert ERP_SECRET not in out + err


def test_blue_green_swaps_the_live_color(examples, oic_connection):
    oic_connection.seed(
        {
            "connections": [
                {
                    "id": "REST_ERP",
                    "securityPolicy": "BASIC_AUTH",
                    "status": "CONFIGURED",
                    "connectionProperties": {"connectionUrl": "https://erp.example.com/api"},
                    "securityProperties": {"username": "oic-integration", "password": "old"},
                }
            ],
            "integrations": [
                {
                    "code": "BLUE_ORDERS",
                    "version": "01.00.0000",
                    "connections": ["REST_ERP"],
                    "status": "ACTIVATED",
                }
            ],
            "lookups": [
                {"name": "ORDERS_ACTIVE_COLOR", "columns": ["service", "color"], "rows": [["ORDERS", "BLUE"]]}
            ],
        }
    )
    run = load(examples, "oic_blue_green").test()
    assert task_states(run) == {"swap": "success"}
    api = Api(oic_connection)
    assert api.status("GREEN_ORDERS|01.00.0000") == "ACTIVATED"
    assert api.status("BLUE_ORDERS|01.00.0000") == "CONFIGURED"
    rows = api.get("/lookups/ORDERS_ACTIVE_COLOR").json()["rows"]
    assert [r["rowData"] for r in rows] == [["ORDERS", "GREEN"]]


def test_blue_green_first_release_on_a_fresh_oic_has_nothing_to_retire(examples, oic_connection):
    run = load(examples, "oic_blue_green").test()
    assert task_states(run) == {"swap": "success"}
    result = xcom_values(run)["swap:return_value"]
    result = json.loads(result) if isinstance(result, str) else result
    assert not [r for r in result["results"] if r["action"] == "deactivate"]
    routed = [r for r in result["results"] if r["artifact"] == "lookup ORDERS_ACTIVE_COLOR (routing)"]
    assert [r["outcome"] for r in routed] == ["applied"]
    assert Api(oic_connection).status("GREEN_ORDERS|01.00.0000") == "ACTIVATED"


def test_canary_release_promotes_a_healthy_new_major(examples, oic_connection):
    promotion = load(examples, "oic_scheduled_promotion").test()
    assert task_states(promotion)["deploy"] == "success"
    Api(oic_connection).post(
        "/lookups",
        json={
            "name": "ORDERS_ROUTING",
            "columns": ["version", "weight"],
            "rows": [{"rowData": ["01.00.0000", "100"]}],
        },
    )
    with traffic(oic_connection, canary_error_rate=0.0):
        run = load(examples, "oic_canary_release").test(
            run_conf={"observe_seconds": 0.6, "poll_seconds": 0.1, "min_messages": 10}
        )
    assert task_states(run) == {"deploy_canary": "success", "promote": "success"}
    api = Api(oic_connection)
    assert api.status("ORDERS|02.00.0000") == "ACTIVATED"
    assert api.status("ORDERS|01.00.0000") == "CONFIGURED"


def hub_car(version_payload: str) -> bytes:
    versions = ("01.00.0000", "01.01.0000")
    return build_car(
        ProjectArchiveSpec(
            "ORDERS-HUB",
            "Orders hub",
            integrations=[
                IntegrationArchiveSpec(
                    code, v, connections=["REST_ERP"], payload=f"{code}{v}{version_payload}".encode()
                )
                for code in ("ORD_IN", "ORD_OUT", "ORD_SYNC")
                for v in versions
            ],
            deployments=[
                (f"REL_{n}", f"Release {n}", [(c, v) for c in ("ORD_IN", "ORD_OUT", "ORD_SYNC")])
                for n, v in enumerate(versions, start=1)
            ],
        )
    )


def test_oic3_project_promotion_between_two_oics(examples, oic_emulator, monkeypatch, capfd):
    monkeypatch.setenv(
        "AIRFLOW_CONN_ORACLE_OIC_DEFAULT", connection_json(oic_emulator, integration_instance="oic3-test")
    )
    with EmulatorServer(EmulatorServer().with_config(activation_delay=0.5)) as source:
        monkeypatch.setenv(
            "AIRFLOW_CONN_ORACLE_OIC_SOURCE", connection_json(source, integration_instance="oic3-dev")
        )
        Api(source).upload("POST", "/projects/archive", hub_car("dev"), "hub.car")
        dag = load(examples, "oic3_project_promotion")
        run = dag.test()
        assert task_states(run) == {
            "export": "success",
            "deploy": "success",
            "activate": "success",
            "smoke_test": "success",
        }
        (project,) = oic_emulator.state()["projects"]
        live = {f"{i['code']}|{i['version']}": i["status"] for i in project["integrations"]}
        assert {k for k, v in live.items() if v == "ACTIVATED"} == {
            f"{c}|01.01.0000" for c in ("ORD_IN", "ORD_OUT", "ORD_SYNC")
        }
        assert [d["code"] for d in project["deployments"]] == ["REL_2"]
        assert project["connections"][0]["status"] == "CONFIGURED"
        activated = xcom_values(run)["activate:return_value"]
        assert sorted(activated["changed"]) == sorted(
            f"{c}|01.01.0000" for c in ("ORD_IN", "ORD_OUT", "ORD_SYNC")
        )
        oic_emulator.reset_stats()
        again = dag.test()
        assert set(task_states(again).values()) == {"success"}
        assert oic_emulator.stats()["writes"] == 0
    out, err = capfd.readouterr()
    assert ERP_SECRET not in out + err


@pytest.mark.smoke
def test_drift_watch_emits_the_asset_only_on_drift_and_repair_redeploys(examples, oic_connection):
    from airflow.models import Variable

    # The ledger Variable outlives each test's emulator: start from this test's own deployments.
    Variable.delete("oracle_oic_ledger_secret__oracle_oic_default")
    deployed = load(examples, "oic_scheduled_promotion").test()
    assert task_states(deployed)["deploy"] == "success"
    watch = load(examples, "oic_drift_watch", "watch")
    quiet = watch.test()
    assert task_states(quiet) == {"check": "skipped"}
    api = Api(oic_connection)
    api.set_status("ORDERS|01.00.0000", "CONFIGURED")
    api.put(
        "/lookups/COUNTRY_CODES",
        json={"name": "COUNTRY_CODES", "columns": ["iso2", "name"], "rows": [{"rowData": ["BE", "Belgium"]}]},
    )
    api.wait_status("ORDERS|01.00.0000", "CONFIGURED")
    noisy = watch.test()
    assert task_states(noisy) == {"check": "success"}
    drift = xcom_values(noisy)["check:return_value"]["drift"]
    assert {(d["kind"], d["id"]) for d in drift} == {
        ("integration", "ORDERS|01.00.0000"),
        ("lookup", "COUNTRY_CODES"),
    }
    from airflow.models.asset import AssetEvent
    from airflow.utils.session import create_session

    with create_session() as session:
        events = session.query(AssetEvent).all()
        assert any(e.extra.get("drift") == drift for e in events)
    repair = load(examples, "oic_drift_watch", "repair").test()
    assert task_states(repair) == {"redeploy": "success"}
    assert api.status("ORDERS|01.00.0000") == "ACTIVATED"
    rows = [r["rowData"] for r in api.get("/lookups/COUNTRY_CODES").json()["rows"]]
    assert rows[0] == ["NL", "Netherlands"]
    assert task_states(watch.test()) == {"check": "skipped"}
