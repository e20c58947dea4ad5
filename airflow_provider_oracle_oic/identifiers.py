"""`CODE|VERSION` from operator arguments, checked with a message that says what to pass."""

from __future__ import annotations

import re

IDENT = re.compile(r"^[A-Z][A-Z0-9_]*\|\d{2}\.\d{2}\.\d{4}$")


def integration_id(ident: str | None, code: str | None, version: str | None) -> str:
    """Either `integration_id='CODE|VERSION'` or `code` and `version`; never both, never neither."""
    if ident and (code or version):
        raise ValueError("Pass either integration_id='CODE|VERSION' or code and version, not both")
    if not ident:
        if not code or not version:
            raise ValueError("Pass integration_id='CODE|VERSION', or both code and version")
        ident = f"{code}|{version}"
    if not IDENT.match(ident):
        raise ValueError(
            f"integration id {ident!r} must look like CODE|NN.NN.NNNN, e.g. HELLO_WORLD|01.00.0000"
        )
    return ident
