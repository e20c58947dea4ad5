"""The OIC REST client (docs/oic-reference.md). Imports no Airflow and no singer-sdk.

Each name is imported from its module on first use, so a DAG file that only names an operator does
not pay for the HTTP stack (or the typed models) while Airflow parses it.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .archives import ArchiveFacts, ArchiveLimits, read_archive, sha256_file
    from .client import OICClient
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
        OICServerError,
        OICTimeoutError,
        OICTransportError,
    )
    from .status import IntegrationStatus

_MODULES = {
    "ArchiveFacts": "archives",
    "ArchiveLimits": "archives",
    "read_archive": "archives",
    "sha256_file": "archives",
    "OICClient": "client",
    "OICConfig": "config",
    "IntegrationStatus": "status",
    **dict.fromkeys(
        (
            "OICActivationError",
            "OICArchiveError",
            "OICAuthenticationError",
            "OICBadRequestError",
            "OICConflictError",
            "OICError",
            "OICLockedError",
            "OICNotFoundError",
            "OICPreconditionFailedError",
            "OICRateLimitedError",
            "OICServerError",
            "OICTimeoutError",
            "OICTransportError",
        ),
        "errors",
    ),
}
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
    "OICServerError",
    "OICTimeoutError",
    "OICTransportError",
    "read_archive",
    "sha256_file",
]


def __getattr__(name: str) -> Any:
    if name not in _MODULES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f".{_MODULES[name]}", __name__), name)
