"""`SingerToOICOperator`: deploy what a Singer tap, a JSONL file or a list of records describes."""

from __future__ import annotations

import json
import shlex
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from airflow.sdk import BaseHook, BaseOperator
from airflow.sdk.exceptions import AirflowException
from airflow.sdk.log import mask_secret

from ..connection_form import DEFAULT_CONN_ID
from ..hooks import oic_hook
from ..links import OICConsoleLink, OICRunReportLink, console_home
from .ledger_store import airflow_state, local_backups_warning, with_storage_defaults
from .origin import task_origin

if TYPE_CHECKING:
    from ..deploy.model.result import DeploymentResult
    from ..deploy.model.settings import DeploySettings
    from ..hooks.oic import OracleOICHook


class TapFailedError(AirflowException):
    """The tap exited non-zero; nothing it sent was deployed."""


def records_to_lines(records: Iterable[Mapping[str, Any]]) -> Iterator[str]:
    """Singer lines from `{"stream", "record"}` items (SCHEMA sent once per stream) or from whole messages."""
    from ..deploy.input.record_schemas import schema_message
    from ..deploy.model.specs import STREAMS

    seen: set[str] = set()
    for item in records:
        if "type" in item:
            yield json.dumps(item)
            continue
        stream = item.get("stream")
        if not isinstance(stream, str) or not isinstance(item.get("record"), Mapping):
            raise ValueError("records items must be Singer messages or {'stream': ..., 'record': {...}}")
        if stream not in seen:
            seen.add(stream)
            known = stream in STREAMS
            yield json.dumps(
                schema_message(stream)
                if known
                else {"type": "SCHEMA", "stream": stream, "schema": {"properties": {}}, "key_properties": []}
            )
        yield json.dumps({"type": "RECORD", "stream": stream, "record": item["record"]})


INPUTS = ("release_dir", "tap_command", "input_path", "records")


def _plan_body(approved: Mapping[str, Any] | str) -> Mapping[str, Any]:
    """The plan file's content from what a `plan_only` task returned (or the plan itself, or its JSON)."""
    if isinstance(approved, str):
        try:
            approved = json.loads(approved)
        except json.JSONDecodeError:
            raise ValueError(
                "approved_plan must be the plan_only task's result (pass <task>.output), not a file path"
            ) from None
    if not isinstance(approved, Mapping):
        raise ValueError("approved_plan must be the plan_only task's result (pass <task>.output)")
    plan = approved.get("plan", approved)
    if not isinstance(plan, Mapping) or "steps" not in plan:
        raise ValueError("approved_plan holds no plan: the planning task needs plan_only=True")
    return plan


