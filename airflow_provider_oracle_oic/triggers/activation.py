"""`IntegrationActivationTrigger`: waits in the triggerer until an integration reaches a status."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

from airflow.sdk import BaseHook
from airflow.triggers.base import BaseTrigger, TriggerEvent

from ..oic import OICActivationError, OICClient, OICError
from ..oic.models import IntegrationStatus


class IntegrationActivationTrigger(BaseTrigger):
    """Polls `activationStatus` (the sync client in a worker thread) until the target status, failure or time-out."""

    def __init__(
        self,
        oracle_oic_conn_id: str,
        integration_id: str,
        target_status: str,
        poll_interval: float,
        end_time: float,
    ) -> None:
        super().__init__()
        self.oracle_oic_conn_id = oracle_oic_conn_id
        self.integration_id = integration_id
        self.target_status = target_status
        self.poll_interval = poll_interval
        self.end_time = end_time

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return (
            f"{type(self).__module__}.{type(self).__qualname__}",
            {
                "oracle_oic_conn_id": self.oracle_oic_conn_id,
                "integration_id": self.integration_id,
                "target_status": self.target_status,
                "poll_interval": self.poll_interval,
                "end_time": self.end_time,
            },
        )

    def _event(self, status: str, message: str, activation_status: str | None) -> TriggerEvent:
        return TriggerEvent(
            {
                "status": status,
                "message": message,
                "integration_id": self.integration_id,
                "activation_status": activation_status,
            }
        )

    async def run(self) -> AsyncIterator[TriggerEvent]:
        from ..hooks.oic import config_from_connection

        try:
            conn = await BaseHook.aget_connection(self.oracle_oic_conn_id)
            client = OICClient(config_from_connection(conn))
        except (OICError, ValueError) as exc:
            yield self._event("error", f"Cannot reach OIC for {self.integration_id}: {exc}", None)
            return
        try:
            async for event in self._poll(client):
                yield event
                return
        finally:
            client.close()

    async def _poll(self, client: OICClient) -> AsyncIterator[TriggerEvent]:
        ident, target = self.integration_id, self.target_status
        while True:
            try:
                status = await asyncio.to_thread(client.integrations.check, ident, target)
            except OICActivationError as exc:
                yield self._event("error", str(exc), IntegrationStatus.FAILEDACTIVATION.value)
                return
            except OICError as exc:
                yield self._event("error", f"Reading the status of {ident} failed: {exc}", None)
                return
            if status == target:
                yield self._event("success", f"Integration {ident} is {status}", status)
                return
            if time.time() >= self.end_time:
                yield self._event("timeout", f"Integration {ident} is still {status}, not {target}", status)
                return
            self.log.info("Integration %s is %s; waiting for %s", ident, status, target)
            await asyncio.sleep(self.poll_interval)
