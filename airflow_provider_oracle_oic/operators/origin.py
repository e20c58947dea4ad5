"""Which Airflow task instance runs the engine: kept in the ledger so the estate page can say which
DAG run last deployed each artifact, and link to it."""

from __future__ import annotations


def task_origin() -> dict[str, str]:
    """The running task instance as ledger provenance (empty outside a running task)."""
    from airflow.sdk import get_current_context

    try:
        ti = get_current_context()["ti"]
    except Exception:  # no task is running (an operator called directly): nothing to name
        return {}
    return {
        "dag_id": ti.dag_id,
        "dag_run_id": ti.run_id,
        "task_id": ti.task_id,
        "map_index": str(ti.map_index if ti.map_index is not None else -1),
    }
