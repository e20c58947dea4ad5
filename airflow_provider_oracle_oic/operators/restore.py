"""`RestoreRunOperator`: put back what a past deployment run replaced or changed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from airflow.sdk.exceptions import AirflowException

from .ledger_task import LedgerTaskOperator


class RestoreRunOperator(LedgerTaskOperator):
    """Restores the artifacts run `run_id` (a `SingerToOICOperator` result's `run_id`) replaced or
    changed, from its journal and backups, newest first, and checks each afterwards.

    The journal is the one kept for the connection (or under `state_path` in `target_config`); backups
    are read from `backup_directory`, so restore on a worker that sees the deploying task's backups. It
    refuses, writing nothing, when a backup is gone or a later run changed the same artifact, unless
    `partial=True`; `plan_only=True` only reports what it would do. Returns the run's result.
    """

    template_fields: Sequence[str] = ("run_id", "target_config")
    ui_color = "#f0d8d8"

    def __init__(self, *, run_id: str, partial: bool = False, plan_only: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.run_id = run_id
        self.partial = partial
        self.plan_only = plan_only

    def execute(self, context: Any) -> dict[str, Any]:
        result = self.run_engine(
            {"restore_run": self.run_id, "restore_partial": self.partial, "dry_run": self.plan_only}
        )
        for line in result.summary().splitlines():
            self.log.info("%s", line)
        if not result.ok:
            problems = [str(issue) for issue in result.issues] + list(result.not_restorable)
            raise AirflowException(f"Restore of run {self.run_id} failed:\n" + "\n".join(problems))
        return result.to_dict()
