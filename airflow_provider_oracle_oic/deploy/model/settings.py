"""Deployment settings from a target config mapping (docs/streams.md, Configuration)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from ...oic import OICConfig
from ...oic.settings import parse_bool as client_parse_bool
from .canary import Health
from .run_ids import RUN_ID
from .setting_specs import BY_NAME, Strategy, default
from .specs import STREAMS

TARGET_NAMES = {
    "client_id": "oauth_client_id",
    "client_secret": "oauth_client_secret",
    "token_url": "oauth_token_url",
}


class SettingsError(ValueError):
    """A setting is missing or has a value that cannot work."""


@dataclass(frozen=True)
class DeploySettings:
    """How a run deploys: modes, activation, safety nets and where files live (defaults: `setting_specs`)."""

    import_mode: str
    conflict_resolution: str
    activate_integrations: bool
    activation_policy: str
    deployment_strategy: Strategy
    routing_lookup: str | None
    live_prefix: str
    canary_steps: tuple[int, ...]
    canary_observe_seconds: float
    canary_max_error_rate: float
    canary_min_messages: int
    activation_timeout: float
    activation_poll_interval: float
    validate_connections: bool
    archive_directory: Path | None
    streams: tuple[str, ...]
    dry_run: bool
    plan_out: Path | None
    plan: Path | None
    check_drift: bool
    restore_run: str | None
    restore_partial: bool
    validate_only: bool
    rollback_on_failure: bool
    max_concurrency: int
    audit_log: Path | None
    state_path: Path | str | None
    # A local folder, or an fsspec URL (s3://…, gs://…, oci://…) every worker can reach.
    backup_directory: Path | str | None
    backup_retention: int
    deployment_prefix: str
    allow_literal_secrets: bool
    deploy_hooks: tuple[str, ...]
    deploy_hook_timeout: float

    @property
    def canary_health(self) -> Health:
        """The bar each canary step must clear."""
        return Health(self.canary_max_error_rate, self.canary_min_messages)


def parse_bool(value: Any, name: str, default: bool) -> bool:
    """true/false (or the words `oic.settings` accepts); anything else is a `SettingsError` naming `name`."""
    try:
        return client_parse_bool(value, name, default)
    except ValueError as exc:
        raise SettingsError(str(exc)) from None


def _bool(config: Mapping[str, Any], name: str) -> bool:
    return parse_bool(config.get(name), name, default(name))


def _number(config: Mapping[str, Any], name: str) -> float:
    declared = BY_NAME[name]
    value = config.get(name)
    if value is None:
        return float(declared.default)
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise SettingsError(f"Setting '{name}' must be a number, not {value!r}") from None
    if declared.minimum is not None and number < declared.minimum:
        raise SettingsError(f"Setting '{name}' must be at least {declared.minimum:g}, not {value!r}")
    return number


def _choice(config: Mapping[str, Any], name: str) -> str:
    declared = BY_NAME[name]
    value = config.get(name) or declared.default
    if value not in declared.choices:
        raise SettingsError(f"Setting '{name}' must be one of {', '.join(declared.choices)}, not {value!r}")
    return str(value)


def _location(config: Mapping[str, Any], name: str) -> Path | str | None:
    """A local path, or an object-storage URL whose fsspec implementation is installed."""
    value = config.get(name)
    text = str(value) if value else ""
    scheme = urlsplit(text).scheme
    if len(scheme) <= 1 or "://" not in text or scheme == "file":
        return _path(config, name)
    from fsspec.registry import get_filesystem_class

    try:
        get_filesystem_class(scheme)
    except ValueError:
        raise SettingsError(f"Setting '{name}': {scheme}:// is not a storage fsspec knows") from None
    except ImportError as exc:
        raise SettingsError(
            f"Setting '{name}': {scheme}:// needs a package that is not installed ({exc}); for s3:// "
            "(and Oracle Object Storage's S3-compatible endpoint) install s3fs"
        ) from None
    return text.rstrip("/")


def _path(config: Mapping[str, Any], name: str) -> Path | None:
    """A local (or mounted) path; a `file://` URL is one too. Any other URL is refused by name: taken
    as a relative path it would make a folder named after its scheme in the working directory."""
    value = config.get(name)
    if not value:
        return None
    text = str(value)
    parts = urlsplit(text)
    if parts.scheme == "file":
        if parts.netloc not in ("", "localhost"):
            raise SettingsError(
                f"Setting '{name}' names a file:// URL on host {parts.netloc!r}; give a local path"
            )
        return Path(unquote(parts.path))
    if len(parts.scheme) > 1 and "://" in text:
        raise SettingsError(
            f"Setting '{name}' is a {parts.scheme}:// location; it must be a local path (only "
            "backup_directory and state_path may be in object storage)"
        )
    return Path(text).expanduser()


def _check_strategy(config: Mapping[str, Any], strategy: Strategy) -> None:
    """What each strategy needs besides itself."""
    missing = [name for name in strategy.needs if not config.get(name)]
    if missing:
        raise SettingsError(
            f"Setting 'deployment_strategy' {strategy.value} needs {' and '.join(missing)}; set "
            f"{'them' if len(missing) > 1 else 'it'} (docs/settings.md)"
        )


def _canary_steps(config: Mapping[str, Any]) -> tuple[int, ...]:
    value = config.get("canary_steps") or default("canary_steps")
    try:
        steps = tuple(int(w) for w in (value.split(",") if isinstance(value, str) else value))
    except (TypeError, ValueError):
        raise SettingsError(f"Setting 'canary_steps' must be a list of percentages, not {value!r}") from None
    if not steps or steps[-1] != 100 or any(not 0 < w <= 100 for w in steps) or list(steps) != sorted(steps):
        raise SettingsError(
            f"Setting 'canary_steps' must rise from above 0 to exactly 100 (e.g. [10, 50, 100]), not {list(steps)}"
        )
    return steps


def _run_id(config: Mapping[str, Any]) -> str | None:
    """The run to restore; given but empty (an unset shell variable) or not a run id, it is refused."""
    value = config.get("restore_run")
    if value is None:
        return None
    if not isinstance(value, str) or not RUN_ID.fullmatch(value):
        raise SettingsError(
            f"Setting 'restore_run' (--restore) must be a run id as a run prints it (12 hex characters, "
            f"e.g. 3f2a9c1b7d4e), not {value!r}; an unset variable gives an empty one"
        )
    return value


def _strings(config: Mapping[str, Any], name: str) -> tuple[str, ...]:
    """A list setting of strings (a comma-separated string is accepted, as from an environment variable)."""
    value = config.get(name)
    if value in (None, "", []):
        return ()
    items = [s.strip() for s in value.split(",")] if isinstance(value, str) else value
    if not isinstance(items, list | tuple) or not all(isinstance(i, str) and i for i in items):
        raise SettingsError(f"Setting '{name}' must be a list of strings")
    return tuple(items)


def _streams(config: Mapping[str, Any]) -> tuple[str, ...]:
    value = config.get("streams")
    if value in (None, "", []):
        return STREAMS
    names = [s.strip() for s in value.split(",")] if isinstance(value, str) else list(value)
    unknown = [n for n in names if n not in STREAMS]
    if unknown:
        raise SettingsError(
            f"Setting 'streams' names unknown stream(s) {', '.join(unknown)}; use {', '.join(STREAMS)}"
        )
    return tuple(names)


def deploy_settings(config: Mapping[str, Any]) -> DeploySettings:
    """Read and check the engine's settings; a bad one raises `SettingsError` naming it."""
    if config.get("plan") and config.get("plan_out"):
        raise SettingsError("Settings 'plan' and 'plan_out' exclude each other: make a plan, then apply it")
    strategy = Strategy(_choice(config, "deployment_strategy"))
    _check_strategy(config, strategy)
    rate = _number(config, "canary_max_error_rate")
    if rate >= 1:
        raise SettingsError(
            f"Setting 'canary_max_error_rate' must be below 1 (a share of messages), not {rate:g}"
        )
    archive_directory = _path(config, "archive_directory")
    if archive_directory is not None and not archive_directory.is_dir():
        raise SettingsError(f"Setting 'archive_directory' {archive_directory} is not a directory")
    return DeploySettings(
        import_mode=_choice(config, "import_mode"),
        conflict_resolution=_choice(config, "conflict_resolution"),
        activate_integrations=_bool(config, "activate_integrations"),
        activation_policy=_choice(config, "activation_policy"),
        deployment_strategy=strategy,
        routing_lookup=str(config.get("routing_lookup") or "") or None,
        live_prefix=str(config.get("live_prefix") or ""),
        canary_steps=_canary_steps(config),
        canary_observe_seconds=_number(config, "canary_observe_seconds"),
        canary_max_error_rate=rate,
        canary_min_messages=int(_number(config, "canary_min_messages")),
        activation_timeout=_number(config, "activation_timeout"),
        activation_poll_interval=_number(config, "activation_poll_interval"),
        validate_connections=_bool(config, "validate_connections"),
        archive_directory=archive_directory.resolve() if archive_directory else None,
        streams=_streams(config),
        # A plan is made by a dry run: writing the plan file is all such a run writes.
        dry_run=_bool(config, "dry_run") or bool(config.get("plan_out")),
        plan_out=_path(config, "plan_out"),
        plan=_path(config, "plan"),
        check_drift=_bool(config, "check_drift"),
        restore_run=_run_id(config),
        restore_partial=_bool(config, "restore_partial"),
        validate_only=_bool(config, "validate_only"),
        rollback_on_failure=_bool(config, "rollback_on_failure"),
        max_concurrency=int(_number(config, "max_concurrency")),
        audit_log=_path(config, "audit_log"),
        state_path=_location(config, "state_path"),
        backup_directory=_location(config, "backup_directory"),
        backup_retention=int(_number(config, "backup_retention")),
        deployment_prefix=str(config.get("deployment_prefix") or ""),
        allow_literal_secrets=_bool(config, "allow_literal_secrets"),
        deploy_hooks=_strings(config, "deploy_hooks"),
        deploy_hook_timeout=_number(config, "deploy_hook_timeout"),
    )


def oic_config(config: Mapping[str, Any]) -> OICConfig:
    """The client settings of a target config; missing or unusable ones raise `SettingsError`."""
    missing = [
        n
        for n in ("base_url", "oauth_client_id", "oauth_client_secret", "oauth_token_url")
        if not config.get(n)
    ]
    if missing:
        raise SettingsError(f"Missing required setting(s): {', '.join(missing)}")
    settings = OICConfig(
        base_url=str(config["base_url"]),
        client_id=str(config["oauth_client_id"]),
        client_secret=str(config["oauth_client_secret"]),
        token_url=str(config["oauth_token_url"]),
        scope=config.get("oauth_scope") or None,
        client_aud=config.get("oauth_client_aud") or None,
        integration_instance=config.get("integration_instance") or None,
        request_timeout=_number(config, "request_timeout"),
        max_retries=int(_number(config, "max_retries")),
        verify_ssl=_bool(config, "verify_ssl"),
        client_cert=config.get("client_cert") or None,
        client_key=config.get("client_key") or None,
    )
    try:
        settings.validate(TARGET_NAMES)
    except ValueError as exc:
        raise SettingsError(str(exc)) from None
    return settings
