"""IDCS client-credentials tokens: fetched once per expiry window, shared across threads."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

import requests

from .config import OICConfig
from .errors import OICAuthenticationError, OICError, OICTransportError, error_for_status
from .retry import RetryPolicy, send_with_retries

log = logging.getLogger(__name__)
SecretMasker = Callable[[str], None]


class TokenProvider:
    """Caches one bearer token; exactly one request refreshes it however many threads ask."""

    def __init__(
        self, config: OICConfig, session: requests.Session, masker: SecretMasker | None, policy: RetryPolicy
    ) -> None:
        self._config = config
        self._policy = policy
        self._session = session
        self._masker = masker
        self._lock = threading.Lock()
        self._token: str | None = None
        self._refresh_at = 0.0

    def token(self) -> str:
        """A token valid for a while yet, fetching a new one when the cached one is near expiry."""
        token = self._token
        if token is not None and time.monotonic() < self._refresh_at:
            return token
        with self._lock:
            if self._token is not None and time.monotonic() < self._refresh_at:
                return self._token
            return self._fetch()

    def invalidate(self, rejected: str) -> None:
        """Forget `rejected` after a 401, unless another thread already replaced it."""
        with self._lock:
            if self._token == rejected:
                self._token = None

    def _fetch(self) -> str:
        config = self._config

        def send() -> requests.Response:
            return self._session.post(
                config.token_url,
                auth=(config.client_id, config.client_secret),
                data={"grant_type": "client_credentials", "scope": config.effective_scope},
                headers={"Accept": "application/json"},
                timeout=config.request_timeout,
                # Explicit, so REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE never override verify_ssl: false.
                verify=config.verify_ssl,
            )

        try:
            answer = send_with_retries(
                self._policy,
                f"Token request to {config.token_url}",
                send,
                unreachable="the token endpoint is unreachable or the connection dropped; check the token URL setting",
            )
        except OICTransportError as exc:
            raise OICTransportError(str(exc), method="POST", path=config.token_url) from None
        if answer.status_code != 200:
            raise self._refusal(answer)
        try:
            body = answer.json()
            token = body["access_token"]
            lifetime = float(body.get("expires_in", 3600))
        except (ValueError, KeyError, TypeError):
            raise OICAuthenticationError(
                f"The token endpoint {config.token_url} answered 200 without an access_token",
                status=200,
                method="POST",
                path=config.token_url,
            ) from None
        if self._masker is not None:
            self._masker(token)
        margin = min(60.0, lifetime * 0.1)
        self._token, self._refresh_at = token, time.monotonic() + lifetime - margin
        log.debug("Fetched an OIC access token valid for %.0f s", lifetime)
        return token

    def _refusal(self, answer: requests.Response) -> OICError:
        try:
            body = answer.json()
            reason = body.get("error_description") or body.get("error") or answer.reason
        except ValueError:
            reason = answer.reason
        status = answer.status_code
        url = self._config.token_url
        if status == 429 or status >= 500:
            return error_for_status(status)(
                f"The OIC token endpoint {url} is unavailable (HTTP {status}: {reason}) after retries; try again later",
                status=status,
                detail=str(reason),
                method="POST",
                path=url,
            )
        hint = (
            "check the OAuth client id and secret (login and password of the connection)"
            if status in (400, 401)
            else "check the token URL and the identity domain"
        )
        return OICAuthenticationError(
            f"The OIC token endpoint refused the client credentials (HTTP {status}: {reason}); {hint}",
            status=status,
            detail=str(reason),
            method="POST",
            path=url,
        )
