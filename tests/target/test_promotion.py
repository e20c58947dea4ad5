"""A canary promotion through the engine over HTTP: watched in-run, or paused and resumed step by step
(as the triggerer does), rolled back from its journal, restored by its run id."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from airflow_provider_oracle_oic.deploy.engine import Deployment
from airflow_provider_oracle_oic.deploy.model.canary import StepReport
from airflow_provider_oracle_oic.deploy.model.result import Outcome
from airflow_provider_oracle_oic.deploy.strategies.promotion import CanaryPromotion, Resumption
from tests.http_api import Api, traffic

PROMOTION = CanaryPromotion("ORDERS", "01.00.0000", "02.00.0000")
ROUTING = [["01.00.0000", "100"]]


@pytest.fixture
def canary_config(config) -> dict:
    return {
        **config,
        "deployment_strategy": "canary",
        "routing_lookup": "ORDERS_ROUTING",
        "canary_steps": [10, 50, 100],
        "canary_observe_seconds": 0,
        "canary_min_messages": 10,
    }


@pytest.fixture
def two_versions(oic_emulator) -> Api:
    oic_emulator.seed(
        {
            "integrations": [
                {"code": "ORDERS", "version": "01.00.0000", "status": "ACTIVATED"},
                {"code": "ORDERS", "version": "02.00.0000"},
            ],
            "lookups": [{"name": "ORDERS_ROUTING", "columns": ["version", "weight"], "rows": ROUTING}],
        }
    )
    return Api(oic_emulator)


def paused(config: dict) -> Deployment:
    deployment = Deployment.from_target_config(config)
    deployment.watch_elsewhere = True
    return deployment


def rows(api: Api) -> list[list[str]]:
    return [r["rowData"] for r in api.get("/lookups/ORDERS_ROUTING").json()["rows"]]


def healthy(weight: int) -> StepReport:
    return StepReport(weight, 40, 0, 0.0)


def test_a_paused_promotion_goes_on_step_by_step_under_one_run(canary_config, two_versions):
    first = paused(canary_config).promote(PROMOTION)
    assert first.ok, first.summary()
    assert first.watch is not None
    assert (first.watch.canary, first.watch.weight) == ("ORDERS|02.00.0000", 10)
    assert rows(two_versions) == [["01.00.0000", "90"], ["02.00.0000", "10"]]
    assert {r.outcome for r in first.results} >= {Outcome.APPLIED, Outcome.WAITING}
    run_id = first.run_id
    second = paused(canary_config).promote(PROMOTION, Resumption(run_id, healthy(10)))
    assert (second.run_id, second.watch.weight) == (run_id, 50)
    third = paused(canary_config).promote(PROMOTION, Resumption(run_id, healthy(50)))
    assert third.watch.weight == 100
    last = paused(canary_config).promote(PROMOTION, Resumption(run_id, healthy(100)))
    assert last.ok, last.summary()
    assert last.watch is None
    assert two_versions.status("ORDERS|01.00.0000") == "CONFIGURED"
    assert two_versions.status("ORDERS|02.00.0000") == "ACTIVATED"
    assert rows(two_versions) == [["01.00.0000", "0"], ["02.00.0000", "100"]]
    journal = canary_config["state_path"] + ".journals"
    events = [json.loads(line) for line in Path(f"{journal}/{run_id}.journal.jsonl").read_text().splitlines()]
    assert [e["status"] for e in events if e["event"] == "end"] == ["paused", "paused", "paused", "deployed"]


def test_an_unhealthy_later_step_rolls_back_every_step_exactly(canary_config, two_versions):
    first = paused(canary_config).promote(PROMOTION)
    second = paused(canary_config).promote(PROMOTION, Resumption(first.run_id, healthy(10)))
    assert second.watch.weight == 50
    failed = paused(canary_config).promote(PROMOTION, Resumption(first.run_id, StepReport(50, 40, 30, 0.75)))
    assert not failed.ok
    assert "canary ORDERS|02.00.0000 at 50% traffic: error rate 75.0%" in failed.error
    # Two routing writes and an activation undone, newest first; nothing named as left behind.
    assert [u.description for u in failed.undo] == [
        "restore lookup ORDERS_ROUTING (2 rows)",
        "restore lookup ORDERS_ROUTING (1 rows)",
        "deactivate integration ORDERS|02.00.0000",
    ]
    assert failed.not_restorable == []
    assert rows(two_versions) == ROUTING
    assert two_versions.status("ORDERS|01.00.0000") == "ACTIVATED"
    assert two_versions.status("ORDERS|02.00.0000") == "CONFIGURED"


def test_a_watch_that_could_not_read_oic_rolls_back(canary_config, two_versions):
    first = paused(canary_config).promote(PROMOTION)
    lost = Resumption(first.run_id, StepReport(10, 0, 0, 0.0), "Reading the counts of ORDERS failed: 503")
    failed = paused(canary_config).promote(PROMOTION, lost)
    assert not failed.ok
    assert failed.error.endswith("Reading the counts of ORDERS failed: 503")
    assert rows(two_versions) == ROUTING
    assert two_versions.status("ORDERS|02.00.0000") == "CONFIGURED"


def test_only_a_paused_run_of_this_oic_can_be_resumed(canary_config, two_versions):
    result = paused(canary_config).promote(PROMOTION, Resumption("0123456789ab", healthy(10)))
    assert not result.ok
    assert [str(i) for i in result.issues] == [
        "run 0123456789ab: run_id: is not a paused promotion of this OIC"
    ]
    assert rows(two_versions) == ROUTING


@pytest.mark.parametrize(
    ("promotion", "message"),
    [
        (CanaryPromotion("ORDERS", "01.00.0000", "01.01.0000"), "same major version as 01.00.0000"),
        (CanaryPromotion("ORDERS", "01.00.0000", "03.00.0000"), "ORDERS|03.00.0000: version: is not in OIC"),
    ],
)
def test_a_promotion_that_cannot_start_writes_nothing(
    canary_config, two_versions, oic_emulator, promotion, message
):
    oic_emulator.reset_stats()
    result = paused(canary_config).promote(promotion)
    assert not result.ok
    assert message in str(result.issues[0])
    assert oic_emulator.stats()["writes"] == 0


def test_a_restore_puts_a_finished_promotion_back(canary_config, two_versions, oic_emulator):
    watched_here = {**canary_config, "canary_observe_seconds": 0.3}
    with traffic(oic_emulator, {"01.00.0000": 0.0, "02.00.0000": 0.0}):
        run = Deployment.from_target_config(watched_here).promote(PROMOTION)
    assert run.ok, run.summary()
    assert [r.weight for r in run.watched] == [10, 50, 100]
    restored = Deployment.from_target_config({**canary_config, "restore_run": run.run_id}).run()
    assert restored.ok, restored.summary()
    assert rows(two_versions) == ROUTING
    assert two_versions.status("ORDERS|01.00.0000") == "ACTIVATED"
    assert two_versions.status("ORDERS|02.00.0000") == "CONFIGURED"
