"""`OICClient`: one object per OIC instance, one attribute per resource family."""

from __future__ import annotations

from contextlib import AbstractContextManager

from .auth import SecretMasker
from .config import OICConfig
from .project_scope import ProjectScope
from .resources.certificates import Certificates
from .resources.connections import Connections
from .resources.integrations import Integrations
from .resources.libraries import Libraries
from .resources.lookups import Lookups
from .resources.monitoring import Monitoring
from .resources.packages import Packages
from .resources.projects import Projects
from .transport import Transport


class OICClient:
    """The OIC REST client; thread-safe, shares one session and one token across threads."""

    def __init__(self, config: OICConfig, secret_masker: SecretMasker | None = None) -> None:
        self.config = config
        self.transport = Transport(config, secret_masker)
        self.integrations = Integrations(self.transport)
        self.connections = Connections(self.transport)
        self.lookups = Lookups(self.transport)
        self.packages = Packages(self.transport)
        self.libraries = Libraries(self.transport)
        self.certificates = Certificates(self.transport)
        self.monitoring = Monitoring(self.transport)
        self.projects = Projects(self.transport)

    def project(self, project_id: str) -> ProjectScope:
        """The artifacts inside one OIC 3 project (docs/oic-reference.md §12)."""
        return ProjectScope(self.transport, project_id)

    def in_project(self, project_id: str | None) -> OICClient | ProjectScope:
        """Where artifacts of `project_id` live: this client for the instance's global ones."""
        return self if project_id is None else self.project(project_id)

    def authenticate(self) -> None:
        """Fetch (or reuse) an access token: proves the credentials without touching any artifact."""
        self.transport.tokens.token()

    def in_flight(self, limit: int) -> AbstractContextManager[None]:
        """At most `limit` API requests at once while inside (token requests aside)."""
        return self.transport.in_flight(limit)

    def close(self) -> None:
        self.transport.close()

    def __enter__(self) -> OICClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
