"""`ProjectDeploymentTrigger`: waits in the triggerer until every integration of an OIC 3 deployment
reaches a status."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from functools import partial
from typing import TYPE_CHECKING, Any

from airflow.triggers.base import TriggerEvent

from ..oic.errors import OICActivationError, OICError
from .activation import OICStatusTrigger

if TYPE_CHECKING:
    from ..oic.client import OICClient


class ProjectDeploymentTrigger(OICStatusTrigger):
    """Polls each integration of the deployment still short of the target status, all at once per round;
    the first FAILEDACTIVATION ends the wait with OIC's `activationErrors`."""

    def __init__(
        self,
        oracle_oic_conn_id: str,
        project_id: str,
        deployment: str,
        integration_ids: list[str],
        target_status: str,
        poll_interval: float,
        end_time: float,
        changed: list[str] | None = None,
        run_id: str | None = None,
    ) -> None:
        super().__init__()
        # The engine's run that sent the activations, echoed for the resumed task to close or roll back.
        self.run_id = run_id
        # What the operator asked OIC to change; echoed in the event for the resumed task's result.
        self.changed = list(changed or [])
        self.oracle_oic_conn_id = oracle_oic_conn_id
        self.project_id = project_id
        self.deployment = deployment
        self.integration_ids = list(integration_ids)
        self.target_status = target_status
        self.poll_interval = poll_interval
        self.end_time = end_time

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return (
            f"{type(self).__module__}.{type(self).__qualname__}",
            {
                "oracle_oic_conn_id": self.oracle_oic_conn_id,
                "project_id": self.project_id,
                "deployment": self.deployment,
                "integration_ids": self.integration_ids,
                "target_status": self.target_status,
                "poll_interval": self.poll_interval,
                "end_time": self.end_time,
                "changed": self.changed,
                "run_id": self.run_id,
            },
        )

    def _event(self, status: str, message: str, statuses: dict[str, str | None]) -> TriggerEvent:
        return TriggerEvent(
            {
                "status": status,
                "message": message,
                "project_id": self.project_id,
                "deployment": self.deployment,
                "integrations": statuses,
                "changed": self.changed,
                "run_id": self.run_id,
            }
        )

    def unreachable(self, exc: Exception) -> TriggerEvent:
        what = f"deployment {self.deployment} of project {self.project_id}"
        return self._event("error", f"Cannot reach OIC for {what}: {exc}", {})

    async def poll(self, client: OICClient) -> AsyncIterator[TriggerEvent]:
        integrations = self.integrations(client)
        target, what = self.target_status, f"Deployment {self.deployment} of project {self.project_id}"
        statuses: dict[str, str | None] = dict.fromkeys(self.integration_ids)
        while True:
            pending = [i for i, status in statuses.items() if status != target]
            reads = [self.read(partial(integrations.check, ident, target)) for ident in pending]
            answers = await asyncio.gather(*reads, return_exceptions=True)
            for ident, answer in zip(pending, answers, strict=True):
                if isinstance(answer, OICActivationError):
                    yield self._event("error", f"{what}: {answer}", {**statuses, ident: "FAILEDACTIVATION"})
                    return
                if isinstance(answer, OICError):
                    yield self._event(
                        "error", f"{what}: reading the status of {ident} failed: {answer}", statuses
                    )
                    return
                if isinstance(answer, BaseException):
                    raise answer
                statuses[ident] = answer
            waiting = sorted(i for i, status in statuses.items() if status != target)
            if not waiting:
                yield self._event(
                    "success", f"{what}: all {len(statuses)} integration(s) are {target}", statuses
                )
                return
            if time.time() >= self.end_time:
                yield self._event("timeout", f"{what}: {', '.join(waiting)} still not {target}", statuses)
                return
            self.log.info("%s: waiting for %s to become %s", what, ", ".join(waiting), target)
            await asyncio.sleep(self.poll_interval)
