"""IDCS-style access tokens: issued for client credentials, checked on every API call."""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time


def _segment(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


class TokenStore:
    """Live bearer tokens and their expiry times."""

    def __init__(self, ttl: float) -> None:
        self.ttl = ttl
        self._lock = threading.Lock()
        self._expiry: dict[str, float] = {}
        self.issued = 0

    def issue(self, client_id: str, scope: str) -> tuple[str, int]:
        """A JWT-shaped opaque token and its lifetime in whole seconds."""
        now = time.time()
        claims = {"sub": client_id, "scope": scope, "iat": int(now), "exp": int(now + self.ttl)}
        token = ".".join(
            (_segment({"alg": "none", "typ": "JWT"}), _segment(claims), secrets.token_urlsafe(24))
        )
        with self._lock:
            self._expiry = {t: e for t, e in self._expiry.items() if e > now}
            self._expiry[token] = now + self.ttl
            self.issued += 1
        return token, max(int(self.ttl), 1)

    def valid(self, token: str) -> bool:
        with self._lock:
            expiry = self._expiry.get(token)
        return expiry is not None and expiry > time.time()

    def revoke_all(self) -> int:
        with self._lock:
            count = len(self._expiry)
            self._expiry.clear()
        return count

    def reset(self) -> None:
        with self._lock:
            self._expiry.clear()
            self.issued = 0
