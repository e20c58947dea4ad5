"""Promoting one release to a fleet of OIC instances in waves (docs/fleet.md): who is in the fleet,
which wave each instance is in, and what each instance ended as. No Airflow import: the example DAG's
tasks call these, and the logic is tested without a scheduler."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

FLEET_VARIABLE = "oracle_oic_fleet"
CANARY_WAVE = "canary"
# The waves a fleet DAG declares: mapped tasks cannot be added at run time, so the last wave takes
# whatever the earlier ones leave (a wave with no member is skipped).
WAVES = (CANARY_WAVE, "wave_2", "wave_3", "wave_4")


class FleetError(ValueError):
    """The fleet cannot be read from where it is named; the message says what to fix."""


def fleet_members(value: Any, where: str = f"Variable {FLEET_VARIABLE}") -> list[str]:
    """The fleet's `oracle_oic` connection ids, canary first, from a JSON list (text or parsed)."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            raise FleetError(
                f'{where} is not JSON; set it to a list of oracle_oic connection ids, e.g. ["oic_dev", "oic_prod"]'
            ) from None
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
        raise FleetError(f"{where} must be a non-empty JSON list of oracle_oic connection ids, canary first")
    twice = sorted({v for v in value if value.count(v) > 1})
    if twice:
        raise FleetError(f"{where} names {', '.join(twice)} more than once; one promotion per OIC at a time")
    return [v.strip() for v in value]


def plan_waves(members: Sequence[str], wave_size: int, waves: Sequence[str] = WAVES) -> dict[str, list[str]]:
    """Each wave's members: the first instance alone (the canary), then `wave_size` at a time."""
    if wave_size < 1:
        raise FleetError(f"wave_size is {wave_size}; give 1 or more instances per wave")
    plan = {name: [] for name in waves}
    plan[waves[0]] = list(members[:1])
    rest = list(members[1:])
    for position, name in enumerate(waves[1:], start=1):
        last = position == len(waves) - 1
        plan[name], rest = (rest, []) if last else (rest[:wave_size], rest[wave_size:])
    return plan


class InstanceOutcome(str, Enum):
    """What one instance of the fleet ended as."""

    DEPLOYED = "deployed"
    ROLLED_BACK = "failed, rolled back to its pre-run state"
    NOT_RESTORED = "failed, NOT restored"
    FAILED = "failed before its deployment ran (see the task's log)"
    NOT_RUN = "not run: an earlier wave failed"


@dataclass(frozen=True)
class InstanceReport:
    """One instance's line in the fleet summary."""

    conn_id: str
    wave: str
    outcome: InstanceOutcome
    run_id: str | None = None
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.outcome == InstanceOutcome.DEPLOYED


def _outcome(result: Mapping[str, Any] | None, earlier_failed: bool) -> tuple[InstanceOutcome, str]:
    if result is None:
        return (InstanceOutcome.NOT_RUN, "") if earlier_failed else (InstanceOutcome.FAILED, "")
    if result.get("ok"):
        return InstanceOutcome.DEPLOYED, ""
    lost = list(result.get("not_restorable") or [])
    if lost:
        return InstanceOutcome.NOT_RESTORED, "; ".join(lost)
    rows = result.get("results") or []
    failed = [
        f"{r['artifact']}: {r.get('detail') or r.get('reason')}" for r in rows if r.get("outcome") == "failed"
    ]
    issues = [f"{i['artifact']}: {i['field']}: {i['message']}" for i in result.get("issues") or []]
    return InstanceOutcome.ROLLED_BACK, "; ".join(
        failed + issues + ([result["error"]] if result.get("error") else [])
    )


def fleet_report(
    waves: Mapping[str, Sequence[str]], result_of: Callable[[str, int], Mapping[str, Any] | None]
) -> list[InstanceReport]:
    """Every instance's outcome, wave by wave, from the deploy result each wave task left (or None)."""
    reports: list[InstanceReport] = []
    for wave, members in waves.items():
        earlier_failed = any(not r.ok for r in reports)
        for index, conn_id in enumerate(members):
            result = result_of(wave, index)
            outcome, detail = _outcome(result, earlier_failed)
            reports.append(InstanceReport(conn_id, wave, outcome, (result or {}).get("run_id"), detail))
    return reports


def fleet_summary(reports: Sequence[InstanceReport]) -> str:
    """The summary table: one line per instance."""
    width = max((len(r.conn_id) for r in reports), default=0)
    deployed = sum(r.ok for r in reports)
    lines = [f"fleet promotion: {deployed} of {len(reports)} instance(s) deployed"]
    for r in reports:
        run = f" (run {r.run_id})" if r.run_id else ""
        lines.append(
            f"  {r.conn_id:<{width}}  {r.wave:<7}  {r.outcome.value}{run}{': ' + r.detail if r.detail else ''}"
        )
    return "\n".join(lines)
