"""`CanaryObservationTrigger`: watches a canary's monitoring counts for one traffic step, in the triggerer."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from functools import partial
from typing import TYPE_CHECKING, Any

from airflow.triggers.base import TriggerEvent

from ..oic.errors import OICError
from .activation import OICStatusTrigger

if TYPE_CHECKING:
    from ..oic.client import OICClient


class CanaryObservationTrigger(OICStatusTrigger):
    """Reads the canary's counts every `poll_interval` until `end_time`, or earlier once it is clearly
    unhealthy (`min_messages` handled and the error rate above `max_error_rate`); the event carries the
    step's report and the operator's `state` back to the resumed task."""

    def __init__(
        self,
        oracle_oic_conn_id: str,
        canary: str,
        weight: int,
        handled_before: int,
        failed_before: int,
        end_time: float,
        poll_interval: float,
        max_error_rate: float,
        min_messages: int,
        state: dict[str, Any],
    ) -> None:
        super().__init__()
        self.oracle_oic_conn_id = oracle_oic_conn_id
        self.canary = canary
        self.weight = weight
        self.handled_before = handled_before
        self.failed_before = failed_before
        self.end_time = end_time
        self.poll_interval = poll_interval
        self.max_error_rate = max_error_rate
        self.min_messages = min_messages
        self.state = state

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return (
            f"{type(self).__module__}.{type(self).__qualname__}",
            {
                "oracle_oic_conn_id": self.oracle_oic_conn_id,
                "canary": self.canary,
                "weight": self.weight,
                "handled_before": self.handled_before,
                "failed_before": self.failed_before,
                "end_time": self.end_time,
                "poll_interval": self.poll_interval,
                "max_error_rate": self.max_error_rate,
                "min_messages": self.min_messages,
                "state": self.state,
            },
        )

    def unreachable(self, exc: Exception) -> TriggerEvent:
        return TriggerEvent(
            {"status": "error", "message": f"Cannot reach OIC for {self.canary}: {exc}", "state": self.state}
        )

    async def poll(self, client: OICClient) -> AsyncIterator[TriggerEvent]:
        while True:
            await asyncio.sleep(max(min(self.poll_interval, self.end_time - time.time()), 0))
            try:
                counts = await self.read(partial(client.monitoring.integration_counts, self.canary))
            except OICError as exc:
                yield TriggerEvent(
                    {
                        "status": "error",
                        "message": f"Reading the counts of {self.canary} failed: {exc}",
                        "state": self.state,
                    }
                )
                return
            handled = counts.succeeded + counts.errors + counts.aborted - self.handled_before
            failed = counts.errors + counts.aborted - self.failed_before
            rate = failed / handled if handled else 0.0
            self.log.info(
                "Canary %s at %d%%: %d handled, %d failed (%.1f%%)",
                self.canary,
                self.weight,
                handled,
                failed,
                rate * 100,
            )
            unhealthy = handled >= self.min_messages and rate > self.max_error_rate
            if unhealthy or time.time() >= self.end_time:
                report = {
                    "weight": self.weight,
                    "processed": handled,
                    "errors": failed,
                    "error_rate": round(rate, 4),
                }
                yield TriggerEvent({"status": "observed", "report": report, "state": self.state})
                return
