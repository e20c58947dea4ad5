"""One `requests.Session`, the retry policy, the 401 refresh and the mapping of answers to errors."""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from functools import partial
from typing import Any
from urllib.parse import quote

import requests
from requests.adapters import HTTPAdapter

from .. import __version__
from .auth import SecretMasker, TokenProvider
from .config import OICConfig
from .errors import OICError, OICTransportError, error_for_status
from .retry import RetryPolicy, TookEffect, send_with_retries

log = logging.getLogger(__name__)
USER_AGENT = f"airflow-provider-oracle-oic/{__version__}"
BodyFactory = Callable[[], tuple[Any, str]]


def encode(ident: str) -> str:
    """A path segment with `|` and every other reserved character escaped (`CODE%7CVERSION`)."""
    return quote(ident, safe="")


@dataclass
class Call:
    """One API request: what it is (for messages), and how to repeat it safely."""

    method: str
    path: str
    what: str
    params: Mapping[str, Any] = field(default_factory=dict)
    json: Any = None
    body: BodyFactory | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    idempotent: bool | None = None
    took_effect: Callable[[], bool] | None = None
    stream: bool = False

    @property
    def repeatable(self) -> bool:
        if self.idempotent is not None:
            return self.idempotent
        return self.method in ("GET", "HEAD", "DELETE", "OPTIONS")


class Transport:
    """Sends OIC API requests with auth, `integrationInstance`, retries and typed errors."""

    def __init__(self, config: OICConfig, masker: SecretMasker | None = None) -> None:
        config.validate()
        self.config = config
        self.policy = RetryPolicy(
            config.max_retries, config.backoff_base, config.backoff_max, config.retry_after_cap
        )
        self.session = requests.Session()
        adapter = HTTPAdapter(pool_connections=4, pool_maxsize=config.pool_size)
        self.session.mount("https://", adapter)
        self.session.mount("http://", adapter)
        self.session.headers["User-Agent"] = USER_AGENT
        self.session.verify = config.verify_ssl
        if config.client_cert:
            self.session.cert = (
                (config.client_cert, config.client_key) if config.client_key else config.client_cert
            )
        if masker is not None:
            masker(config.client_secret)
        self.tokens = TokenProvider(config, self.session, masker, self.policy)
        self._slots: threading.BoundedSemaphore | None = None
        self._routes_confirmed = False
        self._routes_lock = threading.Lock()

    def confirm_routes(self, check: Callable[[], object]) -> None:
        """Run `check` (a listing that raises `OICRouteError` when base_url is wrong) the first time it
        is asked for; once it has passed, never again for this client."""
        with self._routes_lock:
            if not self._routes_confirmed:
                check()
                self._routes_confirmed = True

    @contextmanager
    def in_flight(self, limit: int) -> Iterator[None]:
        """At most `limit` API requests at once while inside; waits between them hold no slot."""
        previous, self._slots = self._slots, threading.BoundedSemaphore(max(limit, 1))
        try:
            yield
        finally:
            self._slots = previous

    def close(self) -> None:
        self.session.close()

    def _send_once(self, call: Call, token: str, attempts: Iterator[int]) -> requests.Response:
        attempt = next(attempts)
        started = time.monotonic()
        try:
            answer = self._send(call, token)
        except requests.RequestException as exc:
            _log_request(call, type(exc).__name__, started, attempt, None)
            raise
        _log_request(call, str(answer.status_code), started, attempt, answer)
        return answer

    def _send(self, call: Call, token: str) -> requests.Response:
        params = dict(call.params)
        if self.config.integration_instance:
            params["integrationInstance"] = self.config.integration_instance
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json", **call.headers}
        data = None
        if call.body is not None:
            data, content_type = call.body()
            headers["Content-Type"] = content_type
        with self._slots or nullcontext():
            return self.session.request(
                call.method,
                self.config.api_base + call.path,
                params=params,
                json=call.json,
                data=data,
                headers=headers,
                timeout=self.config.request_timeout,
                stream=call.stream,
                # Explicit, so REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE never override verify_ssl: false.
                verify=self.config.verify_ssl,
            )

    def request(self, call: Call) -> requests.Response | None:
        """The successful answer to `call`, or a typed `OICError`; None for a write whose answer was lost
        but which `call.took_effect` found applied."""
        refreshed = False
        while True:
            token = self.tokens.token()
            try:
                answer = send_with_retries(
                    self.policy,
                    call.what,
                    partial(self._send_once, call, token, itertools.count(1)),
                    call.repeatable,
                    call.took_effect,
                    f"OIC at {self.config.base_url} unreachable or the connection dropped; check base_url",
                )
            except TookEffect:
                log.info("%s took effect although its answer was lost", call.what)
                return None
            except OICTransportError as exc:
                raise OICTransportError(str(exc), method=call.method, path=call.path) from None
            if answer.status_code == 401 and not refreshed:
                answer.close()
                self.tokens.invalidate(token)
                refreshed = True
                log.info(
                    "OIC refused the access token for %s; fetching a new one and retrying once", call.what
                )
                continue
            if answer.status_code >= 400:
                raise self._error(call, answer)
            # Any answer from the API proves base_url leads to it: no route check is needed then.
            self._routes_confirmed = True
            return answer

    def _error(self, call: Call, answer: requests.Response) -> OICError:
        detail = title = None
        try:
            body = answer.json()
            if isinstance(body, dict):
                detail, title = body.get("detail"), body.get("title")
        except ValueError:
            pass
        answer.close()
        status = answer.status_code
        summary = detail or title or answer.reason
        return error_for_status(status)(
            f"{call.what} failed: HTTP {status} {answer.reason}: {summary}",
            status=status,
            detail=detail,
            title=title,
            method=call.method,
            path=call.path,
        )


# Headers in which OIC (or the gateway in front of it) names a request, for Oracle Support.
REQUEST_ID_HEADERS = ("opc-request-id", "X-ORACLE-DMS-ECID", "X-Request-ID")


def _log_request(
    call: Call, outcome: str, started: float, attempt: int, answer: requests.Response | None
) -> None:
    """One DEBUG line per request: method, path (ids only: no query, no header, no body), status,
    milliseconds, attempt, and the request id OIC sent, if any."""
    if not log.isEnabledFor(logging.DEBUG):
        return
    request_id = next(
        (answer.headers[h] for h in REQUEST_ID_HEADERS if answer is not None and h in answer.headers), None
    )
    log.debug(
        "%s %s -> %s in %.0f ms (attempt %d%s)",
        call.method,
        call.path,
        outcome,
        (time.monotonic() - started) * 1000,
        attempt,
        f", request id {request_id}" if request_id else "",
    )
