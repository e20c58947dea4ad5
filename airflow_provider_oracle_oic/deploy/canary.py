"""Watching a canary: its message counts in OIC monitoring over one traffic step, and the verdict.

Shared by the engine's canary strategy and `CanaryPromoteOperator`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    # Types only: the operator imports this module while Airflow parses DAG files.
    from ..oic import OICClient
    from ..oic.models import MonitoringCounts


@dataclass(frozen=True)
class StepReport:
    """What the canary did while it carried `weight` percent of the traffic."""

    weight: int
    processed: int
    errors: int
    error_rate: float


@dataclass(frozen=True)
class Health:
    """The bar a canary must clear in every step."""

    max_error_rate: float
    min_messages: int

    def problem(self, report: StepReport) -> str | None:
        """Why the canary must not go on after this step; None when it is healthy."""
        if report.processed < self.min_messages:
            return f"only {report.processed} message(s) reached it (min_messages {self.min_messages})"
        if report.error_rate > self.max_error_rate:
            return f"error rate {report.error_rate:.1%} is above max_error_rate {self.max_error_rate:.1%}"
        return None

    def clearly_unhealthy(self, report: StepReport) -> bool:
        """Enough messages to judge and already too many errors: no need to watch to the end."""
        return report.processed >= self.min_messages and report.error_rate > self.max_error_rate


def handled_and_failed(counts: MonitoringCounts) -> tuple[int, int]:
    """Messages an integration has finished (either way), and those that failed."""
    return counts.succeeded + counts.errors + counts.aborted, counts.errors + counts.aborted


def report(weight: int, since: tuple[int, int], now: tuple[int, int]) -> StepReport:
    handled, failed = now[0] - since[0], now[1] - since[1]
    rate = failed / handled if handled else 0.0
    return StepReport(weight, handled, failed, round(rate, 4))


def observe(
    client: OICClient, canary: str, weight: int, seconds: float, poll_interval: float, health: Health
) -> StepReport:
    """Watch `canary` for `seconds` (reading its counts every `poll_interval`); stop early once it is
    clearly unhealthy."""
    since = handled_and_failed(client.monitoring.integration_counts(canary))
    deadline = time.monotonic() + seconds
    while True:
        time.sleep(max(min(poll_interval, deadline - time.monotonic()), 0))
        current = report(weight, since, handled_and_failed(client.monitoring.integration_counts(canary)))
        if health.clearly_unhealthy(current) or time.monotonic() >= deadline:
            return current
