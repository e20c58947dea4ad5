"""`ActivateProjectDeploymentOperator`: bring every integration of an OIC 3 project deployment live
(or down) together and wait for all of them."""

from __future__ import annotations

import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

from airflow.sdk import BaseOperator
from airflow.sdk.exceptions import AirflowException

from ..connection_form import DEFAULT_CONN_ID
from ..hooks import oic_hook
from ..links import OICConsoleLink, console_home
from ..oic.errors import OICActivationError, OICError
from ..oic.status import IntegrationStatus, settles_to
from .activate import ACTIONS

# Activation requests of one deployment sent at once; OIC then activates them side by side.
SENDERS = 8


class ActivateProjectDeploymentOperator(BaseOperator):
    """Activates (or with `action="deactivate"`, deactivates) every integration `deployment` of project
    `project_id` selects, at once, then waits for all of them — in the triggerer by default.

    OIC has no call that activates a deployment as a unit (its REST API activates integrations one by
    one), so this is that unit: integrations already in the wanted state are left alone, the first
    FAILEDACTIVATION fails the task with OIC's `activationErrors`. Activating a version retires the
    active one of the same major version (OIC's rule). Returns `{"project_id", "deployment",
    "integrations": {CODE|VERSION: status}, "changed": [CODE|VERSION, ...]}`.
    """

    template_fields: Sequence[str] = ("project_id", "deployment", "action")
    operator_extra_links = (OICConsoleLink(),)
    ui_color = "#f0e4d8"

    def __init__(
        self,
        *,
        project_id: str,
        deployment: str,
        action: str = "activate",
        tracing: bool | None = None,
        payload_tracing: bool | None = None,
        record_enabled: bool | None = None,
        timeout: float = 900,
        poll_interval: float = 10,
        deferrable: bool = True,
        oracle_oic_conn_id: str = DEFAULT_CONN_ID,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.project_id = project_id
        self.deployment = deployment
        self.action = action
        self.tracing = tracing
        self.payload_tracing = payload_tracing
        self.record_enabled = record_enabled
        self.timeout = timeout
        self.poll_interval = poll_interval
        self.deferrable = deferrable
        self.oracle_oic_conn_id = oracle_oic_conn_id
        self.console_url: str | None = None
        self.changed: list[str] = []

    @property
    def _what(self) -> str:
        return f"deployment {self.deployment} of project {self.project_id}"

    def execute(self, context: Any) -> dict[str, Any]:
        if self.action not in ACTIONS:
            raise ValueError(f"action must be 'activate' or 'deactivate', not {self.action!r}")
        wanted = ACTIONS[self.action]
        hook = oic_hook(self.oracle_oic_conn_id)
        self.console_url = console_home(hook.oic_config.base_url)
        scope = hook.client.project(self.project_id)
        try:
            chosen = scope.deployments.find(self.deployment)
            if chosen is None:
                known = ", ".join(d.code for d in scope.deployments.list()) or "none"
                raise AirflowException(f"The {self._what} does not exist (its deployments: {known})")
            if not chosen.integrations:
                raise AirflowException(f"The {self._what} selects no integration; nothing to {self.action}")
            current = {i.id: i.status for i in scope.integrations.list()}
            missing = [i for i in chosen.integrations if i not in current]
            if missing:
                raise AirflowException(
                    f"The {self._what} names {', '.join(missing)}, which the project lacks"
                )
            moving = any(current[i] != wanted for i in chosen.integrations)
            for ident in chosen.integrations:
                current[ident] = self._settled(scope.integrations, ident, current[ident], wanted)
            self.changed = [i for i in chosen.integrations if current[i] != wanted]
            self.log.info(
                "%s: %d integration(s) to %s (%s), %d already %s",
                self._what,
                len(self.changed),
                self.action,
                ", ".join(self.changed) or "none",
                len(chosen.integrations) - len(self.changed),
                wanted,
            )
            with ThreadPoolExecutor(SENDERS, thread_name_prefix="oic-deployment") as pool:
                list(pool.map(lambda ident: self._send(scope.integrations, ident, wanted), self.changed))
            if self.deferrable and moving:
                from ..triggers.deployment import ProjectDeploymentTrigger

                self.defer(
                    trigger=ProjectDeploymentTrigger(
                        self.oracle_oic_conn_id,
                        self.project_id,
                        self.deployment,
                        list(chosen.integrations),
                        wanted,
                        self.poll_interval,
                        time.time() + self.timeout,
                        self.changed,
                    ),
                    method_name="execute_complete",
                    timeout=timedelta(seconds=self.timeout + 60),
                )
            statuses = {
                ident: scope.integrations.wait_for_status(ident, wanted, self.timeout, self.poll_interval)
                for ident in chosen.integrations
            }
        except OICActivationError as exc:
            raise AirflowException(
                f"{self._what}: {exc} (activationErrors: {exc.activation_errors})"
            ) from None
        except OICError as exc:
            raise AirflowException(f"Could not {self.action} the {self._what}: {exc}") from None
        return self._result(statuses, self.changed)

    def _settled(self, integrations: Any, ident: str, status: str, wanted: str) -> str:
        """The status to plan from: a change already heading for `wanted` counts as done (the final wait
        covers it); one heading the other way is waited out, since OIC refuses a new change meanwhile."""
        heading = settles_to(status)
        if heading is None or heading == wanted:
            return str(heading or status)
        self.log.info("Integration %s is %s; waiting for it to finish first", ident, status)
        return integrations.wait_for_status(ident, heading, self.timeout, self.poll_interval)

    def _send(self, integrations: Any, ident: str, wanted: str) -> None:
        if wanted == IntegrationStatus.ACTIVATED:
            answer = integrations.activate(ident, self.tracing, self.payload_tracing, self.record_enabled)
        else:
            answer = integrations.deactivate(ident)
        self.log.info("Asked OIC to %s %s; it answered %s", self.action, ident, answer.status)

    def _result(self, statuses: dict[str, str | None], changed: list[str]) -> dict[str, Any]:
        return {
            "project_id": self.project_id,
            "deployment": self.deployment,
            "integrations": statuses,
            "changed": changed,
        }

    def execute_complete(self, context: Any, event: dict[str, Any]) -> dict[str, Any]:
        """Resume after the trigger: success returns every status; anything else fails the task."""
        self.console_url = console_home(oic_hook(self.oracle_oic_conn_id).oic_config.base_url)
        if event.get("status") != "success":
            raise AirflowException(event.get("message") or f"Could not {self.action} the {self._what}")
        self.log.info("%s", event.get("message"))
        return self._result(event["integrations"], event.get("changed", []))
