"""The one place that maps an artifact kind to the client's resource family for it."""

from __future__ import annotations

from typing import Protocol

from ...oic import OICClient
from ...oic.project_scope import ProjectScope
from ...oic.reading import Listable
from ..model.specs import Kind


class Family(Listable, Protocol):
    """What every resource family offers the engine: list by the page, find one, delete one."""

    def delete(self, ident: str) -> None: ...


def family(client: OICClient | ProjectScope, kind: Kind) -> Family:
    """The resource family for artifacts of `kind`, of the client or of one project (its attribute
    is named like the stream)."""
    return getattr(client, kind.value)
