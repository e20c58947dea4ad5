"""The one retry policy: which answers are retried and how long to wait (docs/oic-reference.md §9)."""

from __future__ import annotations

import logging
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

import requests

from .errors import OICTransportError

log = logging.getLogger(__name__)

RETRYABLE_STATUSES = (429, 502, 503, 504)


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential back-off with full jitter, honouring `Retry-After` up to a cap."""

    max_retries: int = 3
    backoff_base: float = 0.5
    backoff_max: float = 30.0
    retry_after_cap: float = 60.0

    def is_retryable_status(self, status: int, method: str) -> bool:
        return status in RETRYABLE_STATUSES or (status == 500 and method == "GET")

    def delay(self, attempt: int, retry_after: str | None = None) -> float:
        """Seconds to wait before retry number `attempt` (1-based)."""
        hinted = parse_retry_after(retry_after)
        if hinted is not None:
            return min(hinted, self.retry_after_cap)
        ceiling = min(self.backoff_max, self.backoff_base * (2 ** (attempt - 1)))
        return random.uniform(ceiling / 2, ceiling)


def parse_retry_after(value: str | None) -> float | None:
    """`Retry-After` as seconds, from a number of seconds or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(moment.timestamp() - time.time(), 0.0)


VERIFY_FAILED = re.compile(r"certificate verify failed: ([^'\"()]+)")


def tls_problem(exc: BaseException) -> str:
    """What went wrong in a TLS handshake, and what to do about it."""
    text = str(exc)
    verify = VERIFY_FAILED.search(text)
    if verify is not None:
        return (
            f"the server's TLS certificate could not be verified ({verify.group(1).strip()}); "
            "point REQUESTS_CA_BUNDLE at the CA bundle that signed it, or set verify_ssl to false "
            "for a test instance"
        )
    lowered = text.lower()
    if "certificate required" in lowered or "bad certificate" in lowered or "unknown ca" in lowered:
        return (
            "the server refused this client's TLS certificate; check client_cert and client_key (mutual TLS)"
        )
    return "the TLS handshake failed (a certificate or protocol problem); check the URL, verify_ssl and the CA bundle"


class TookEffect(Exception):
    """A write whose answer was lost was found to have taken effect."""


def send_with_retries(
    policy: RetryPolicy,
    what: str,
    send: Callable[[], requests.Response],
    repeatable: bool = True,
    took_effect: Callable[[], bool] | None = None,
    unreachable: str = "OIC unreachable or the connection dropped",
) -> requests.Response:
    """Send, retrying 429, 502/503/504 (500 on GET) and transport failures with back-off.

    A write that is not repeatable is retried after a server error or lost connection only when
    `took_effect()` says it did not reach OIC; when it did, `TookEffect` is raised.
    """
    attempt = 0
    while True:
        reason, retry_after = "", None
        try:
            answer = send()
        except requests.exceptions.SSLError as exc:
            # A certificate problem does not heal on retry.
            raise OICTransportError(f"{what} failed: {tls_problem(exc)}") from None
        except (requests.ConnectionError, requests.Timeout) as exc:
            answer, reason = None, type(exc).__name__
            if attempt >= policy.max_retries:
                raise OICTransportError(
                    f"{what} failed after {attempt + 1} attempt(s): {reason} ({unreachable})"
                ) from None
        else:
            method = answer.request.method or "GET"
            if not policy.is_retryable_status(answer.status_code, method) or attempt >= policy.max_retries:
                return answer
            reason = f"HTTP {answer.status_code} {answer.reason}"
            retry_after = answer.headers.get("Retry-After")
            answer.close()
        # A 429 should mean OIC did nothing, but a gateway may answer it after the write went through:
        # where OIC can be asked, it is asked before the write is sent again.
        ambiguous = answer is None or answer.status_code != 429 or took_effect is not None
        if ambiguous and not repeatable:
            if took_effect is None:
                raise OICTransportError(f"{what} failed ({reason}) and cannot be repeated safely") from None
            if took_effect():
                raise TookEffect()
        attempt += 1
        wait = policy.delay(attempt, retry_after)
        log.info(
            "Retrying %s (retry %d of %d) in %.2f s: %s", what, attempt, policy.max_retries, wait, reason
        )
        time.sleep(wait)
