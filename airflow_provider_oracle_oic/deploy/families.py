"""The one place that maps an artifact kind to the client's resource family for it."""

from __future__ import annotations

from typing import Any, Protocol

from ..oic import OICClient
from ..oic.resources.base import Page
from .specs import Kind


class Family(Protocol):
    """What every resource family offers the engine: list by the page, find one, delete one."""

    def page(self, offset: int) -> Page[Any]: ...

    def key_of(self, item: Any) -> str: ...

    def find(self, ident: str) -> Any: ...

    def delete(self, ident: str) -> None: ...


def family(client: OICClient, kind: Kind) -> Family:
    """The client's resource family for artifacts of `kind`."""
    return {
        Kind.INTEGRATION: client.integrations,
        Kind.PACKAGE: client.packages,
        Kind.CONNECTION: client.connections,
        Kind.LOOKUP: client.lookups,
        Kind.LIBRARY: client.libraries,
        Kind.CERTIFICATE: client.certificates,
    }[kind]
