"""`RestoreRunOperator`: put back what a past deployment run replaced or changed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from airflow.sdk import BaseOperator
from airflow.sdk.exceptions import AirflowException

from ..connection_form import DEFAULT_CONN_ID
from ..hooks import oic_hook
from ..links import OICConsoleLink, console_home
from .ledger_store import airflow_stores


class RestoreRunOperator(BaseOperator):
    """Restores the artifacts run `run_id` (a `SingerToOICOperator` result's `run_id`) replaced or
    changed, from its journal and backups, newest first, and checks each afterwards.

    The journal is the one kept for the connection (or under `state_path` in `target_config`); backups
    are read from `backup_directory`, so restore on a worker that sees the deploying task's backups. It
    refuses, writing nothing, when a backup is gone or a later run changed the same artifact, unless
    `partial=True`; `plan_only=True` only reports what it would do. Returns the run's result.
    """

    template_fields: Sequence[str] = ("run_id", "target_config")
    operator_extra_links = (OICConsoleLink(),)
    ui_color = "#f0d8d8"

    def __init__(
        self,
        *,
        run_id: str,
        partial: bool = False,
        plan_only: bool = False,
        target_config: Mapping[str, Any] | None = None,
        ledger_variable: str | None = None,
        oracle_oic_conn_id: str = DEFAULT_CONN_ID,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.run_id = run_id
        self.partial = partial
        self.plan_only = plan_only
        self.target_config = target_config
        self.ledger_variable = ledger_variable
        self.oracle_oic_conn_id = oracle_oic_conn_id
        self.console_url: str | None = None

    def execute(self, context: Any) -> dict[str, Any]:
        from ..deploy.engine import Deployment
        from ..deploy.settings import deploy_settings

        hook = oic_hook(self.oracle_oic_conn_id)
        self.console_url = console_home(hook.oic_config.base_url)
        config = {
            **(self.target_config or {}),
            "restore_run": self.run_id,
            "restore_partial": self.partial,
            "dry_run": self.plan_only,
        }
        settings = deploy_settings(config)
        ledger, journals = airflow_stores(self.oracle_oic_conn_id, self.ledger_variable, settings.state_path)
        result = Deployment(settings, hook.client, ledger_store=ledger, journal_store=journals).run()
        for line in result.summary().splitlines():
            self.log.info("%s", line)
        if not result.ok:
            problems = [str(issue) for issue in result.issues] + list(result.not_restorable)
            raise AirflowException(f"Restore of run {self.run_id} failed:\n" + "\n".join(problems))
        return result.to_dict()
