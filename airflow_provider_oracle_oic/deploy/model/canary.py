"""Watching a canary: the routing rows of one traffic step, its message counts in OIC monitoring over
that step, and the verdict. The engine's canary strategy, `CanaryPromoteOperator` (through the engine)
and `CanaryObservationTrigger` all judge a canary here."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    # Types only: the trigger imports this module in the triggerer, where the client is not needed.
    from ...oic import OICClient
    from ...oic.models import MonitoringCounts

ROUTING_COLUMNS = ("version", "weight")


def routing_rows(stable_version: str, canary_version: str, weight: int) -> tuple[tuple[str, str], ...]:
    """The routing lookup's rows when the canary carries `weight` percent of the traffic."""
    return ((stable_version, str(100 - weight)), (canary_version, str(weight)))


@dataclass(frozen=True)
class StepReport:
    """What the canary did while it carried `weight` percent of the traffic."""

    weight: int
    processed: int
    errors: int
    error_rate: float

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def __str__(self) -> str:
        return f"{self.processed} handled, {self.errors} failed ({self.error_rate:.1%})"


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


@dataclass(frozen=True)
class Watch:
    """One traffic step to watch: the counts it starts from and when it ends (epoch seconds)."""

    canary: str
    weight: int
    since: tuple[int, int]
    until: float
    health: Health

    def report(self, counts: MonitoringCounts) -> StepReport:
        """The step's report, given the canary's counts now."""
        return report(self.weight, self.since, handled_and_failed(counts))

    def over(self, current: StepReport) -> bool:
        """Whether watching can stop: the step's time is up, or the canary is clearly unhealthy."""
        return self.health.clearly_unhealthy(current) or time.time() >= self.until

    def pause(self, poll_interval: float) -> float:
        """Seconds to sleep before the next read."""
        return max(min(poll_interval, self.until - time.time()), 0)


def handled_and_failed(counts: MonitoringCounts) -> tuple[int, int]:
    """Messages an integration has finished (either way), and those that failed."""
    return counts.succeeded + counts.errors + counts.aborted, counts.errors + counts.aborted


def report(weight: int, since: tuple[int, int], now: tuple[int, int]) -> StepReport:
    handled, failed = now[0] - since[0], now[1] - since[1]
    rate = failed / handled if handled else 0.0
    return StepReport(weight, handled, failed, round(rate, 4))


def start_watch(client: OICClient, canary: str, weight: int, seconds: float, health: Health) -> Watch:
    """Begin watching `canary` at `weight` percent for `seconds` from its counts now."""
    since = handled_and_failed(client.monitoring.integration_counts(canary))
    return Watch(canary, weight, since, time.time() + seconds, health)


def observe(client: OICClient, watch: Watch, poll_interval: float) -> StepReport:
    """Watch in this thread (reading the counts every `poll_interval`) until the watch is over."""
    while True:
        time.sleep(watch.pause(poll_interval))
        current = watch.report(client.monitoring.integration_counts(watch.canary))
        if watch.over(current):
            return current
