"""`CanaryPromoteOperator`: move traffic to a new major version step by step while it stays healthy."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from airflow.sdk.exceptions import AirflowException

from ..links import console_url
from .ledger_task import LedgerTaskOperator

if TYPE_CHECKING:
    from ..deploy.model.result import DeploymentResult
    from ..deploy.strategies.promotion import CanaryPromotion, Resumption


class CanaryPromoteOperator(LedgerTaskOperator):
    """Shifts traffic from `stable_version` to `canary_version` of `code` through the weights in `steps`.

    The engine's canary strategy runs it (docs/strategies.md): both versions ACTIVATED, then the routing
    lookup (columns `version`, `weight`) that the integration's front door reads moves the traffic step by
    step. At each step the canary's error rate (OIC monitoring) must stay at or below `max_error_rate`
    with at least `min_messages` handled; otherwise the run rolls back from its journal (routing,
    activations) and the task fails. After the last step the stable version is deactivated (unless
    `deactivate_stable=False`). Every write is journaled under the result's `run_id`, so
    `RestoreRunOperator` (or `target-oracle-oic --restore`) can put a promotion back later. The canary
    must be a new major version: OIC deactivates the old one when a new minor version is activated.
    With `deferrable=True` (the default) each step is watched in the triggerer
    (`CanaryObservationTrigger`), so no worker slot is held while traffic flows; the run pauses after
    routing a step and resumes, under the same run id, with the step's report.
    """

    template_fields: Sequence[str] = (
        "code",
        "stable_version",
        "canary_version",
        "routing_lookup",
        "observe_seconds",
        "poll_interval",
        "max_error_rate",
        "min_messages",
        "target_config",
    )
    ui_color = "#f6e3a1"

    def __init__(
        self,
        *,
        code: str,
        stable_version: str,
        canary_version: str,
        routing_lookup: str,
        steps: Sequence[int] = (10, 50, 100),
        observe_seconds: float | str = 300,
        poll_interval: float | str = 15,
        max_error_rate: float | str = 0.05,
        min_messages: int | str = 20,
        activation_timeout: float = 600,
        deactivate_stable: bool = True,
        deferrable: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.code = code
        self.stable_version = stable_version
        self.canary_version = canary_version
        self.routing_lookup = routing_lookup
        self.steps = steps
        self.observe_seconds = observe_seconds
        self.poll_interval = poll_interval
        self.max_error_rate = max_error_rate
        self.min_messages = min_messages
        self.activation_timeout = activation_timeout
        self.deactivate_stable = deactivate_stable
        self.deferrable = deferrable

    def _promotion(self) -> CanaryPromotion:
        from ..deploy.strategies.promotion import CanaryPromotion

        return CanaryPromotion(self.code, self.stable_version, self.canary_version, self.deactivate_stable)

    def _settings(self) -> dict[str, Any]:
        """The engine's canary settings from the operator's arguments (checked there, once)."""
        return {
            "deployment_strategy": "canary",
            "routing_lookup": self.routing_lookup,
            "canary_steps": list(self.steps),
            "canary_observe_seconds": self.observe_seconds,
            "canary_max_error_rate": self.max_error_rate,
            "canary_min_messages": self.min_messages,
            "activation_timeout": self.activation_timeout,
            "activation_poll_interval": self.poll_interval,
        }

    def _run(self, resume: Resumption | None, earlier: list[dict[str, Any]]) -> dict[str, Any]:
        from ..deploy.model.settings import SettingsError

        promotion = self._promotion()
        try:
            deployment = self.engine(self._settings())
        except SettingsError as exc:
            raise AirflowException(f"CanaryPromoteOperator: {exc}") from None
        self.console_url = console_url(deployment.oic_config.base_url, str(promotion.canary))
        deployment.watch_elsewhere = self.deferrable
        result = deployment.promote(promotion, resume)
        for line in result.summary().splitlines():
            self.log.info("%s", line)
        reports = [*earlier, *(r.to_json() for r in result.watched)]
        if not result.ok:
            raise AirflowException(self._failure(promotion, result))
        if result.watch is not None:
            self._defer(result, reports)
        return {
            "promoted": str(promotion.canary),
            "replaced": str(promotion.stable),
            "run_id": result.run_id,
            "steps": reports,
        }

    def _failure(self, promotion: CanaryPromotion, result: DeploymentResult) -> str:
        problems = [str(i) for i in result.issues]
        if result.error:
            problems.append(result.error)
        else:
            problems += [f"{r.artifact}: {r.detail or r.reason}" for r in result.failures]
        head = f"Canary promotion of {promotion.canary} failed (run {result.run_id}): " + "; ".join(problems)
        if result.not_restorable:
            return f"{head}. Not restored: " + "; ".join(result.not_restorable)
        if result.undo:
            return f"{head}. Rolled back: all traffic on {promotion.stable}, as before the run"
        return f"{head}. Nothing was written"

    def _defer(self, result: DeploymentResult, reports: list[dict[str, Any]]) -> None:
        from ..triggers.canary import CanaryObservationTrigger

        watch = result.watch
        assert watch is not None
        self.defer(
            trigger=CanaryObservationTrigger(
                self.oracle_oic_conn_id,
                watch.canary,
                watch.weight,
                watch.since,
                watch.until,
                float(self.poll_interval),
                watch.health.max_error_rate,
                watch.health.min_messages,
                {"run_id": result.run_id, "weight": watch.weight, "reports": reports},
            ),
            method_name="resume",
            timeout=timedelta(seconds=float(self.observe_seconds) + 600),
        )

    def execute(self, context: Any) -> dict[str, Any]:
        return self._run(None, [])

    def resume(self, context: Any, event: dict[str, Any]) -> dict[str, Any]:
        """After a step watched in the triggerer: the engine judges it, then goes on or rolls back."""
        from ..deploy.model.canary import StepReport
        from ..deploy.strategies.promotion import Resumption

        state = event.get("state") or {}
        if event.get("status") == "observed":
            resume = Resumption(str(state.get("run_id")), StepReport(**event["report"]))
        else:
            report = StepReport(int(state.get("weight", 0)), 0, 0, 0.0)
            error = str(event.get("message") or "the watch ended without a report")
            resume = Resumption(str(state.get("run_id")), report, error)
        return self._run(resume, list(state.get("reports", [])))
