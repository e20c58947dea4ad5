"""The IDCS token endpoint (§1): client credentials with HTTP basic auth."""

from __future__ import annotations

import base64
import binascii
import secrets

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from .common import emulator

router = APIRouter()


def _oauth_error(status: int, error: str, description: str) -> JSONResponse:
    headers = {"WWW-Authenticate": 'Basic realm="idcs"'} if status == 401 else {}
    return JSONResponse(
        {"error": error, "error_description": description}, status_code=status, headers=headers
    )


def _basic_credentials(header: str) -> tuple[str, str] | None:
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        client_id, sep, secret = base64.b64decode(encoded, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return (client_id, secret) if sep else None


@router.post("/oauth2/v1/token")
async def token(request: Request) -> JSONResponse:
    emu = emulator(request)
    emu.stats.record_token_request()
    form = await request.form()
    credentials = _basic_credentials(request.headers.get("Authorization", ""))
    if credentials is None:
        return _oauth_error(
            401, "invalid_client", "Client authentication failed: send HTTP basic client credentials"
        )
    client_id, secret = credentials
    if not (
        secrets.compare_digest(client_id, emu.config.client_id)
        and secrets.compare_digest(secret, emu.config.client_secret)
    ):
        return _oauth_error(401, "invalid_client", "Client authentication failed")
    if form.get("grant_type") != "client_credentials":
        return _oauth_error(400, "unsupported_grant_type", "Only grant_type=client_credentials is supported")
    access_token, expires_in = emu.tokens.issue(client_id, str(form.get("scope", "")))
    return JSONResponse(
        {"access_token": access_token, "token_type": "Bearer", "expires_in": expires_in},
        headers={"Cache-Control": "no-store"},
    )
