"""The "OIC console" extra link on operator and sensor pages."""

from __future__ import annotations

from typing import TYPE_CHECKING

from airflow.sdk import BaseOperatorLink

from .oic.identifiers import IntegrationId

if TYPE_CHECKING:
    from airflow.sdk import BaseOperator
    from airflow.sdk.types import TaskInstanceKey

# Oracle's deep link into the designer (Gen2 layout; OIC 3 redirects it). Unverified: kept in one place.
CONSOLE_PATH = "/ic/integration/home/faces/link?page=integration&code={code}&version={version}"
CONSOLE_HOME = "/ic/home/"


def console_home(base_url: str) -> str:
    """The OIC console's home page (where a deployment of many artifacts is seen)."""
    return base_url.rstrip("/") + CONSOLE_HOME


def console_url(base_url: str, integration_id: str) -> str:
    """The designer page of `CODE|VERSION` on the OIC at `base_url`."""
    ident = IntegrationId.of(integration_id)
    return base_url.rstrip("/") + CONSOLE_PATH.format(code=ident.code, version=ident.version)


class OICConsoleLink(BaseOperatorLink):
    """Opens the integration in the OIC console; the operator records the URL while it runs."""

    name = "OIC console"

    def get_link(self, operator: BaseOperator, *, ti_key: TaskInstanceKey) -> str:
        return getattr(operator, "console_url", None) or ""
