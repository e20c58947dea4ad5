"""Integrations (docs/oic-reference.md §3)."""

from __future__ import annotations

import time
from pathlib import Path

from ..archives import read_archive
from ..errors import OICActivationError, OICPreconditionFailedError, OICTimeoutError
from ..identifiers import IntegrationId
from ..models import ActivationErrors, Integration
from ..polling import next_delay
from ..status import SETTLES_TO, IntegrationStatus
from ..transport import Call, encode
from .base import ArchiveResource

PATCH = {"X-HTTP-Method-Override": "PATCH"}
ALREADY_UNDER_WAY = {target: (moving, target) for moving, target in SETTLES_TO.items()}


class Integrations(ArchiveResource[Integration]):
    """List, import, replace, export, activate, deactivate, delete, clone and schedule integrations."""

    collection = "/integrations"
    noun = "integration"
    plural = "integrations"
    model = Integration

    def key_of(self, item: Integration) -> str:
        return item.id

    def archive_id(self, path: Path, name: str | None = None) -> str:
        return name or read_archive(path).single.id

    def list(self, q: str | None = None, order_by: str | None = None) -> list[Integration]:
        params = {k: v for k, v in (("q", q), ("orderBy", order_by)) if v}
        return [
            Integration.from_api(i)
            for i in self._pages(self.collection, f"List integrations{self.where}", params)
        ]

    def list_activated(self) -> list[Integration]:
        """Every ACTIVATED integration."""
        return self.list(q=f"{{status:'{IntegrationStatus.ACTIVATED.value}'}}")

    def count(self) -> int:
        """How many integrations OIC holds: one cheap read (a page of one)."""
        body = self._call(
            Call("GET", self.collection, f"Count integrations{self.where}", params={"limit": 1, "offset": 0})
        )
        return int(body.get("totalResults", len(body.get("items") or [])))

    def _set_status(self, ident: str, body: dict[str, object], what: str) -> Integration:
        """Send a status change; a 412 because that very change is already under way is not an error.

        When the answer to a status change is lost, the retry finds the change in progress (412); the
        integration's own status tells that apart from a lock.
        """
        call = Call(
            "POST",
            f"{self.collection}/{encode(ident)}",
            what,
            json=body,
            headers=PATCH,
            idempotent=True,
            params={"enableAsyncActivationMode": "true"},
        )
        try:
            return Integration.from_api(self._call(call))
        except OICPreconditionFailedError:
            current = self.get(ident)
            if current.status in ALREADY_UNDER_WAY[IntegrationStatus(body["status"])] and not current.locked:
                return current
            raise

    def activate(
        self,
        ident: str,
        tracing: bool | None = None,
        payload_tracing: bool | None = None,
        record_enabled: bool | None = None,
    ) -> Integration:
        """Ask OIC to activate; the answer is usually ACTIVATION_INPROGRESS (use `wait_for_status`)."""
        body: dict[str, object] = {"status": IntegrationStatus.ACTIVATED.value}
        flags = (
            ("tracingEnabledFlag", tracing),
            ("payloadTracingEnabledFlag", payload_tracing),
            ("recordEnabledFlag", record_enabled),
        )
        body.update({k: v for k, v in flags if v is not None})
        return self._set_status(ident, body, f"Activate integration {ident}{self.where}")

    def deactivate(self, ident: str) -> Integration:
        return self._set_status(
            ident,
            {"status": IntegrationStatus.CONFIGURED.value},
            f"Deactivate integration {ident}{self.where}",
        )

    def activation_status(self, ident: str) -> str:
        body = self._call(
            Call(
                "GET",
                f"{self.collection}/{encode(ident)}/activationStatus",
                f"Read activation status of {ident}{self.where}",
            )
        )
        return str(body.get("activationStatus"))

    def activation_errors(self, ident: str) -> ActivationErrors:
        body = self._call(
            Call(
                "GET",
                f"{self.collection}/{encode(ident)}/activationErrors",
                f"Read activation errors of {ident}{self.where}",
            )
        )
        return ActivationErrors.from_api(body)

    def check(self, ident: str, wanted: str) -> str:
        """The activation status now; `OICActivationError` with OIC's errors when activation failed.

        The one status check behind `wait_for_status`, the sensor's poke and the trigger.
        """
        status = self.activation_status(ident)
        if status == IntegrationStatus.FAILEDACTIVATION and wanted == IntegrationStatus.ACTIVATED:
            errors = self.activation_errors(ident)
            message = errors.message or errors.summary or "no detail from OIC"
            raise OICActivationError(
                f"Integration {ident} failed to activate: {message}", ident=ident, activation_errors=message
            )
        return status

    def wait_for_status(
        self, ident: str, wanted: str, timeout: float = 600.0, poll_interval: float = 2.0
    ) -> str:
        """Poll until `wanted`; `OICActivationError` with OIC's errors on FAILEDACTIVATION, `OICTimeoutError` on time.

        Reads at once, then after 0.1 s and ever less often (`polling.next_delay`) up to `poll_interval`.
        """
        started = time.monotonic()
        deadline = started + timeout
        while True:
            status = self.check(ident, wanted)
            if status == wanted:
                return status
            now = time.monotonic()
            if now >= deadline:
                raise OICTimeoutError(
                    f"Integration {ident} is still {status} after {timeout:.0f} s (wanted {wanted})"
                )
            time.sleep(min(next_delay(now - started, poll_interval), deadline - now))

    def delete(self, ident: str) -> None:
        self._call(
            Call("DELETE", f"{self.collection}/{encode(ident)}", f"Delete integration {ident}{self.where}")
        )

    def clone(
        self,
        ident: str,
        code: str,
        version: str,
        name: str,
        description: str | None = None,
        package_name: str | None = None,
    ) -> Integration:
        """Copy `ident` as `code|version`; 409 when that exists."""
        body = {"code": code, "version": version, "name": name}
        body.update({k: v for k, v in (("description", description), ("packageName", package_name)) if v})
        target = str(IntegrationId(code, version))
        answer = self._call(
            Call(
                "POST",
                f"{self.collection}/{encode(ident)}/clone",
                f"Clone integration {ident} as {target}{self.where}",
                json=body,
                took_effect=lambda: self.find(target) is not None,
            )
        )
        return Integration.from_api(answer) if answer is not None else self.get(target)

    def schedule(self, ident: str, action: str) -> Integration:
        """Start, stop, pause or resume the schedule of a scheduled integration."""
        if action not in ("start", "stop", "pause", "resume"):
            raise ValueError(f"schedule action must be start, stop, pause or resume, not {action!r}")
        call = Call(
            "POST",
            f"{self.collection}/{encode(ident)}/schedule/{action}",
            f"Schedule {action} of {ident}{self.where}",
            idempotent=True,
        )
        body = self._call(call)
        return Integration.from_api(body) if body else self.get(ident)
