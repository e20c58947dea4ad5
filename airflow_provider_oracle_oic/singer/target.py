"""`target-oracle-oic`: a singer-sdk target whose sinks feed one deployment, run at end of input."""

from __future__ import annotations

import contextlib
import copy
import difflib
import logging
import os
import re
import sys
import typing as t
from collections.abc import Callable, Mapping
from pathlib import Path

import click
from singer_sdk import Target
from singer_sdk.exceptions import ConfigValidationError, MissingKeyPropertiesError, SingerSDKError
from singer_sdk.helpers._classproperty import classproperty
from singer_sdk.helpers.capabilities import CapabilitiesEnum, PluginCapabilities
from singer_sdk.plugin_base import PluginBase
from singer_sdk.singerlib.exceptions import SingerReadError
from singer_sdk.sinks import RecordSink

from ..deploy.model.setting_specs import SETTINGS
from ..deploy.model.settings import SettingsError
from ..deploy.model.specs import STREAMS, UnknownStreamError
from ..oic.identifiers import IntegrationId
from .distribution import DISTRIBUTION
from .reader import InputLineError, SafeSingerReader
from .settings_schema import CONFIG_SCHEMA

if t.TYPE_CHECKING:
    from ..deploy.engine import Deployment, SecretMasker
    from ..deploy.model.result import DeploymentResult
    from ..deploy.state.journal import JournalStore
    from ..deploy.state.ledger import LedgerStore


def integration_identity(record: dict) -> dict:
    """An integration record with `code` and `version` filled from `id: "CODE|VERSION"` when absent."""
    ident = record.get("id")
    if not isinstance(ident, str) or "|" not in ident or (record.get("code") and record.get("version")):
        return record
    parts = IntegrationId.of(ident)
    return {
        **record,
        "code": record.get("code") or parts.code,
        "version": record.get("version") or parts.version,
    }


# What bad input or configuration raises before anything is deployed.
INPUT_ERRORS = (SingerReadError, SingerSDKError, UnknownStreamError, SettingsError)


SECRET_SETTINGS = tuple(s.name for s in SETTINGS if s.secret)
TYPE_ERROR = re.compile(r"is not of type '(\w+)'")


def _config_error(error: str) -> str:
    """A config validation message; one about a secret setting never repeats its value."""
    for name in SECRET_SETTINGS:
        if f"'{name}'" in error:
            expected = TYPE_ERROR.search(error)
            wanted = f"must be a {expected.group(1)}" if expected else "is invalid"
            return f"setting {name} {wanted} (its value is not shown)"
    return error


def describe_input_error(exc: BaseException, secrets: t.Iterable[str] = ()) -> str:
    """One readable message for bad input or configuration, with any secret setting value blanked out."""
    message = str(exc)
    if isinstance(exc, ConfigValidationError) and exc.errors:
        message = "invalid configuration: " + "; ".join(_config_error(e) for e in exc.errors)
    for secret in secrets:
        if secret:
            message = message.replace(str(secret), "***")
    return message


def secret_settings(config: t.Any) -> list[str]:
    """Values of the settings marked secret in a config mapping (for blanking them out of messages)."""
    if not isinstance(config, Mapping):
        return []
    return [str(config[name]) for name in SECRET_SETTINGS if config.get(name)]


def config_file_error(exc: OSError | ValueError) -> str:
    """What is wrong with a `--config` file (never its content)."""
    if isinstance(exc, OSError):
        return f"the file cannot be read ({exc.strerror or exc}); check the path"
    where = f" at line {exc.lineno}, column {exc.colno}" if hasattr(exc, "lineno") else ""
    return f"the file is not valid JSON ({getattr(exc, 'msg', 'unreadable')}{where}); fix the file"


def _refuse_unknown_settings(config: Mapping[str, t.Any], known: Mapping[str, t.Any]) -> None:
    """A setting the target does not know is a typo until shown otherwise: refuse it, naming the closest."""
    for name in config:
        if name in known:
            continue
        close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
        hint = f"; did you mean '{close[0]}'?" if close else "; see `target-oracle-oic --about`"
        raise SettingsError(f"Unknown setting '{name}'{hint}")


