"""The deployment ledger kept in an Airflow Variable, so every worker sees the same one."""

from __future__ import annotations

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
