"""`ActivateProjectDeploymentOperator`: bring every integration of an OIC 3 project deployment live
(or down) together and wait for all of them."""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from airflow.sdk.exceptions import AirflowException

from .activate import ACTIONS
from .ledger_task import LedgerTaskOperator

if TYPE_CHECKING:
    from ..deploy.engine import Deployment
    from ..deploy.model.result import DeploymentResult
    from ..deploy.strategies.deployment import DeploymentActivation


class ActivateProjectDeploymentOperator(LedgerTaskOperator):
    """Activates (or with `action="deactivate"`, deactivates) every integration `deployment` of project
    `project_id` selects, at once, then waits for all of them — in the triggerer by default.

    OIC has no call that activates a deployment as a unit (its REST API activates integrations one by
    one), so the engine makes it one run (docs/architecture.md): each change is journaled, those already
    in the wanted state are left alone, and the first FAILEDACTIVATION fails the task with OIC's
    `activationErrors` after the run is rolled back (what it activated deactivated again, what it
    retired brought back). Activating a version retires the active one of the same major version
    (OIC's rule). Returns `{"project_id", "deployment", "integrations": {CODE|VERSION: status},
    "changed": [CODE|VERSION, ...], "run_id"}`; `RestoreRunOperator` can put a run back later.
    """

    template_fields: Sequence[str] = ("project_id", "deployment", "action", "target_config")
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

    def _activation(self) -> DeploymentActivation:
        from ..deploy.strategies.deployment import DeploymentActivation

        if self.action not in ACTIONS:
            raise ValueError(f"action must be 'activate' or 'deactivate', not {self.action!r}")
        return DeploymentActivation(
            self.project_id,
            self.deployment,
            self.action == "activate",
            self.tracing,
            self.payload_tracing,
            self.record_enabled,
        )

    def _engine(self) -> Deployment:
        return self.engine(
            {"activation_timeout": self.timeout, "activation_poll_interval": self.poll_interval}
        )

    def execute(self, context: Any) -> dict[str, Any]:
        activation = self._activation()
        engine = self._engine()
        engine.activations_elsewhere = self.deferrable
        result = engine.activate_deployment(activation)
        self._log(result)
        if not result.ok:
            raise AirflowException(self._failure(activation, result))
        changed = [
            r.id
            for r in result.results
            if r.action in ("activate", "deactivate") and r.outcome.value == "applied"
        ]
        self.log.info(
            "%s: %d integration(s) to %s (%s)",
            activation.what,
            len(changed),
            self.action,
            ", ".join(changed) or "none",
        )
        if result.awaiting:
            from ..triggers.deployment import ProjectDeploymentTrigger

            self.defer(
                trigger=ProjectDeploymentTrigger(
                    self.oracle_oic_conn_id,
                    self.project_id,
                    self.deployment,
                    result.awaiting,
                    activation.wanted.value,
                    self.poll_interval,
                    time.time() + self.timeout,
                    changed,
                    run_id=result.run_id if result.wrote else None,
                ),
                method_name="execute_complete",
                timeout=timedelta(seconds=self.timeout + 60),
            )
        return self._result(result.run_id, changed)

    def execute_complete(self, context: Any, event: dict[str, Any]) -> dict[str, Any]:
        """Resume after the trigger: the engine closes the run, or rolls it back and the task fails."""
        activation = self._activation()
        run_id = event.get("run_id")
        failure = None if event.get("status") == "success" else str(event.get("message") or "the wait failed")
        if run_id:
            result = self._engine().finish_activation(str(run_id), failure)
            self._log(result)
            if failure is None and not result.ok:
                raise AirflowException(self._failure(activation, result))
        if failure is not None:
            raise AirflowException(failure + ("; the run was rolled back" if run_id else ""))
        self.log.info("%s", event.get("message"))
        return self._result(run_id, list(event.get("changed", [])))

    def _log(self, result: DeploymentResult) -> None:
        for line in result.summary().splitlines():
            self.log.info("%s", line)

    def _failure(self, activation: DeploymentActivation, result: DeploymentResult) -> str:
        own = [issue.message for issue in result.issues if issue.artifact == activation.what]
        if own:
            return f"The {activation.what} " + "; ".join(own)
        problems = [str(issue) for issue in result.issues] + [r.detail or r.reason for r in result.failures]
        if result.error:
            problems.append(result.error)
        text = f"The {activation.what}: " + "; ".join(problems)
        if result.not_restorable:
            return f"{text}. Not restored: " + "; ".join(result.not_restorable)
        return text + (". Rolled back: every integration as before the run" if result.undo else "")

    def _result(self, run_id: str | None, changed: list[str]) -> dict[str, Any]:
        client = self.oic_client()
        listed = {i.id: i.status for i in client.project(self.project_id).integrations.list()}
        chosen = client.project(self.project_id).deployments.find(self.deployment)
        return {
            "project_id": self.project_id,
            "deployment": self.deployment,
            "integrations": {ident: listed.get(ident) for ident in (chosen.integrations if chosen else ())},
            "changed": changed,
            "run_id": run_id,
        }
