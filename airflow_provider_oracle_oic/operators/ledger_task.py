"""The base of the operators that work from a connection's ledger and journals instead of input."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from airflow.sdk import BaseOperator
from airflow.sdk.log import mask_secret

from ..connection_form import DEFAULT_CONN_ID
from ..hooks import oic_hook
from ..links import OICConsoleLink, OICRunReportLink, console_home
from .ledger_store import airflow_state, with_storage_defaults
from .origin import task_origin

if TYPE_CHECKING:
    from ..deploy.engine import Deployment
    from ..deploy.model.result import DeploymentResult
    from ..oic import OICClient


class LedgerTaskOperator(BaseOperator):
    """Runs the engine in a no-input mode (drift check, restore) on the ledger and journals that
    `SingerToOICOperator` keeps for the same connection (or under `state_path` in `target_config`)."""

    template_fields: Sequence[str] = ("target_config",)
    operator_extra_links = (OICConsoleLink(), OICRunReportLink())

    def __init__(
        self,
        *,
        target_config: Mapping[str, Any] | None = None,
        ledger_variable: str | None = None,
        oracle_oic_conn_id: str = DEFAULT_CONN_ID,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.target_config = target_config
        self.ledger_variable = ledger_variable
        self.oracle_oic_conn_id = oracle_oic_conn_id
        self.console_url: str | None = None

    def oic_client(self) -> OICClient:
        """The connection's client (the hook keeps one per task)."""
        return oic_hook(self.oracle_oic_conn_id).client

    def engine(self, mode: Mapping[str, Any]) -> Deployment:
        """The engine with `mode`'s settings over `target_config`, on this connection's ledger and journals."""
        from ..deploy.engine import Deployment
        from ..deploy.model.settings import deploy_settings

        hook = oic_hook(self.oracle_oic_conn_id)
        self.console_url = console_home(hook.oic_config.base_url)
        settings = deploy_settings(with_storage_defaults({**(self.target_config or {}), **mode}, hook))
        return Deployment(
            settings,
            hook.client,
            secret_masker=mask_secret,
            origin=task_origin(),
            **airflow_state(self.oracle_oic_conn_id, self.ledger_variable, settings),
        )

    def run_engine(self, mode: Mapping[str, Any]) -> DeploymentResult:
        """The engine's result with `mode`'s settings over `target_config`."""
        return self.engine(mode).run()
