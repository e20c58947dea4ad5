"""`IntegrationActivationSensor`: waits until an integration is ACTIVATED (or another status)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Any, NoReturn

from airflow.sdk import BaseSensorOperator
from airflow.sdk.exceptions import AirflowException, AirflowSensorTimeout, AirflowSkipException

from ..connection_form import DEFAULT_CONN_ID
from ..hooks import oic_hook

if TYPE_CHECKING:
    from ..hooks.oic import OracleOICHook
from ..identifiers import integration_id
from ..links import OICConsoleLink, console_url
from ..oic.errors import OICActivationError
from ..oic.status import IntegrationStatus

STATUSES = (IntegrationStatus.ACTIVATED.value, IntegrationStatus.CONFIGURED.value)


class IntegrationActivationSensor(BaseSensorOperator):
    """Waits for `CODE|VERSION` to reach `target_status`; fails fast on FAILEDACTIVATION.

    With `deferrable=True` the wait runs in the triggerer and frees the worker slot. With `project_id`
    it watches the integration inside that OIC 3 project.
    """

    template_fields: Sequence[str] = ("integration_id", "code", "version", "target_status", "project_id")
    operator_extra_links = (OICConsoleLink(),)

    def __init__(
        self,
        *,
        integration_id: str | None = None,
        code: str | None = None,
        version: str | None = None,
        target_status: str = IntegrationStatus.ACTIVATED.value,
        oracle_oic_conn_id: str = DEFAULT_CONN_ID,
        deferrable: bool = False,
        project_id: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.project_id = project_id
        self.integration_id = integration_id
        self.code = code
        self.version = version
        self.target_status = target_status
        self.oracle_oic_conn_id = oracle_oic_conn_id
        self.deferrable = deferrable
        self.console_url: str | None = None

    @cached_property
    def hook(self) -> OracleOICHook:
        """One hook (and so one client and token) for every poke of this try."""
        return oic_hook(self.oracle_oic_conn_id)

    def _ident(self) -> str:
        if self.target_status not in STATUSES:
            raise ValueError(
                f"target_status must be one of {', '.join(STATUSES)}, not {self.target_status!r}"
            )
        return integration_id(self.integration_id, self.code, self.version)

    def _fail(self, message: str, error: type[AirflowException] = AirflowException) -> NoReturn:
        """Skip with `soft_fail`, else raise `error`."""
        if self.soft_fail:
            raise AirflowSkipException(message)
        raise error(message)

    def execute(self, context: Any) -> Any:
        ident = self._ident()
        self.console_url = console_url(self.hook.oic_config.base_url, ident)
        if not self.deferrable:
            return super().execute(context)
        if self.poke(context):
            return None
        from ..triggers.activation import IntegrationActivationTrigger

        self.defer(
            trigger=IntegrationActivationTrigger(
                self.oracle_oic_conn_id,
                ident,
                self.target_status,
                self.poke_interval,
                time.time() + self.timeout,
                self.project_id or None,
            ),
            method_name="execute_complete",
            timeout=timedelta(seconds=self.timeout + 60),
        )
        return None

    def poke(self, context: Any) -> bool:
        ident = self._ident()
        client = self.hook.client
        integrations = client.in_project(self.project_id or None).integrations
        try:
            status = integrations.check(ident, self.target_status)
        except OICActivationError as exc:
            self._fail(str(exc))
        where = f" in project {self.project_id}" if self.project_id else ""
        self.log.info("Integration %s%s is %s (waiting for %s)", ident, where, status, self.target_status)
        return status == self.target_status

    def execute_complete(self, context: Any, event: dict[str, Any]) -> None:
        """Resume after the trigger: success returns, anything else fails (or skips with `soft_fail`)."""
        self.console_url = console_url(self.hook.oic_config.base_url, event["integration_id"])
        if event.get("status") == "timeout":
            # A timeout, not a failure: Airflow does not retry a sensor that timed out.
            self._fail(
                f"Sensor timed out after {self.timeout:g} s: {event.get('message')}", AirflowSensorTimeout
            )
        if event.get("status") != "success":
            self._fail(event.get("message") or f"Waiting for {self.integration_id} failed")
        self.log.info("%s", event.get("message"))
