"""The engine's pure logic at its boundary, with no OIC: strategy steps, a promotion's plan, the canary's
watch, the scheduler's order and stop, and which undos hold a run's pre-run state."""

from __future__ import annotations

import threading
import time
from concurrent.futures import Future
from pathlib import Path

import pytest

from airflow_provider_oracle_oic.deploy.execute.scheduler import schedule
from airflow_provider_oracle_oic.deploy.model.canary import Health, StepReport, Watch, routing_rows
from airflow_provider_oracle_oic.deploy.model.settings import deploy_settings
from airflow_provider_oracle_oic.deploy.model.specs import ArchiveFile, IntegrationSpec, Kind, LookupSpec
from airflow_provider_oracle_oic.deploy.plan.observe import Observed
from airflow_provider_oracle_oic.deploy.plan.planner import ACTIVATION_LEVEL, LEVELS, Action, Part, Plan, Step
from airflow_provider_oracle_oic.deploy.recovery.rollback import pre_run_facts
from airflow_provider_oracle_oic.deploy.state.journal import Entry, Undo, UndoAction
from airflow_provider_oracle_oic.deploy.strategies.promotion import (
    CanaryPromotion,
    promotion_plan,
    weights_after,
)
from airflow_provider_oracle_oic.deploy.strategies.routing import strategy_steps
from airflow_provider_oracle_oic.oic.models import Integration, Lookup

ARCHIVE = ArchiveFile(Path("a.iar"), "0" * 64, "a.iar")
CANARY = {"deployment_strategy": "canary", "routing_lookup": "ROUTING", "canary_steps": [10, 50, 100]}


def integration(code: str, version: str, status: str = "CONFIGURED") -> Integration:
    return Integration(code, version, code, status)


def observed(*integrations: Integration, lookups: tuple[Lookup, ...] = ()) -> Observed:
    found = Observed(list_activated=lambda: [i for i in integrations if i.status == "ACTIVATED"])
    found.integrations.update({i.id: i for i in integrations})
    found.lookups.update({lookup.name: lookup for lookup in lookups})
    return found


def test_a_canary_release_routes_step_by_step_then_retires_the_stable_major():
    settings = deploy_settings(CANARY)
    spec = IntegrationSpec("ORDERS", "02.00.0000", ARCHIVE, activate=True)
    plan = Plan([Step(spec, Action.CREATE, "absent in OIC", LEVELS[Kind.INTEGRATION])])
    steps = strategy_steps(settings, observed(integration("ORDERS", "01.00.0000", "ACTIVATED")), plan)
    assert [(s.part, s.weight, s.action) for s in steps] == [
        (Part.CANARY, 10, Action.UPDATE),
        (Part.CANARY, 50, Action.UPDATE),
        (Part.CANARY, 100, Action.UPDATE),
        (Part.RETIRE, 0, Action.DEACTIVATE),
    ]
    assert steps[1].spec.rows == routing_rows("01.00.0000", "02.00.0000", 50)
    assert steps[-1].target == "ORDERS|01.00.0000"


def test_a_canary_without_a_live_older_major_adds_no_step():
    settings = deploy_settings(CANARY)
    spec = IntegrationSpec("ORDERS", "01.01.0000", ARCHIVE, activate=True)
    plan = Plan([Step(spec, Action.CREATE, "absent in OIC", LEVELS[Kind.INTEGRATION])])
    # The same major is OIC's own minor-version replacement, not a canary.
    assert strategy_steps(settings, observed(integration("ORDERS", "01.00.0000", "ACTIVATED")), plan) == []


def test_blue_green_routes_the_new_colour_and_keeps_other_columns():
    settings = deploy_settings(
        {
            "deployment_strategy": "blue_green",
            "deployment_prefix": "GREEN_",
            "live_prefix": "BLUE_",
            "routing_lookup": "COLOR",
        }
    )
    spec = IntegrationSpec("GREEN_ORDERS", "01.00.0000", ARCHIVE, activate=True)
    plan = Plan([Step(spec, Action.CREATE, "absent in OIC", LEVELS[Kind.INTEGRATION])])
    current = Lookup("COLOR", ("service", "color", "owner"), (("ORDERS", "BLUE", "team-a"),))
    live = integration("BLUE_ORDERS", "01.00.0000", "ACTIVATED")
    route, retire = strategy_steps(settings, observed(live, lookups=(current,)), plan)
    assert route.part == Part.ROUTE
    assert route.spec.rows == (("ORDERS", "GREEN", "team-a"),)
    assert (retire.part, retire.target) == (Part.RETIRE, "BLUE_ORDERS|01.00.0000")


