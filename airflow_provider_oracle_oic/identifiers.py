"""`CODE|VERSION` from operator arguments, checked with a message that says what to pass."""

from __future__ import annotations

from .oic.identifiers import IntegrationId


def integration_id(ident: str | None, code: str | None, version: str | None) -> str:
    """Either `integration_id='CODE|VERSION'` or `code` and `version`; never both, never neither."""
    if ident and (code or version):
        raise ValueError("Pass either integration_id='CODE|VERSION' or code and version, not both")
    if not ident:
        if not code or not version:
            raise ValueError("Pass integration_id='CODE|VERSION', or both code and version")
        ident = str(IntegrationId(code, version))
    return str(IntegrationId.parse(ident))
