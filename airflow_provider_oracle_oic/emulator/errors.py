"""OIC-shaped error answers (docs/oic-reference.md §2)."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any


class APIError(Exception):
    """An error answer the emulator sends: HTTP status plus OIC's `detail`."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


def error_body(status: int, detail: str) -> dict[str, Any]:
    """The error body in the contract's shape; `status` is a string, as OIC sends it."""
    phrase = HTTPStatus(status).phrase
    return {
        "type": f"https://developer.mozilla.org/docs/Web/HTTP/Status/{status}",
        "title": phrase,
        "detail": detail,
        "status": f"HTTP {status} {phrase}",
        "o:errorCode": f"OIC-EMU-{status}",
    }


def bad_request(detail: str) -> APIError:
    return APIError(400, detail)


def not_found(kind: str, ident: str) -> APIError:
    return APIError(404, f"{kind} {ident} was not found")


def conflict(detail: str) -> APIError:
    return APIError(409, detail)


def precondition_failed(detail: str) -> APIError:
    return APIError(412, detail)


def locked(detail: str) -> APIError:
    return APIError(423, detail)
