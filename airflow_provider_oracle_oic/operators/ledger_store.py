"""The deployment ledger and the write-ahead journals kept in Airflow Variables, so every worker
(and a task's retry on another worker) sees the same ones."""

from __future__ import annotations

from typing import Any

from airflow.sdk import Variable


class VariableLedgerStore:
    """Loads and saves the ledger as a JSON Variable (its key says `secret` so Airflow masks it)."""

    def __init__(self, key: str) -> None:
        self.key = key

    def load(self) -> dict[str, object]:
        value = Variable.get(self.key, default=None, deserialize_json=True)
        return value if isinstance(value, dict) else {}

    def save(self, data: dict[str, object]) -> None:
        Variable.set(
            self.key, data, description="airflow-provider-oracle-oic deployment ledger", serialize_json=True
        )


class VariableJournalStore:
    """Write-ahead journals in one JSON Variable (run id to events); each event is committed before
    the write it describes is sent."""

    def __init__(self, key: str) -> None:
        self.key = key

    def _load(self) -> dict[str, list[dict[str, Any]]]:
        value = Variable.get(self.key, default=None, deserialize_json=True)
        return value if isinstance(value, dict) else {}

    def _save(self, journals: dict[str, list[dict[str, Any]]]) -> None:
        Variable.set(
            self.key,
            journals,
            description="airflow-provider-oracle-oic write-ahead journals",
            serialize_json=True,
        )

    def append(self, run_id: str, event: dict[str, Any]) -> None:
        journals = self._load()
        journals.setdefault(run_id, []).append(event)
        self._save(journals)

    def events(self) -> dict[str, list[dict[str, Any]]]:
        return self._load()

    def remove(self, run_id: str) -> None:
        journals = self._load()
        if journals.pop(run_id, None) is not None:
            self._save(journals)
