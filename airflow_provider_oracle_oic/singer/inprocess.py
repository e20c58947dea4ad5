"""Run target-oracle-oic inside another process (Airflow tasks): no signal handlers, no root logger, no stdout."""

from __future__ import annotations

import typing as t
from collections.abc import Callable, Iterable, Mapping

from ..deploy.engine import Deployment, SecretMasker
from ..deploy.model.result import DeploymentResult
from ..deploy.state.journal import JournalStore
from ..deploy.state.ledger import LedgerStore
from .target import INPUT_ERRORS, TargetOracleOIC, describe_input_error, secret_settings


class InputError(ValueError):
    """The Singer input itself is unusable (malformed line, record before schema, unknown stream...)."""


class _EmbeddedTarget(TargetOracleOIC):
    def _setup_signal_handlers(self) -> None:
        """The host process owns its signals."""

    def _validate_config(self, *, raise_errors: bool = True) -> list[str]:
        # Unvalidated, the target carries no settings of its own (it is handed a configured deployment):
        # there is nothing to check, and singer-sdk would warn about every setting it lacks.
        return super()._validate_config(raise_errors=True) if raise_errors else []


def run_target(
    config: Mapping[str, t.Any],
    lines: Iterable[str] | t.IO[str],
    *,
    secrets: Mapping[str, str] | None = None,
    secret_masker: SecretMasker | None = None,
    ledger_store: LedgerStore | None = None,
    journal_store: JournalStore | None = None,
    state_sink: Callable[[dict], None] | None = None,
) -> DeploymentResult:
    """Deploy the Singer messages in `lines` with `config`; returns the result.

    Bad input or configuration raises `InputError` before anything is written; STATE messages go to `state_sink`.
    """
    try:
        target = _EmbeddedTarget(
            config=dict(config),
            validate_config=True,
            secrets=secrets,
            secret_masker=secret_masker,
            ledger_store=ledger_store,
            journal_store=journal_store,
            state_sink=state_sink or (lambda _state: None),
        )
    except INPUT_ERRORS as exc:
        raise InputError(describe_input_error(exc, secret_settings(config))) from None
    return _listen(target, lines)


def run_deployment(
    deployment: Deployment,
    lines: Iterable[str] | t.IO[str],
    *,
    streams_given: bool = False,
    state_sink: Callable[[dict], None] | None = None,
) -> DeploymentResult:
    """Read the Singer messages in `lines` into an already configured `deployment` and run it.

    `streams_given` says the caller chose the streams (others are then skipped, not refused)."""
    target = _EmbeddedTarget(
        config={"streams": list(deployment.settings.streams)} if streams_given else {},
        validate_config=False,
        deployment=deployment,
        state_sink=state_sink or (lambda _state: None),
    )
    return _listen(target, lines)


def _listen(target: TargetOracleOIC, lines: Iterable[str] | t.IO[str]) -> DeploymentResult:
    try:
        target.listen(t.cast("t.IO[str]", iter(lines)))
    except INPUT_ERRORS as exc:
        raise InputError(describe_input_error(exc)) from None
    assert target.result is not None
    return target.result
