"""The OIC REST client (docs/oic-reference.md). Imports no Airflow and no singer-sdk."""

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
from .models import IntegrationStatus

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
