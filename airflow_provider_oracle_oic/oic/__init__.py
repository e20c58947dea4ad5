"""The OIC REST client (docs/oic-reference.md). Imports no Airflow and no singer-sdk.

`OICClient` (and with it `requests`) is imported on first use, so a DAG file that only names an
operator does not pay for the HTTP stack while Airflow parses it; the rest is light.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .archives import ArchiveFacts, ArchiveLimits, read_archive, sha256_file
from .config import OICConfig
from .errors import (
    OICActivationError,
    OICArchiveError,
    OICAuthenticationError,
    OICBadRequestError,
    OICConflictError,
    OICError,
    OICLockedError,
    OICNotFoundError,
    OICPreconditionFailedError,
    OICRateLimitedError,
    OICRouteError,
    OICServerError,
    OICTimeoutError,
    OICTransportError,
)
from .status import IntegrationStatus

if TYPE_CHECKING:
    from .client import OICClient

__all__ = [
    "ArchiveFacts",
    "ArchiveLimits",
    "IntegrationStatus",
    "OICActivationError",
    "OICArchiveError",
    "OICAuthenticationError",
    "OICBadRequestError",
    "OICClient",
    "OICConfig",
    "OICConflictError",
    "OICError",
    "OICLockedError",
    "OICNotFoundError",
    "OICPreconditionFailedError",
    "OICRateLimitedError",
    "OICRouteError",
    "OICServerError",
    "OICTimeoutError",
    "OICTransportError",
    "read_archive",
    "sha256_file",
]


def __getattr__(name: str) -> Any:
    if name == "OICClient":
        from .client import OICClient

        return OICClient
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
