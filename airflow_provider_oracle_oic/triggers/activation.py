"""`IntegrationActivationTrigger`: waits in the triggerer until an integration reaches a status."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

from airflow.sdk import BaseHook
from airflow.triggers.base import BaseTrigger, TriggerEvent

from ..oic.errors import OICActivationError, OICError
from ..oic.status import IntegrationStatus

if TYPE_CHECKING:
    from ..oic.client import OICClient
    from ..oic.resources.integrations import Integrations

T = TypeVar("T")

# Every deferred wait of a triggerer shares one event loop. Their blocking status reads go to this pool
# rather than the loop's default one, which has min(32, CPUs + 4) threads (6 on a 2-core triggerer) and
# is shared with everything else the triggerer runs: 300 waits at 200 ms a read need about 64.
READERS = 64
_readers: ThreadPoolExecutor | None = None
_readers_lock = threading.Lock()


def _client_for(conn: Any) -> OICClient:
    from ..hooks.oic import config_from_connection
    from ..oic.client import OICClient

    return OICClient(config_from_connection(conn))


def _reader_pool() -> ThreadPoolExecutor:
    global _readers
    with _readers_lock:
        if _readers is None:
            _readers = ThreadPoolExecutor(READERS, thread_name_prefix="oic-trigger")
        return _readers


class OICStatusTrigger(BaseTrigger):
    """Opens a client for the connection off the event loop, then polls in the shared reader pool."""

    oracle_oic_conn_id: str
    project_id: str | None = None

    def integrations(self, client: OICClient) -> Integrations:
        """The integrations of the trigger's scope: the instance's, or one OIC 3 project's."""
        return client.in_project(self.project_id).integrations

    async def read(self, call: Callable[[], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(_reader_pool(), call)

    async def run(self) -> AsyncIterator[TriggerEvent]:
        try:
            conn = await BaseHook.aget_connection(self.oracle_oic_conn_id)
            # The first client of a triggerer imports the HTTP stack: off the event loop, like every read.
            client = await self.read(partial(_client_for, conn))
        except (OICError, ValueError) as exc:
            yield self.unreachable(exc)
            return
        try:
            async for event in self.poll(client):
                yield event
                return
        finally:
            client.close()

    def unreachable(self, exc: Exception) -> TriggerEvent:
        raise NotImplementedError

    def poll(self, client: OICClient) -> AsyncIterator[TriggerEvent]:
        raise NotImplementedError


class IntegrationActivationTrigger(OICStatusTrigger):
    """Polls `activationStatus` (the sync client in a shared reader pool) until the target status, failure or time-out."""

    def __init__(
        self,
        oracle_oic_conn_id: str,
        integration_id: str,
        target_status: str,
        poll_interval: float,
        end_time: float,
        project_id: str | None = None,
    ) -> None:
        super().__init__()
        self.oracle_oic_conn_id = oracle_oic_conn_id
        self.integration_id = integration_id
        self.target_status = target_status
        self.poll_interval = poll_interval
        self.end_time = end_time
        self.project_id = project_id

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return (
            f"{type(self).__module__}.{type(self).__qualname__}",
            {
                "oracle_oic_conn_id": self.oracle_oic_conn_id,
                "integration_id": self.integration_id,
                "target_status": self.target_status,
                "poll_interval": self.poll_interval,
                "end_time": self.end_time,
                "project_id": self.project_id,
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

    def unreachable(self, exc: Exception) -> TriggerEvent:
        return self._event("error", f"Cannot reach OIC for {self.integration_id}: {exc}", None)

    async def poll(self, client: OICClient) -> AsyncIterator[TriggerEvent]:
        integrations = self.integrations(client)
        ident, target = self.integration_id, self.target_status
        where = f" in project {self.project_id}" if self.project_id else ""
        while True:
            try:
                status = await self.read(partial(integrations.check, ident, target))
            except OICActivationError as exc:
                yield self._event("error", str(exc), IntegrationStatus.FAILEDACTIVATION.value)
                return
            except OICError as exc:
                yield self._event("error", f"Reading the status of {ident}{where} failed: {exc}", None)
                return
            if status == target:
                yield self._event("success", f"Integration {ident}{where} is {status}", status)
                return
            if time.time() >= self.end_time:
                yield self._event(
                    "timeout", f"Integration {ident}{where} is still {status}, not {target}", status
                )
                return
            self.log.info("Integration %s%s is %s; waiting for %s", ident, where, status, target)
            await asyncio.sleep(self.poll_interval)
