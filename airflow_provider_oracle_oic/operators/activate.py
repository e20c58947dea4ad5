"""`ActivateIntegrationOperator`: activate or deactivate one integration and wait for the outcome."""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from airflow.sdk import BaseOperator
from airflow.sdk.exceptions import AirflowException

from ..connection_form import DEFAULT_CONN_ID
from ..hooks import oic_hook
from ..identifiers import integration_id
from ..links import OICConsoleLink, console_url
from ..oic.errors import OICActivationError, OICError, OICNotFoundError
from ..oic.status import IntegrationStatus

ACTIONS = {"activate": IntegrationStatus.ACTIVATED.value, "deactivate": IntegrationStatus.CONFIGURED.value}


class ActivateIntegrationOperator(BaseOperator):
    """Activates (or with `action="deactivate"`, deactivates) `CODE|VERSION`.

    Already in the wanted state: nothing is written. Waits for the final status by polling, or in the
    triggerer with `deferrable=True`; fails with OIC's `activationErrors` on FAILEDACTIVATION. With
    `missing_ok=True` a deactivation of an integration OIC does not have succeeds without a change
    (the first blue-green release has no live colour to retire). With `project_id` it acts on the
    integration inside that OIC 3 project. Returns `{"integration_id", "status", "changed"}`.
    """

    template_fields: Sequence[str] = ("integration_id", "code", "version", "action", "project_id")
    operator_extra_links = (OICConsoleLink(),)
    ui_color = "#f0e4d8"

    def __init__(
        self,
        *,
        integration_id: str | None = None,
        code: str | None = None,
        version: str | None = None,
        action: str = "activate",
        tracing: bool | None = None,
        payload_tracing: bool | None = None,
        record_enabled: bool | None = None,
        wait_for_completion: bool = True,
        timeout: float = 600,
        poll_interval: float = 10,
        deferrable: bool = False,
        missing_ok: bool = False,
        project_id: str | None = None,
        oracle_oic_conn_id: str = DEFAULT_CONN_ID,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.missing_ok = missing_ok
        self.project_id = project_id
        self.integration_id = integration_id
        self.code = code
        self.version = version
        self.action = action
        self.tracing = tracing
        self.payload_tracing = payload_tracing
        self.record_enabled = record_enabled
        self.wait_for_completion = wait_for_completion
        self.timeout = timeout
        self.poll_interval = poll_interval
        self.deferrable = deferrable
        self.oracle_oic_conn_id = oracle_oic_conn_id
        self.console_url: str | None = None

    def execute(self, context: Any) -> dict[str, Any]:
        if self.action not in ACTIONS:
            raise ValueError(f"action must be 'activate' or 'deactivate', not {self.action!r}")
        ident = integration_id(self.integration_id, self.code, self.version)
        wanted = ACTIONS[self.action]
        hook = oic_hook(self.oracle_oic_conn_id)
        client = hook.client
        integrations = client.in_project(self.project_id or None).integrations
        where = f" in project {self.project_id}" if self.project_id else ""
        self.console_url = console_url(hook.oic_config.base_url, ident)
        try:
            current = integrations.find(ident)
            if current is None:
                if self.missing_ok and wanted == IntegrationStatus.CONFIGURED:
                    self.log.info("Integration %s%s is not in OIC; nothing to deactivate", ident, where)
                    return {"integration_id": ident, "status": "ABSENT", "changed": False}
                raise OICNotFoundError(f"Integration {ident} is not in OIC{where}", status=404)
            if current.status == wanted:
                self.log.info("Integration %s%s is already %s; nothing to do", ident, where, wanted)
                return {"integration_id": ident, "status": wanted, "changed": False}
            if wanted == IntegrationStatus.ACTIVATED:
                answer = integrations.activate(ident, self.tracing, self.payload_tracing, self.record_enabled)
            else:
                answer = integrations.deactivate(ident)
            self.log.info("Asked OIC to %s %s%s; it answered %s", self.action, ident, where, answer.status)
            if not self.wait_for_completion:
                return {"integration_id": ident, "status": answer.status, "changed": True}
            if self.deferrable:
                from ..triggers.activation import IntegrationActivationTrigger

                self.defer(
                    trigger=IntegrationActivationTrigger(
                        self.oracle_oic_conn_id,
                        ident,
                        wanted,
                        self.poll_interval,
                        time.time() + self.timeout,
                        self.project_id or None,
                    ),
                    method_name="execute_complete",
                    timeout=timedelta(seconds=self.timeout + 60),
                )
            status = integrations.wait_for_status(ident, wanted, self.timeout, self.poll_interval)
        except OICActivationError as exc:
            raise AirflowException(f"{exc} (activationErrors: {exc.activation_errors})") from None
        except OICError as exc:
            raise AirflowException(f"Could not {self.action} integration {ident}{where}: {exc}") from None
        return {"integration_id": ident, "status": status, "changed": True}

    def execute_complete(self, context: Any, event: dict[str, Any]) -> dict[str, Any]:
        """Resume after the trigger (in a fresh operator instance, so the console link is set again)."""
        self.console_url = console_url(
            oic_hook(self.oracle_oic_conn_id).oic_config.base_url, event["integration_id"]
        )
        if event.get("status") != "success":
            raise AirflowException(event.get("message") or f"Could not {self.action} {self.integration_id}")
        return {
            "integration_id": event["integration_id"],
            "status": event["activation_status"],
            "changed": True,
        }