class SingerToOICOperator(BaseOperator):
    """Runs target-oracle-oic in the task on one of four inputs and returns the deployment result.

    Exactly one of: `release_dir` (a release folder kept in Git, docs/release-folder.md; its archives
    resolve inside it), `tap_command` (run as a subprocess; its stdout is the input, its stderr goes to
    the task log, a non-zero exit fails the task before anything is deployed), `input_path` (a local path
    or an ObjectStorage URL of a JSONL file), or `records` (Singer messages, or `{"stream", "record"}`
    items).
    Connection settings come from the `oracle_oic` connection; `target_config` adds any other target
    setting. `${NAME}` placeholders are filled from `secret_connections` (placeholder name to the id of an
    Airflow connection whose password is the value), then `secrets`, then the worker's environment;
    these values are never templated, logged or returned.

    Review before apply: `plan_only=True` plans without writing and returns the plan (`plan`, steps with
    their reasons and OIC facts, no secret) beside the readable `summary`; a later task with
    `approved_plan=<that task>.output` (after an `ApprovalOperator`, say) applies exactly that plan, or
    fails without writing anything when the input or OIC changed since it was made. `deploy_hooks`
    are callables told `hook(event, artifact)` before and after each artifact's write (the setting of
    the same name takes `module:function` references).
    """

    template_fields: Sequence[str] = (
        "release_dir",
        "tap_command",
        "input_path",
        "records",
        "import_mode",
        "conflict_resolution",
        "streams",
        "archive_directory",
        "target_config",
        "approved_plan",
    )
    template_fields_renderers = {"records": "json", "target_config": "json"}
    ui_color = "#e8f0d8"
    operator_extra_links = (OICConsoleLink(), OICRunReportLink())

    def __init__(
        self,
        *,
        release_dir: str | None = None,
        tap_command: str | Sequence[str] | None = None,
        input_path: str | None = None,
        records: Sequence[Mapping[str, Any]] | None = None,
        import_mode: str | None = None,
        conflict_resolution: str | None = None,
        streams: Sequence[str] | None = None,
        dry_run: bool = False,
        activate_integrations: bool | None = None,
        archive_directory: str | None = None,
        secrets: Mapping[str, str] | None = None,
        secret_connections: Mapping[str, str] | None = None,
        target_config: Mapping[str, Any] | None = None,
        ledger_variable: str | None = None,
        fail_on_error: bool = True,
        plan_only: bool = False,
        approved_plan: Mapping[str, Any] | str | None = None,
        deploy_hooks: Sequence[Callable[[str, dict[str, Any]], Any]] = (),
        oracle_oic_conn_id: str = DEFAULT_CONN_ID,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.release_dir = release_dir
        self.tap_command = tap_command
        self.input_path = input_path
        self.records = records
        self.import_mode = import_mode
        self.conflict_resolution = conflict_resolution
        self.streams = streams
        self.dry_run = dry_run
        self.activate_integrations = activate_integrations
        self.archive_directory = archive_directory
        self.secrets = secrets
        self.secret_connections = secret_connections
        self.target_config = target_config
        self.ledger_variable = ledger_variable
        self.fail_on_error = fail_on_error
        self.plan_only = plan_only
        self.approved_plan = approved_plan
        self.deploy_hooks = deploy_hooks
        self.oracle_oic_conn_id = oracle_oic_conn_id
        self._tap: subprocess.Popen[str] | None = None
        self.console_url: str | None = None

    def _settings(self, plan_file: Path, hook: OracleOICHook) -> DeploySettings:
        """The deployment settings: the connection's and the provider's defaults, `target_config`, then
        the operator's own arguments."""
        from ..deploy.model.setting_specs import BY_NAME
        from ..deploy.model.settings import SettingsError, deploy_settings

        config = dict(self.target_config or {})
        unknown = sorted(set(config) - set(BY_NAME))
        if unknown:
            raise SettingsError(
                f"target_config names unknown setting(s) {', '.join(unknown)}; see docs/settings.md"
            )
        overrides = {
            "import_mode": self.import_mode,
            "conflict_resolution": self.conflict_resolution,
            "streams": list(self.streams) if self.streams else None,
            "dry_run": self.dry_run or None,
            "activate_integrations": self.activate_integrations,
            "archive_directory": self.release_dir or self.archive_directory,
            "plan_out": str(plan_file) if self.plan_only else None,
            "plan": str(plan_file) if self.approved_plan else None,
        }
        config.update({k: v for k, v in overrides.items() if v is not None})
        return deploy_settings(with_storage_defaults(config, hook))

    def _tap_lines(self) -> Iterator[str]:
        command = (
            shlex.split(self.tap_command)
            if isinstance(self.tap_command, str)
            else list(self.tap_command or [])
        )
        self.log.info("Starting tap: %s", command[0] if command else "")
        self._tap = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1
        )
        assert self._tap.stdout is not None
        assert self._tap.stderr is not None
        relay = threading.Thread(target=self._relay_stderr, args=(self._tap.stderr,), daemon=True)
        relay.start()
        yield from self._tap.stdout
        code = self._tap.wait()
        relay.join(timeout=5)
        if code != 0:
            raise TapFailedError(f"The tap exited with status {code}; nothing was deployed")

    def _relay_stderr(self, stream: Iterable[str]) -> None:
        for line in stream:
            self.log.info("tap: %s", line.rstrip())

    def _file_lines(self) -> Iterator[str]:
        path = str(self.input_path)
        if "://" in path:
            from airflow.sdk import ObjectStoragePath

            with ObjectStoragePath(path).open("r") as handle:
                yield from handle
        else:
            with open(path, encoding="utf-8") as handle:
                yield from handle

    def _lines(self) -> Iterator[str]:
        given = [name for name in INPUTS if getattr(self, name)]
        if len(given) != 1:
            raise ValueError(f"Pass exactly one of {', '.join(INPUTS)} (got {', '.join(given) or 'none'})")
        if self.tap_command:
            return self._tap_lines()
        if self.input_path:
            return self._file_lines()
        return records_to_lines(self.records or [])

    def _direct_records(self) -> list[tuple[str, Mapping[str, Any]]] | None:
        """`records` as (stream, record) pairs when none is a whole Singer message; they need no parsing."""
        from ..deploy.model.specs import STREAMS, UnknownStreamError

        if self.release_dir and not (self.tap_command or self.input_path or self.records):
            from ..release.folder import read_release

            return read_release(Path(self.release_dir)).records
        if self.tap_command or self.input_path or not self.records:
            return None
        if any("type" in item for item in self.records):
            return None
        pairs = []
        for item in self.records:
            stream, record = item.get("stream"), item.get("record")
            if not isinstance(stream, str) or not isinstance(record, Mapping):
                raise ValueError("records items must be Singer messages or {'stream': ..., 'record': {...}}")
            if stream not in STREAMS and not self.streams:
                raise UnknownStreamError(stream)
            pairs.append((stream, record))
        return pairs

    def execute(self, context: Any) -> dict[str, Any]:
        # The engine and singer-sdk are only needed while the task runs; importing them with the DAG file
        # would slow parsing.
        from ..deploy.model.settings import SettingsError
        from ..deploy.model.specs import UnknownStreamError
        from ..release.folder import ReleaseError
        from ..singer.inprocess import InputError

        secrets = dict(self.secrets or {})
        for name, conn_id in (self.secret_connections or {}).items():
            secrets[name] = BaseHook.get_connection(conn_id).password or ""
        for value in secrets.values():
            mask_secret(value)
        if self.plan_only and self.approved_plan:
            raise ValueError(
                "plan_only and approved_plan exclude each other: plan in one task, apply in another"
            )
        hook = oic_hook(self.oracle_oic_conn_id)
        self.console_url = console_home(hook.oic_config.base_url)
        with tempfile.TemporaryDirectory(prefix="oic-plan-") as folder:
            plan_file = Path(folder) / "plan.json"
            if self.approved_plan:
                plan_file.write_text(json.dumps(_plan_body(self.approved_plan)))
            try:
                result, states = self._deploy(hook, secrets, plan_file)
            except (InputError, SettingsError, UnknownStreamError, ReleaseError) as exc:
                raise AirflowException(f"target-oracle-oic refused the input: {exc}") from None
            summary = result.summary()
            for line in summary.splitlines():
                self.log.info("%s", line)
            output = {**result.to_dict(), "state": states[-1] if states else None}
            if self.plan_only and plan_file.exists():
                output["plan"] = json.loads(plan_file.read_text())
                output["summary"] = summary
        if not result.ok and self.fail_on_error:
            # The result stays readable (a fleet summary, the run view) although the task fails.
            context["ti"].xcom_push(key="return_value", value=output)
            problems = [f"{r.artifact}: {r.action}: {r.detail or r.reason}" for r in result.failures]
            problems += [str(issue) for issue in result.issues]
            raise AirflowException("OIC deployment failed:\n" + "\n".join(problems))
        return output

    def _deploy(
        self, hook: OracleOICHook, secrets: dict[str, str], plan_file: Path
    ) -> tuple[DeploymentResult, list[dict]]:
        """Run the deployment on the operator's input; its result and the STATE messages it confirmed."""
        from ..deploy.engine import Deployment
        from ..singer.inprocess import run_deployment

        settings = self._settings(plan_file, hook)
        warning = local_backups_warning(settings.backup_directory)
        if warning and not settings.dry_run:
            self.log.warning("%s", warning)
        deployment = Deployment(
            settings,
            hook.client,
            secrets=secrets,
            secret_masker=mask_secret,
            hooks=self.deploy_hooks,
            origin=task_origin(),
            **airflow_state(self.oracle_oic_conn_id, self.ledger_variable, settings),
        )
        states: list[dict] = []
        pairs = self._direct_records()
        if pairs is not None:
            for stream, record in pairs:
                deployment.add(stream, record)
            return deployment.run(), states
        return run_deployment(
            deployment, self._lines(), streams_given=bool(self.streams), state_sink=states.append
        ), states

    def on_kill(self) -> None:
        if self._tap is not None and self._tap.poll() is None:
            self.log.info("Stopping the tap")
            self._tap.terminate()
            try:
                self._tap.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._tap.kill()
