"""How to reach one OIC instance."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

CONSUMER_SCOPE_SUFFIX = "urn:opc:resource:consumer::all"


@dataclass(frozen=True)
class OICConfig:
    """Connection settings of the OIC client; `client_secret` is never shown in its repr."""

    base_url: str
    client_id: str
    client_secret: str
    token_url: str
    scope: str | None = None
    client_aud: str | None = None
    integration_instance: str | None = None
    request_timeout: float = 30.0
    max_retries: int = 3
    verify_ssl: bool = True
    client_cert: str | None = None
    client_key: str | None = None
    backoff_base: float = 0.5
    backoff_max: float = 30.0
    retry_after_cap: float = 60.0
    pool_size: int = 16

    def __repr__(self) -> str:
        return (
            f"OICConfig(base_url={self.base_url!r}, client_id={self.client_id!r}, client_secret='***', "
            f"token_url={self.token_url!r}, integration_instance={self.integration_instance!r})"
        )

    @property
    def api_base(self) -> str:
        return self.base_url.rstrip("/") + "/ic/api/integration/v1"

    @property
    def effective_scope(self) -> str:
        """The configured scope, else `<primary audience>urn:opc:resource:consumer::all` (docs/oic-reference.md §1)."""
        if self.scope:
            return self.scope
        if self.client_aud:
            return self.client_aud + CONSUMER_SCOPE_SUFFIX
        parts = urlsplit(self.base_url.rstrip("/"))
        netloc = parts.netloc if parts.port or parts.scheme != "https" else f"{parts.netloc}:443"
        return f"{parts.scheme}://{netloc}{CONSUMER_SCOPE_SUFFIX}"

    def validate(self, names: Mapping[str, str] | None = None) -> None:
        """Refuse settings that cannot work, naming the field (as `names` calls it) and the fix."""
        names = names or {}

        def called(field: str) -> str:
            return names.get(field, field)

        for field in ("base_url", "client_id", "client_secret", "token_url"):
            if not getattr(self, field):
                raise ValueError(f"OIC setting '{called(field)}' is required")
        for field in ("base_url", "token_url"):
            parts = urlsplit(getattr(self, field))
            if parts.scheme == "http" and parts.hostname not in ("127.0.0.1", "localhost", "::1"):
                raise ValueError(
                    f"OIC setting '{called(field)}' must use https:// (plain http is only for localhost)"
                )
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise ValueError(
                    f"OIC setting '{called(field)}' must be an https:// URL, got {getattr(self, field)!r}"
                )
        parts = urlsplit(self.base_url)
        path = parts.path.rstrip("/")
        if path == "/ic" or "/ic/" in path + "/":
            # A console or API address pasted whole: every route would 404 and read as "absent".
            raise ValueError(
                f"OIC setting '{called('base_url')}' must be the instance URL without OIC's path ({path}); "
                f"the client adds /ic/api/integration/v1 itself: use {parts.scheme}://{parts.netloc}"
            )
        if self.max_retries < 0:
            raise ValueError(f"OIC setting '{called('max_retries')}' must be 0 or more")
        if self.request_timeout <= 0:
            raise ValueError(f"OIC setting '{called('request_timeout')}' must be positive")
        if bool(self.client_key) and not self.client_cert:
            raise ValueError(
                f"OIC setting '{called('client_key')}' needs '{called('client_cert')}' for mutual TLS"
            )
