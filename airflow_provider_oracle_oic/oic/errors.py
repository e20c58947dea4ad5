"""Typed errors of the OIC client: status, OIC's detail, method and path; never headers or bodies."""

from __future__ import annotations


class OICError(Exception):
    """Any failure talking to OIC."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        detail: str | None = None,
        title: str | None = None,
        method: str | None = None,
        path: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.detail = detail
        self.title = title
        self.method = method
        self.path = path


class OICBadRequestError(OICError):
    """400: OIC refused the request as malformed."""


class OICAuthenticationError(OICError):
    """401/403, or the token endpoint refused the client credentials."""


class OICNotFoundError(OICError):
    """404: the artifact does not exist."""


class OICConflictError(OICError):
    """409: the artifact already exists, or a connection test failed."""


class OICPreconditionFailedError(OICError):
    """412: locked, in progress, or active where it must not be."""


class OICLockedError(OICError):
    """423: locked or in use."""


class OICRateLimitedError(OICError):
    """429 after every retry."""


class OICServerError(OICError):
    """5xx after every retry."""


class OICRouteError(OICError):
    """404 for a collection every OIC has: the settings do not lead to OIC's REST API."""


class OICTransportError(OICError):
    """The request did not complete: connection refused, reset, TLS failure or timeout."""


class OICActivationError(OICError):
    """An integration ended in FAILEDACTIVATION; `activation_errors` holds OIC's message."""

    def __init__(self, message: str, *, ident: str, activation_errors: str) -> None:
        super().__init__(message, detail=activation_errors)
        self.ident = ident
        self.activation_errors = activation_errors


class OICTimeoutError(OICError):
    """Waiting for a status took longer than allowed."""


class OICArchiveError(OICError, ValueError):
    """A local `.iar`/`.par` archive is unsafe or lacks the layout OIC needs."""


STATUS_ERRORS: dict[int, type[OICError]] = {
    400: OICBadRequestError,
    401: OICAuthenticationError,
    403: OICAuthenticationError,
    404: OICNotFoundError,
    409: OICConflictError,
    412: OICPreconditionFailedError,
    423: OICLockedError,
    429: OICRateLimitedError,
}


def error_for_status(status: int) -> type[OICError]:
    if status in STATUS_ERRORS:
        return STATUS_ERRORS[status]
    return OICServerError if status >= 500 else OICError