def test_a_promotion_activates_what_is_not_live_and_resumes_after_the_watched_weight():
    settings = deploy_settings(CANARY)
    promotion = CanaryPromotion("ORDERS", "01.00.0000", "02.00.0000")
    state = observed(integration("ORDERS", "01.00.0000", "ACTIVATED"), integration("ORDERS", "02.00.0000"))
    plan = promotion_plan(promotion, state, settings, weights_after(settings, None))
    assert [(s.action, s.target, s.weight) for s in plan.steps] == [
        (Action.ACTIVATE, "ORDERS|02.00.0000", 0),
        (Action.UPDATE, "ORDERS|02.00.0000", 10),
        (Action.UPDATE, "ORDERS|02.00.0000", 50),
        (Action.UPDATE, "ORDERS|02.00.0000", 100),
        (Action.DEACTIVATE, "ORDERS|01.00.0000", 0),
    ]
    assert plan.steps[0].level == ACTIVATION_LEVEL
    assert weights_after(settings, 50) == (100,)
    kept = promotion_plan(
        CanaryPromotion("ORDERS", "01.00.0000", "02.00.0000", retire_stable=False), state, settings, (100,)
    )
    assert [s.weight for s in kept.steps if s.part] == [100]


def test_a_promotion_that_cannot_start_says_why():
    state = observed(integration("ORDERS", "01.00.0000", "ACTIVATED"))
    [same] = CanaryPromotion("ORDERS", "01.00.0000", "01.01.0000").issues(state)
    assert "same major version" in same.message
    [absent] = CanaryPromotion("ORDERS", "01.00.0000", "02.00.0000").issues(state)
    assert str(absent) == "integration ORDERS|02.00.0000: version: is not in OIC; import it first"


@pytest.mark.parametrize(
    ("report", "problem"),
    [
        (StepReport(10, 40, 1, 0.025), None),
        (StepReport(10, 5, 0, 0.0), "only 5 message(s) reached it (min_messages 20)"),
        (StepReport(10, 40, 4, 0.1), "error rate 10.0% is above max_error_rate 5.0%"),
    ],
)
def test_a_step_is_judged_by_one_health_bar(report, problem):
    assert Health(0.05, 20).problem(report) == problem


def test_a_watch_ends_early_only_when_the_canary_is_clearly_unhealthy():
    watch = Watch("ORDERS|02.00.0000", 10, (100, 10), time.time() + 60, Health(0.05, 20))
    assert not watch.over(StepReport(10, 40, 1, 0.025))
    assert watch.over(StepReport(10, 40, 10, 0.25))
    assert Watch("X|02.00.0000", 10, (0, 0), time.time() - 1, Health(0.05, 20)).over(StepReport(10, 0, 0, 0))


def _steps(n: int) -> Plan:
    return Plan([Step(LookupSpec(f"L{i}", ("a", "b"), ()), Action.CREATE, "", 1) for i in range(n)])


def test_the_scheduler_runs_independent_steps_side_by_side_and_futures_hold_no_thread():
    started: list[str] = []
    lock = threading.Lock()

    def start(step: Step) -> str | Future[str]:
        with lock:
            started.append(step.spec.name)
        if step.spec.name == "L0":
            later: Future[str] = Future()
            threading.Timer(0.05, later.set_result, args=("L0 done",)).start()
            return later
        return f"{step.spec.name} done"

    done = schedule(_steps(5), start, 2, stop=lambda result: False)
    assert done.results == ["L0 done", "L1 done", "L2 done", "L3 done", "L4 done"]
    assert not done.stopped
    assert sorted(started) == ["L0", "L1", "L2", "L3", "L4"]


def test_the_scheduler_starts_nothing_after_a_stop():
    done = schedule(_steps(4), lambda step: step.spec.name, 1, stop=lambda result: result == "L1")
    assert done.results == ["L0", "L1", None, None]
    assert done.stopped


def _entry(seq: int, action: UndoAction, ident: str = "ROUTING", kind: Kind = Kind.LOOKUP) -> Entry:
    return Entry(seq, Undo(action, kind, ident, f"{action.value} {ident} #{seq}"))


def test_the_pre_run_state_is_the_oldest_undo_of_each_artifact_and_fact():
    newest_first = [
        _entry(5, UndoAction.RESTORE_LOOKUP),  # back to 50%
        _entry(4, UndoAction.ACTIVATE, "A|01.00.0000", Kind.INTEGRATION),
        _entry(3, UndoAction.RESTORE_LOOKUP),  # back to 10%
        _entry(2, UndoAction.RESTORE_LOOKUP),  # back to the rows before the run
        _entry(1, UndoAction.DEACTIVATE, "A|01.00.0000", Kind.INTEGRATION),
    ]
    assert sorted(e.seq for e in pre_run_facts(newest_first)) == [1, 2]


def test_an_artifact_the_run_created_was_absent_whatever_came_after():
    newest_first = [
        _entry(3, UndoAction.RESTORE_LOOKUP),
        _entry(2, UndoAction.DEACTIVATE, "B|01.00.0000", Kind.INTEGRATION),
        _entry(1, UndoAction.DELETE, "B|01.00.0000", Kind.INTEGRATION),
        _entry(0, UndoAction.DELETE),
    ]
    assert sorted(e.seq for e in pre_run_facts(newest_first)) == [0, 1]