LOG_LEVEL_VARIABLES = ("TARGET_ORACLE_OIC_LOG_LEVEL", "TARGET_ORACLE_OIC_LOGLEVEL", "LOGLEVEL")


def _apply_log_level() -> None:
    """`TARGET_ORACLE_OIC_LOG_LEVEL` (or singer-sdk's `…_LOGLEVEL` / `LOGLEVEL`) sets how much the
    command tells on stderr, the engine's and the client's messages included."""
    level = next((os.environ[name] for name in LOG_LEVEL_VARIABLES if os.environ.get(name)), None)
    if level is None:
        return
    level = level.strip().upper()
    if level not in logging.getLevelNamesMapping():
        print(
            f"target-oracle-oic: ignoring log level {level!r}; use DEBUG, INFO, WARNING or ERROR",
            file=sys.stderr,
        )
        return
    os.environ["TARGET_ORACLE_OIC_LOGLEVEL"] = level
    logging.getLogger("airflow_provider_oracle_oic").setLevel(level)


def _readable_config(callback: t.Callable[..., t.Any]) -> t.Callable[..., t.Any]:
    """singer-sdk's --config callback, with a missing or malformed file reported as a usage error."""

    def read(ctx: click.Context, param: click.Parameter, value: t.Any) -> t.Any:
        try:
            return callback(ctx, param, value)
        except (OSError, ValueError) as exc:
            raise click.BadParameter(config_file_error(exc), ctx=ctx, param=param) from None

    return read


class ArtifactSink(RecordSink):
    """Hands each record to the deployment; the engine validates it against the contract."""

    def __init__(
        self, target: TargetOracleOIC, stream_name: str, schema: dict, key_properties: t.Any
    ) -> None:
        super().__init__(target, stream_name, schema, key_properties)
        self.deployment = target.deployment

    def get_validator(self) -> None:
        return None

    def process_record(self, record: dict, context: dict) -> None:
        self.deployment.add(self.stream_name, record)


