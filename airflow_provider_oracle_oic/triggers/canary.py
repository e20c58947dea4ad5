"""`CanaryObservationTrigger`: watches a canary's monitoring counts for one traffic step, in the triggerer."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from functools import partial
from typing import TYPE_CHECKING, Any

from airflow.triggers.base import TriggerEvent

from ..deploy.model.canary import Health, Watch
from ..oic.errors import OICError
from .activation import OICStatusTrigger

if TYPE_CHECKING:
    from ..oic.client import OICClient


class CanaryObservationTrigger(OICStatusTrigger):
    """Reads the canary's counts every `poll_interval` until the engine's `Watch` of the step is over;
    the event carries the step's report and the operator's `state` back to the resumed task."""

    def __init__(
        self,
        oracle_oic_conn_id: str,
        canary: str,
        weight: int,
        since: tuple[int, int] | list[int],
        until: float,
        poll_interval: float,
        max_error_rate: float,
        min_messages: int,
        state: dict[str, Any],
    ) -> None:
        super().__init__()
        self.oracle_oic_conn_id = oracle_oic_conn_id
        self.watch = Watch(
            canary,
            int(weight),
            (int(since[0]), int(since[1])),
            float(until),
            Health(max_error_rate, min_messages),
        )
        self.poll_interval = poll_interval
        self.state = state

    @property
    def weight(self) -> int:
        return self.watch.weight

    def serialize(self) -> tuple[str, dict[str, Any]]:
        watch = self.watch
        return (
            f"{type(self).__module__}.{type(self).__qualname__}",
            {
                "oracle_oic_conn_id": self.oracle_oic_conn_id,
                "canary": watch.canary,
                "weight": watch.weight,
                "since": list(watch.since),
                "until": watch.until,
                "poll_interval": self.poll_interval,
                "max_error_rate": watch.health.max_error_rate,
                "min_messages": watch.health.min_messages,
                "state": self.state,
            },
        )

    def _error(self, message: str) -> TriggerEvent:
        return TriggerEvent({"status": "error", "message": message, "state": self.state})

    def unreachable(self, exc: Exception) -> TriggerEvent:
        return self._error(f"Cannot reach OIC for {self.watch.canary}: {exc}")

    async def poll(self, client: OICClient) -> AsyncIterator[TriggerEvent]:
        watch = self.watch
        while True:
            await asyncio.sleep(watch.pause(self.poll_interval))
            try:
                counts = await self.read(partial(client.monitoring.integration_counts, watch.canary))
            except OICError as exc:
                yield self._error(f"Reading the counts of {watch.canary} failed: {exc}")
                return
            current = watch.report(counts)
            self.log.info("Canary %s at %d%%: %s", watch.canary, watch.weight, current)
            if watch.over(current):
                yield TriggerEvent({"status": "observed", "report": current.to_json(), "state": self.state})
                return
