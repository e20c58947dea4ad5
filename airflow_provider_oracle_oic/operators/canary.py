"""`CanaryPromoteOperator`: move traffic to a new major version step by step while it stays healthy."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import asdict
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from airflow.sdk import BaseOperator
from airflow.sdk.exceptions import AirflowException

from ..connection_form import DEFAULT_CONN_ID
from ..deploy.canary import Health, StepReport, handled_and_failed, observe
from ..hooks import oic_hook
from ..links import OICConsoleLink, console_url
from ..oic.errors import OICError
from ..oic.status import IntegrationStatus

if TYPE_CHECKING:
    from ..oic import OICClient

ROUTING_COLUMNS = ("version", "weight")


class CanaryPromoteOperator(BaseOperator):
    """Shifts traffic from `stable_version` to `canary_version` of `code` through the weights in `steps`.

    Traffic is split by the routing lookup (columns `version`, `weight`) that the integration's
    front door reads. At each step the canary's error rate over the step (from OIC monitoring) must
    stay at or below `max_error_rate` with at least `min_messages` handled; otherwise the canary gets
    weight 0 and is deactivated, and the task fails. The canary must be a new major version: OIC
    deactivates the old one when a new minor version is activated, so a minor canary cannot run beside it.
    With `deferrable=True` (the default) each step is observed in the triggerer (`CanaryObservationTrigger`
    samples the monitoring counts), so no worker slot is held while traffic flows.
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
    )
    operator_extra_links = (OICConsoleLink(),)
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
        oracle_oic_conn_id: str = DEFAULT_CONN_ID,
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
        self.oracle_oic_conn_id = oracle_oic_conn_id
        self.console_url: str | None = None

    @property
    def stable(self) -> str:
        return f"{self.code}|{self.stable_version}"

    @property
    def canary(self) -> str:
        return f"{self.code}|{self.canary_version}"

    def _check_arguments(self) -> list[int]:
        # Numbers may arrive as rendered template strings ("{{ params.observe_seconds }}").
        self.observe_seconds = float(self.observe_seconds)
        self.poll_interval = float(self.poll_interval)
        self.max_error_rate = float(self.max_error_rate)
        self.min_messages = int(self.min_messages)
        if self.stable_version.split(".")[0] == self.canary_version.split(".")[0]:
            raise ValueError(
                f"canary_version {self.canary_version} has the same major version as {self.stable_version}; "
                "OIC would deactivate the stable version when the canary activates. Publish the canary as a new "
                "major version (e.g. 02.00.0000)"
            )
        weights = [int(w) for w in self.steps]
        if (
            not weights
            or weights[-1] != 100
            or any(not 0 < w <= 100 for w in weights)
            or weights != sorted(weights)
        ):
            raise ValueError(
                f"steps must rise from above 0 to exactly 100 (e.g. [10, 50, 100]), not {list(self.steps)}"
            )
        if not 0 <= self.max_error_rate < 1:
            raise ValueError("max_error_rate must be between 0 and 1")
        return weights

    def _route(self, client: OICClient, canary_weight: int) -> None:
        rows = [[self.stable_version, str(100 - canary_weight)], [self.canary_version, str(canary_weight)]]
        client.lookups.create_or_update(self.routing_lookup, ROUTING_COLUMNS, rows)
        self.log.info(
            "Routing %s: %d%% to %s, %d%% to %s",
            self.code,
            100 - canary_weight,
            self.stable_version,
            canary_weight,
            self.canary_version,
        )

    def _ensure_active(self, client: OICClient, ident: str) -> None:
        if client.integrations.activation_status(ident) != IntegrationStatus.ACTIVATED:
            client.integrations.activate(ident)
            client.integrations.wait_for_status(
                ident, IntegrationStatus.ACTIVATED, self.activation_timeout, self.poll_interval
            )

    @property
    def health(self) -> Health:
        return Health(float(self.max_error_rate), int(self.min_messages))

    def _roll_back(self, client: OICClient) -> None:
        self._route(client, 0)
        client.integrations.deactivate(self.canary)
        client.integrations.wait_for_status(
            self.canary, IntegrationStatus.CONFIGURED, self.activation_timeout, self.poll_interval
        )

    def _judge(self, client: OICClient, report: StepReport) -> None:
        """Roll back and fail when the step's report is unhealthy."""
        self.log.info(
            "Canary %s at %d%%: %d handled, %d failed (%.1f%%)",
            self.canary,
            report.weight,
            report.processed,
            report.errors,
            report.error_rate * 100,
        )
        problem = self.health.problem(report)
        if problem:
            self._roll_back(client)
            raise AirflowException(
                f"Canary {self.canary} at {report.weight}% traffic: {problem}. Rolled back: all traffic on "
                f"{self.stable}, {self.canary} deactivated"
            )

    def _finish(self, client: OICClient, reports: list[StepReport]) -> dict[str, Any]:
        if self.deactivate_stable:
            client.integrations.deactivate(self.stable)
            client.integrations.wait_for_status(
                self.stable, IntegrationStatus.CONFIGURED, self.activation_timeout, self.poll_interval
            )
        return {"promoted": self.canary, "replaced": self.stable, "steps": [asdict(r) for r in reports]}

    def _failed(self, client: OICClient, exc: OICError) -> AirflowException:
        undo = "rolled back to the stable version"
        try:
            self._roll_back(client)
        except OICError as again:
            undo = f"and the rollback failed too ({again}); check the routing lookup {self.routing_lookup}"
        return AirflowException(f"Canary promotion of {self.canary} failed: {exc}; {undo}")

    def _defer_step(
        self, client: OICClient, weights: list[int], index: int, reports: list[StepReport]
    ) -> None:
        """Route the step's weight, then wait for its observation in the triggerer (no worker held)."""
        weight = weights[index]
        self._route(client, weight)
        before = handled_and_failed(client.monitoring.integration_counts(self.canary))
        from ..triggers.canary import CanaryObservationTrigger

        self.defer(
            trigger=CanaryObservationTrigger(
                self.oracle_oic_conn_id,
                self.canary,
                weight,
                *before,
                time.time() + float(self.observe_seconds),
                float(self.poll_interval),
                float(self.max_error_rate),
                int(self.min_messages),
                {"index": index, "reports": [asdict(r) for r in reports]},
            ),
            method_name="resume",
            timeout=timedelta(seconds=float(self.observe_seconds) + 600),
        )

    def execute(self, context: Any) -> dict[str, Any]:
        weights = self._check_arguments()
        hook = oic_hook(self.oracle_oic_conn_id)
        client = hook.client
        self.console_url = console_url(hook.oic_config.base_url, self.canary)
        reports: list[StepReport] = []
        try:
            self._ensure_active(client, self.stable)
            self._ensure_active(client, self.canary)
            if self.deferrable:
                self._defer_step(client, weights, 0, reports)
            for weight in weights:
                self._route(client, weight)
                report = observe(
                    client,
                    self.canary,
                    weight,
                    float(self.observe_seconds),
                    float(self.poll_interval),
                    self.health,
                )
                reports.append(report)
                self._judge(client, report)
            return self._finish(client, reports)
        except OICError as exc:
            raise self._failed(client, exc) from None

    def resume(self, context: Any, event: dict[str, Any]) -> dict[str, Any]:
        """After a step observed in the triggerer: judge it, then defer for the next step or finish."""
        weights = self._check_arguments()
        hook = oic_hook(self.oracle_oic_conn_id)
        client = hook.client
        self.console_url = console_url(hook.oic_config.base_url, self.canary)
        state = event.get("state") or {}
        reports = [StepReport(**r) for r in state.get("reports", [])]
        try:
            if event.get("status") != "observed":
                raise OICError(str(event.get("message") or "the observation ended without a report"))
            report = StepReport(**event["report"])
            reports.append(report)
            self._judge(client, report)
            following = int(state.get("index", 0)) + 1
            if following < len(weights):
                self._defer_step(client, weights, following, reports)
            return self._finish(client, reports)
        except OICError as exc:
            raise self._failed(client, exc) from None
