"""`CheckDriftOperator`: compare what was deployed to an OIC with what it holds now."""

from __future__ import annotations

from typing import Any

from airflow.sdk.exceptions import AirflowException, AirflowSkipException

from .ledger_task import LedgerTaskOperator


class CheckDriftOperator(LedgerTaskOperator):
    """Reports each artifact changed in OIC behind the tool's back since its deployment: deleted,
    deactivated, lookup rows or connection properties changed, any other move of `lastUpdated`.

    The ledger is the one `SingerToOICOperator` keeps for the same connection (or `state_path` in
    `target_config`). With drift, the task fails listing it (`fail_on_drift=True`, the default); with
    `fail_on_drift=False` it succeeds and its `outlets` (an Airflow Asset) get an event whose `extra`
    lists the drift, so other DAGs can be scheduled on it, and when there is none it is skipped, so no
    event is emitted. Returns `{"drift": [{"kind", "id", "reason"}, ...]}`.
    """

    ui_color = "#f4e8c1"

    def __init__(self, *, fail_on_drift: bool = True, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.fail_on_drift = fail_on_drift

    def execute(self, context: Any) -> dict[str, Any]:
        result = self.run_engine({"check_drift": True})
        if result.issues:
            raise AirflowException("The drift check could not run: " + "; ".join(map(str, result.issues)))
        drift = [{"kind": r.kind, "id": r.id, "reason": r.reason} for r in result.results]
        for item in drift:
            self.log.warning("drift: %s %s: %s", item["kind"], item["id"], item["reason"])
        if not drift:
            self.log.info("No drift: OIC holds what was deployed")
            if self.outlets and not self.fail_on_drift:
                raise AirflowSkipException("No drift; no asset event")
            return {"drift": []}
        if self.fail_on_drift:
            lines = "\n".join(f"drift: {d['kind']} {d['id']}: {d['reason']}" for d in drift)
            raise AirflowException(f"{len(drift)} artifact(s) drifted in OIC:\n{lines}")
        for outlet in self.outlets:
            context["outlet_events"][outlet].extra = {"drift": drift}
        return {"drift": drift}
