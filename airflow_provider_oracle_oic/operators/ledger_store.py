"""The deployment ledger and the write-ahead journals kept in Airflow Variables, so every worker
(and a task's retry on another worker) sees the same ones."""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from airflow.sdk import Variable

from ..deploy.state.journal import JournalStore
from ..deploy.state.ledger import LedgerError
from ..deploy.state.locations import connection_named, is_remote, open_with
from ..deploy.state.run_lock import RunLock

if TYPE_CHECKING:
    from ..deploy.model.settings import DeploySettings
    from ..hooks.oic import OracleOICHook

# A deployment saves its ledger and its journal from several threads; the task's channel to Airflow
# (and dag.test's in-process stand-in for it) is used by one of them at a time.
_VARIABLES = threading.Lock()


class VariableLedgerStore:
    """Loads and saves the ledger as a JSON Variable (its key says `secret` so Airflow masks it)."""

    def __init__(self, key: str) -> None:
        self.key = key
        self.where = f"the ledger Variable {key}"

    def load(self) -> dict[str, object]:
        with _VARIABLES:
            raw = Variable.get(self.key, default=None)
        try:
            value = _parsed(raw)
        except ValueError:
            raise LedgerError(f"{self.where} is not valid JSON; fix or delete it") from None
        if value is not None and not isinstance(value, dict):
            raise LedgerError(f"{self.where} is not a ledger (a JSON object); fix or delete it")
        return value or {}

    def save(self, data: dict[str, object]) -> None:
        with _VARIABLES:
            Variable.set(
                self.key,
                data,
                description="airflow-provider-oracle-oic deployment ledger",
                serialize_json=True,
            )


class VariableJournalStore(JournalStore):
    """Write-ahead journals in one JSON Variable (run id to events); each event is committed before
    the write it describes is sent. Its key never names a secret: Airflow masks every value it reads
    under such a key, and a journal is read before each write it records, so each run would add every
    state of its journal to the masker (quadratic time in a task, lasting growth in the API server);
    a journal holds no secret."""

    def __init__(self, key: str) -> None:
        self.key = key

    def _load(self) -> dict[str, list[dict[str, Any]]]:
        value = _parsed(Variable.get(self.key, default=None))
        return value if isinstance(value, dict) else {}

    def _save(self, journals: dict[str, list[dict[str, Any]]]) -> None:
        Variable.set(
            self.key,
            journals,
            description="airflow-provider-oracle-oic write-ahead journals",
            serialize_json=True,
        )

    def append(self, run_id: str, event: dict[str, Any]) -> None:
        with _VARIABLES:
            journals = self._load()
            journals.setdefault(run_id, []).append(event)
            self._save(journals)

    def events(self) -> dict[str, list[dict[str, Any]]]:
        with _VARIABLES:
            return self._load()

    def remove(self, run_id: str) -> None:
        with _VARIABLES:
            journals = self._load()
            if journals.pop(run_id, None) is not None:
                self._save(journals)


def _parsed(raw: str | None) -> Any:
    """A Variable's JSON, parsed here rather than by `deserialize_json`: Airflow then masks the raw text
    as one value, instead of registering every leaf of the object (it warns about each short one)."""
    return None if raw is None else json.loads(raw)


def airflow_state(conn_id: str, ledger_variable: str | None, settings: DeploySettings) -> dict[str, Any]:
    """Where an OIC connection's run state lives, as the engine's keyword arguments: the Variable-backed
    ledger and journals, and, with backups in object storage, a lease there that keeps one run at a time
    per connection whichever worker or DAG runs it; nothing when `state_path` keeps them (the engine
    then keeps its own)."""
    if settings.state_path is not None:
        return {}
    backups = settings.backup_directory
    lease = RunLock(f"{backups}/leases/{conn_id}.lock", "backup_directory") if is_remote(backups) else None
    ledger = ledger_variable or default_ledger_variable(conn_id)
    return {
        "ledger_store": VariableLedgerStore(ledger),
        "journal_store": VariableJournalStore(journal_variable(conn_id)),
        "run_lock": lease,
    }


def default_ledger_variable(conn_id: str) -> str:
    """The Variable of an OIC connection's ledger (its key says `secret`: it holds the HMAC key)."""
    return f"oracle_oic_ledger_secret__{conn_id}"


def journal_variable(conn_id: str) -> str:
    """The Variable of an OIC connection's journals (runs of every ledger of it: run ids are unique)."""
    return f"oracle_oic_journals__{conn_id}"


def with_storage_defaults(config: Mapping[str, Any], hook: OracleOICHook) -> dict[str, Any]:
    """`config` with the backup location of the connection or `[oracle_oic]` where it names none; storage
    URLs may name an Airflow connection (`s3://conn_id@bucket/prefix`)."""
    open_with(connection_storage)
    given = dict(config)
    if given.get("backup_directory") is None and hook.backup_directory:
        given["backup_directory"] = hook.backup_directory
    return given


def connection_storage(location: str) -> tuple[Any, str] | None:
    """The filesystem and path of `scheme://conn_id@bucket/…` through the Airflow connection, as
    `ObjectStoragePath` opens it (the provider of the scheme, e.g. amazon for s3, must be installed);
    None for a URL that names no connection."""
    if connection_named(location) is None:
        return None
    from airflow.sdk import ObjectStoragePath

    path = ObjectStoragePath(location)
    return path.fs, path.path


# Executors whose tasks all run on the scheduler's machine: a retry finds local backups there.
ONE_MACHINE_EXECUTORS = ("LocalExecutor", "SequentialExecutor", "DebugExecutor")


def local_backups_warning(backup_directory: object) -> str | None:
    """A warning when tasks may run on several machines and backups stay on one worker's disk."""
    from airflow.configuration import conf

    executors = [e.strip().rsplit(".", 1)[-1] for e in conf.get("core", "executor", fallback="").split(",")]
    remote = is_remote(backup_directory)
    if remote or all(e in ONE_MACHINE_EXECUTORS for e in executors if e):
        return None
    return (
        f"backup_directory is on this worker's disk ({backup_directory or 'a temp folder'}) while the "
        f"{', '.join(executors)} runs tasks on several machines: a retry or a restore on another worker "
        "cannot use these backups; set backup_directory to object storage (e.g. s3://bucket/prefix)"
    )
