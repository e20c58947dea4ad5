"""Deployment settings from a target config mapping (shared/singer-streams.md, Configuration)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..oic import OICConfig
from .specs import STREAMS

IMPORT_MODES = ("create_only", "update_only", "create_or_update")
CONFLICT_RESOLUTIONS = ("skip", "overwrite", "version")


TARGET_NAMES = {
    "client_id": "oauth_client_id",
    "client_secret": "oauth_client_secret",
    "token_url": "oauth_token_url",
}


class SettingsError(ValueError):
    """A setting is missing or has a value that cannot work."""


@dataclass(frozen=True)
class DeploySettings:
    """How a run deploys: modes, activation, safety nets and where files live."""

    import_mode: str = "create_or_update"
    conflict_resolution: str = "overwrite"
    activate_integrations: bool = False
    activation_timeout: float = 600.0
    activation_poll_interval: float = 2.0
    validate_connections: bool = True
    archive_directory: Path | None = None
    streams: tuple[str, ...] = STREAMS
    dry_run: bool = False
    validate_only: bool = False
    rollback_on_failure: bool = True
    max_concurrency: int = 4
    audit_log: Path | None = None
    state_path: Path | None = None
    backup_directory: Path | None = None
    backup_retention: int = 5
    deployment_prefix: str = ""
    allow_literal_secrets: bool = False


def _bool(config: Mapping[str, Any], name: str, default: bool) -> bool:
    value = config.get(name, default)
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false", "1", "0", "yes", "no"):
        return value.lower() in ("true", "1", "yes")
    raise SettingsError(f"Setting '{name}' must be true or false, not {value!r}")


def _number(config: Mapping[str, Any], name: str, default: float, minimum: float) -> float:
    value = config.get(name, default)
    if value is None:
        return default
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise SettingsError(f"Setting '{name}' must be a number, not {value!r}") from None
    if number < minimum:
        raise SettingsError(f"Setting '{name}' must be at least {minimum:g}, not {value!r}")
    return number


def _choice(config: Mapping[str, Any], name: str, default: str, choices: tuple[str, ...]) -> str:
    value = config.get(name) or default
    if value not in choices:
        raise SettingsError(f"Setting '{name}' must be one of {', '.join(choices)}, not {value!r}")
    return str(value)


def _path(config: Mapping[str, Any], name: str) -> Path | None:
    value = config.get(name)
    return Path(str(value)).expanduser() if value else None


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
    archive_directory = _path(config, "archive_directory")
    if archive_directory is not None and not archive_directory.is_dir():
        raise SettingsError(f"Setting 'archive_directory' {archive_directory} is not a directory")
    return DeploySettings(
        import_mode=_choice(config, "import_mode", "create_or_update", IMPORT_MODES),
        conflict_resolution=_choice(config, "conflict_resolution", "overwrite", CONFLICT_RESOLUTIONS),
        activate_integrations=_bool(config, "activate_integrations", False),
        activation_timeout=_number(config, "activation_timeout", 600, 1),
        activation_poll_interval=_number(config, "activation_poll_interval", 2.0, 0.01),
        validate_connections=_bool(config, "validate_connections", True),
        archive_directory=archive_directory.resolve() if archive_directory else None,
        streams=_streams(config),
        dry_run=_bool(config, "dry_run", False),
        validate_only=_bool(config, "validate_only", False),
        rollback_on_failure=_bool(config, "rollback_on_failure", True),
        max_concurrency=int(_number(config, "max_concurrency", 4, 1)),
        audit_log=_path(config, "audit_log"),
        state_path=_path(config, "state_path"),
        backup_directory=_path(config, "backup_directory"),
        backup_retention=int(_number(config, "backup_retention", 5, 1)),
        deployment_prefix=str(config.get("deployment_prefix") or ""),
        allow_literal_secrets=_bool(config, "allow_literal_secrets", False),
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
        request_timeout=_number(config, "request_timeout", 30, 1),
        max_retries=int(_number(config, "max_retries", 3, 0)),
        verify_ssl=_bool(config, "verify_ssl", True),
        client_cert=config.get("client_cert") or None,
        client_key=config.get("client_key") or None,
    )
    try:
        settings.validate(TARGET_NAMES)
    except ValueError as exc:
        raise SettingsError(str(exc)) from None
    return settings
