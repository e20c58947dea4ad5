"""The resource families inside one OIC 3 project: `client.project("ORDERS-HUB").integrations` …"""

from __future__ import annotations

from .resources.connections import Connections
from .resources.integrations import Integrations
from .resources.libraries import Libraries
from .resources.lookups import Lookups
from .resources.projects import Deployments
from .transport import Transport


class ProjectScope:
    """Integrations, connections, lookups, libraries and deployments of one project, isolated from the
    instance's global ones (docs/oic-reference.md §12); the same calls as on the client."""

    def __init__(self, transport: Transport, project_id: str) -> None:
        self.id = project_id
        self.integrations = Integrations(transport, project_id)
        self.connections = Connections(transport, project_id)
        self.lookups = Lookups(transport, project_id)
        self.libraries = Libraries(transport, project_id)
        self.deployments = Deployments(transport, project_id)
