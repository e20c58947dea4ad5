"""The one place that maps an artifact kind to the client's resource family for it."""

from __future__ import annotations

from typing import Any, Protocol

from ...oic import OICClient
from ...oic.project_scope import ProjectScope
from ...oic.resources.base import Page
from ..model.specs import Kind


class Family(Protocol):
    """What every resource family offers the engine: list by the page, find one, delete one."""

    def page(self, offset: int) -> Page[Any]: ...

    def key_of(self, item: Any) -> str: ...

    def find(self, ident: str) -> Any: ...

    def delete(self, ident: str) -> None: ...


def family(client: OICClient | ProjectScope, kind: Kind) -> Family:
    """The resource family for artifacts of `kind`, of the client or of one project (its attribute
    is named like the stream)."""
    return getattr(client, kind.value)