class TargetOracleOIC(Target):
    """Deploys OIC artifacts (connections, integrations, lookups, packages, libraries, certificates, OIC 3 projects)."""

    name = "target-oracle-oic"
    package_name = DISTRIBUTION
    # singer-sdk adds its built-in settings to this dict in place; the contract's own list stays untouched.
    config_jsonschema = copy.deepcopy(CONFIG_SCHEMA)
    default_sink_class = ArtifactSink
    message_reader_class = SafeSingerReader
    # The engine owns concurrency and dependency order; SDK-side parallel draining would fight it.
    max_parallelism = 1
    # Records are checked by the engine against the contract, with messages that never echo secrets.
    capabilities: t.ClassVar[list[CapabilitiesEnum]] = [
        PluginCapabilities.ABOUT,
        PluginCapabilities.STREAM_MAPS,
        PluginCapabilities.STRUCTURED_LOGGING,
    ]

    @classmethod
    def append_builtin_config(cls, config_jsonschema: dict) -> None:
        """Only the built-ins that work here (stream maps, flattening): singer-sdk's target-level
        `load_method`, `batch_size_rows` and `add_record_metadata` mean nothing to a deployment."""
        PluginBase.append_builtin_config.__func__(cls, config_jsonschema)

    @classproperty
    def _env_var_config(cls) -> dict[str, t.Any]:
        """singer-sdk's environment settings, with number settings read as numbers (it leaves them text)."""
        config = dict(super()._env_var_config)
        for setting in SETTINGS:
            value = config.get(setting.name)
            if setting.type == "number" and isinstance(value, str):
                with contextlib.suppress(ValueError):
                    config[setting.name] = float(value)
        return config

    def __init__(
        self,
        *,
        config: t.Any = None,
        parse_env_config: bool = False,
        validate_config: bool = True,
        setup_mapper: bool = True,
        overrides: Mapping[str, t.Any] | None = None,
        secrets: Mapping[str, str] | None = None,
        secret_masker: SecretMasker | None = None,
        ledger_store: LedgerStore | None = None,
        journal_store: JournalStore | None = None,
        state_sink: Callable[[dict], None] | None = None,
        deployment: Deployment | None = None,
    ) -> None:
        super().__init__(
            config=config,
            parse_env_config=parse_env_config,
            validate_config=validate_config,
            setup_mapper=setup_mapper,
        )
        self._config.update({k: v for k, v in (overrides or {}).items() if v is not None})
        if validate_config:
            _refuse_unknown_settings(self.config, self.config_jsonschema["properties"])
        # Imported here: `--about` and `--help` need none of the engine (start-up time, docs/performance.md).
        from ..deploy.engine import Deployment

        self.deployment = deployment or Deployment.from_target_config(
            dict(self.config),
            secrets=secrets,
            secret_masker=secret_masker,
            ledger_store=ledger_store,
            journal_store=journal_store,
        )
        self.result: DeploymentResult | None = None
        self._state_sink = state_sink
        self._deployed = False

    def get_sink_class(self, stream_name: str) -> type[RecordSink]:
        if stream_name not in STREAMS and "streams" not in self.config:
            raise UnknownStreamError(stream_name)
        return ArtifactSink

    def _line(self) -> int:
        return t.cast("SafeSingerReader", self.message_reader).line_number

    def _process_batch_message(self, message_dict: dict) -> None:
        raise InputLineError(
            f"line {self._line()}: BATCH messages are not supported by target-oracle-oic; "
            "send RECORD messages (one artifact each)"
        )

    def _process_record_message(self, message_dict: dict) -> None:
        record = message_dict.get("record")
        stream = message_dict.get("stream")
        if "record" in message_dict and not isinstance(record, dict):
            kind = "null" if record is None else type(record).__name__
            raise InputLineError(
                f"line {self._line()}: the RECORD of stream {stream} must carry a JSON object in "
                f"'record', not {kind}"
            )
        if stream == "integrations" and isinstance(record, dict):
            message_dict = {**message_dict, "record": integration_identity(record)}
        try:
            super()._process_record_message(message_dict)
        except MissingKeyPropertiesError:
            stream = message_dict.get("stream")
            sink = self._sinks_active.get(stream)
            keys = sink.key_properties if sink else []
            missing = [k for k in keys if k not in (message_dict.get("record") or {})]
            raise MissingKeyPropertiesError(
                f"line {self._line()}: a record of stream {stream} lacks its key field(s) {', '.join(missing)}"
            ) from None

    def _write_state_message(self, state: dict) -> None:
        # STATE may only follow the artifacts before it, and those are applied at end of input.
        if not self._deployed:
            return
        if self._state_sink is not None:
            self._state_sink(state)
        else:
            super()._write_state_message(state)

    def process_endofpipe(self) -> None:
        self.result = self.deployment.run()
        # A dry run or a validation applies nothing, so it confirms no STATE either.
        self._deployed = self.result.ok and self.result.mode == "deploy"
        super().process_endofpipe()

    @classmethod
    def invoke(  # type: ignore[override]
        cls,
        *,
        about: bool = False,
        about_format: str | None = None,
        config: t.Any = None,
        file_input: t.IO[str] | None = None,
        dry_run: bool = False,
        validate_only: bool = False,
        streams: str | None = None,
        archive_dir: str | None = None,
        plan_out: str | None = None,
        plan: str | None = None,
        check_drift: bool = False,
        restore: str | None = None,
        restore_partial: bool = False,
        report: str | None = None,
    ) -> None:
        """Run the target from the command line: exit 0 on success, 1 on a failed deployment, 2 on bad
        input (nothing written), 3 when a drift check finds drift."""
        if about:
            cls.print_about(about_format)
            sys.exit(0)
        _apply_log_level()
        cls.print_version(print_fn=cls.logger.info)
        overrides = {
            "dry_run": True if dry_run else None,
            "validate_only": True if validate_only else None,
            "streams": [s.strip() for s in streams.split(",") if s.strip()] if streams else None,
            "archive_directory": archive_dir,
            "plan_out": plan_out,
            "plan": plan,
            "check_drift": True if check_drift else None,
            "restore_run": restore,
            "restore_partial": True if restore_partial else None,
        }
        try:
            target = cls(
                config=config.config if config else None,
                validate_config=True,
                parse_env_config=bool(config and config.parse_env),
                overrides=overrides,
            )
            if check_drift or restore is not None:
                # These work from the configuration, the ledger and the journals: no input is read.
                target.result = target.deployment.run()
            else:
                target.listen(file_input)
        except INPUT_ERRORS as exc:
            print(f"target-oracle-oic: error: {describe_input_error(exc)}", file=sys.stderr)
            sys.exit(2)
        result = target.result
        assert result is not None
        print(result.summary(), file=sys.stderr)
        if report:
            _write_report(Path(report), result, target.deployment.oic_config.base_url)
        if result.mode == "drift-check" and not result.issues:
            for item in result.results:
                print(f"drift: {item.artifact}: {item.reason}")
            sys.exit(3 if result.results else 0)
        sys.exit(0 if result.ok else (2 if result.issues and not result.wrote else 1))

    @classmethod
    def get_singer_command(cls) -> click.Command:
        command = super().get_singer_command()
        for param in command.params:
            if param.name == "config" and param.callback is not None:
                param.callback = _readable_config(param.callback)
        command.params.extend(
            [
                click.Option(["--dry-run"], is_flag=True, help="Print the plan and write nothing."),
                click.Option(
                    ["--validate-only"],
                    is_flag=True,
                    help="Validate input and archives offline; contact nothing but the token endpoint.",
                ),
                click.Option(
                    ["--streams"], help="Comma-separated streams to deploy; others are skipped and counted."
                ),
                click.Option(
                    ["--archive-dir", "archive_dir"], help="Directory where archive_path/file_path resolve."
                ),
                click.Option(
                    ["--plan-out", "plan_out"],
                    metavar="FILE",
                    help="Write the plan (steps, reasons, the OIC facts they rest on; no secret) to FILE; "
                    "write nothing to OIC.",
                ),
                click.Option(
                    ["--plan"],
                    metavar="FILE",
                    help="Apply the plan in FILE exactly; refused (exit 2, nothing written) when the input "
                    "or OIC changed since.",
                ),
                click.Option(
                    ["--check-drift", "check_drift"],
                    is_flag=True,
                    help="Read no input: report each artifact changed in OIC since its deployment "
                    "(one 'drift:' line each on stdout); exit 3 when any.",
                ),
                click.Option(
                    ["--restore"],
                    metavar="RUN_ID",
                    help="Read no input: put back what that past run replaced or changed (with --plan-out: "
                    "only say what would be).",
                ),
                click.Option(
                    ["--report"],
                    metavar="FILE",
                    help="Also write the run (or the plan, the drift check, the restore) as one self-contained "
                    "HTML page to FILE: every step, its changes as diffs, what was rolled back; no secret.",
                ),
                click.Option(
                    ["--restore-partial", "restore_partial"],
                    is_flag=True,
                    help="With --restore: restore what can be and name the rest instead of refusing.",
                ),
            ]
        )
        return command


def _write_report(path: Path, result: DeploymentResult, where: str) -> None:
    from ..report.html import render

    try:
        path.write_text(render(result, where), encoding="utf-8")
    except OSError as exc:
        print(
            f"target-oracle-oic: warning: the report could not be written to {path}: {exc.strerror}",
            file=sys.stderr,
        )
    else:
        print(f"report written to {path}", file=sys.stderr)


def cli() -> None:
    """The `target-oracle-oic` command. singer-sdk builds its click command with logging set up on the root
    logger, so it is built only when the command runs, never when a host process imports this module."""
    TargetOracleOIC.cli()
