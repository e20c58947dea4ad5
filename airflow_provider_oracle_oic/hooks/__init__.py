"""Hooks; the hook module (and Airflow's HTTP provider under it) is imported when a task first needs it."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .oic import OracleOICHook


def oic_hook(conn_id: str) -> OracleOICHook:
    """An `OracleOICHook` for `conn_id`, importing the hook module only now (DAG parsing never needs it)."""
    from .oic import OracleOICHook

    return OracleOICHook(conn_id)
