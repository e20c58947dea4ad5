"""deployment_strategy in the engine: blue_green and canary, planned, applied and rolled back."""

from __future__ import annotations

import json

import pytest

from airflow_provider_oracle_oic.singer.inprocess import InputError, run_target
from tests.http_api import Api
from tests.http_api import traffic as shared_traffic
from tests.target.conftest import singer_lines

ERP = {
    "id": "REST_ERP",
    "securityPolicy": "BASIC_AUTH",
    "status": "CONFIGURED",
    "connectionProperties": {"connectionUrl": "https://erp.example.com"},
    "securityProperties": {"username": "svc", "password": "x"},
}


def release(archives, version: str = "01.00.0000") -> list:
    return [
        (
            "integrations",
            {
                "code": "ORDERS",
                "version": version,
                "activate": True,
                "archive_path": archives.iar("ORDERS", version, connections=["REST_ERP"]),
            },
        )
    ]


def blue_green(config) -> dict:
    return {
        **config,
        "deployment_strategy": "blue_green",
        "deployment_prefix": "GREEN_",
        "live_prefix": "BLUE_",
        "routing_lookup": "ORDERS_ACTIVE_COLOR",
    }


@pytest.fixture
def blue_live(oic_emulator) -> Api:
    oic_emulator.seed(
        {
            "connections": [ERP],
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
    return Api(oic_emulator)


def routing(api: Api, name: str) -> list[list[str]]:
    return [r["rowData"] for r in api.get(f"/lookups/{name}").json()["rows"]]


def test_blue_green_plans_switches_and_retires(config, archives, oic_emulator, blue_live):
    settings = blue_green(config)
    planned = run_target({**settings, "dry_run": True}, singer_lines(release(archives)))
    assert planned.ok, planned.summary()
    assert [(r.artifact, r.action) for r in planned.results][-2:] == [
        ("lookup ORDERS_ACTIVE_COLOR (routing)", "update"),
        ("integration BLUE_ORDERS|01.00.0000", "deactivate"),
    ]
    result = run_target(settings, singer_lines(release(archives)))
    assert result.ok, result.summary()
    api = blue_live
    assert api.status("GREEN_ORDERS|01.00.0000") == "ACTIVATED"
    assert api.status("BLUE_ORDERS|01.00.0000") == "CONFIGURED"
    assert routing(api, "ORDERS_ACTIVE_COLOR") == [["ORDERS", "GREEN"]]
    oic_emulator.reset_stats()
    again = run_target(settings, singer_lines(release(archives)))
    assert again.ok, again.summary()
    assert oic_emulator.stats()["writes"] == 0


def test_blue_green_failure_rolls_back_to_blue(config, archives, oic_emulator, blue_live):
    oic_emulator.set_faults(
        [{"route": "*/integrations/BLUE_ORDERS*", "methods": ["POST"], "p500": 1.0, "times": 10}]
    )
    result = run_target({**blue_green(config), "max_retries": 0}, singer_lines(release(archives)))
    oic_emulator.set_faults([])
    assert not result.ok
    assert result.not_restorable == []
    api = blue_live
    assert api.status("BLUE_ORDERS|01.00.0000") == "ACTIVATED"
    assert routing(api, "ORDERS_ACTIVE_COLOR") == [["ORDERS", "BLUE"]]
    assert api.get("/integrations/GREEN_ORDERS%7C01.00.0000").status_code == 404


def traffic(server, canary_error_rate: float):
    return shared_traffic(server, {"01.00.0000": 0.01, "02.00.0000": canary_error_rate})


@pytest.fixture
def stable_live(oic_emulator) -> Api:
    oic_emulator.seed(
        {
            "connections": [ERP],
            "integrations": [
                {
                    "code": "ORDERS",
                    "version": "01.00.0000",
                    "connections": ["REST_ERP"],
                    "status": "ACTIVATED",
                }
            ],
            "lookups": [
                {"name": "ORDERS_ROUTING", "columns": ["version", "weight"], "rows": [["01.00.0000", "100"]]}
            ],
        }
    )
    return Api(oic_emulator)


def canary(config) -> dict:
    return {
        **config,
        "deployment_strategy": "canary",
        "routing_lookup": "ORDERS_ROUTING",
        "canary_steps": [50, 100],
        "canary_observe_seconds": 0.6,
        "canary_min_messages": 5,
        "activation_poll_interval": 0.1,
    }


def test_a_healthy_canary_takes_all_the_traffic(config, archives, oic_emulator, stable_live):
    with traffic(oic_emulator, canary_error_rate=0.0):
        result = run_target(canary(config), singer_lines(release(archives, "02.00.0000")))
    assert result.ok, result.summary()
    steps = [(r.artifact, r.outcome.value) for r in result.results if r.artifact.startswith("canary")]
    assert steps == [
        ("canary ORDERS|02.00.0000 at 50%", "applied"),
        ("canary ORDERS|02.00.0000 at 100%", "applied"),
    ]
    api = stable_live
    assert api.status("ORDERS|02.00.0000") == "ACTIVATED"
    assert api.status("ORDERS|01.00.0000") == "CONFIGURED"
    assert routing(api, "ORDERS_ROUTING") == [["01.00.0000", "0"], ["02.00.0000", "100"]]


def test_an_unhealthy_canary_rolls_the_release_back(config, archives, oic_emulator, stable_live):
    with traffic(oic_emulator, canary_error_rate=0.6):
        result = run_target(canary(config), singer_lines(release(archives, "02.00.0000")))
    assert not result.ok
    failed = next(r for r in result.results if r.outcome.value == "failed")
    assert failed.artifact == "canary ORDERS|02.00.0000 at 50%"
    assert "error rate" in (failed.detail or "")
    assert result.not_restorable == []
    api = stable_live
    assert api.status("ORDERS|01.00.0000") == "ACTIVATED"
    assert routing(api, "ORDERS_ROUTING") == [["01.00.0000", "100"]]
    assert api.get("/integrations/ORDERS%7C02.00.0000").status_code == 404


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"deployment_strategy": "wild"},
            r"'wild' is not one of \['rolling', 'blue_green', 'canary'\] in config\['deployment_strategy'\]",
        ),
        ({"deployment_strategy": "blue_green"}, "needs deployment_prefix and routing_lookup"),
        ({"deployment_strategy": "canary"}, "needs routing_lookup"),
        ({"deployment_strategy": "canary", "routing_lookup": "R", "canary_steps": [50, 20]}, "must rise"),
    ],
)
def test_strategy_settings_are_checked_before_anything(config, archives, oic_emulator, changes, message):
    with pytest.raises(InputError, match=message):
        run_target({**config, **changes}, singer_lines(release(archives)))
    assert oic_emulator.stats()["writes"] == 0


def test_a_saved_blue_green_plan_notices_the_routing_lookup_changing(
    config, archives, oic_emulator, blue_live, tmp_path
):
    plan = tmp_path / "plan.json"
    settings = blue_green(config)
    assert run_target({**settings, "plan_out": str(plan)}, singer_lines(release(archives))).ok
    route = next(s for s in json.loads(plan.read_text())["steps"] if s["artifact"].endswith("(routing)"))
    assert route["status"] == "PRESENT"
    assert route["last_updated"]
    blue_live.put(
        "/lookups/ORDERS_ACTIVE_COLOR",
        json={
            "name": "ORDERS_ACTIVE_COLOR",
            "columns": ["service", "color"],
            "rows": [{"rowData": ["ORDERS", "RED"]}],
        },
    )
    oic_emulator.reset_stats()
    refused = run_target({**settings, "plan": str(plan)}, singer_lines(release(archives)))
    assert [i.artifact for i in refused.issues] == ["lookup ORDERS_ACTIVE_COLOR (routing)"]
    assert oic_emulator.stats()["writes"] == 0
