"""Monitoring (docs/oic-reference.md §8): counts per integration version, instances, errors."""

from __future__ import annotations

from collections.abc import Sequence

from ..models import Instance, MonitoringCounts
from ..transport import Call, encode
from .base import Resource

WINDOWS = ("1h", "6h", "1d", "2d", "3d")


def _q(**terms: str | None) -> str:
    return "{" + ", ".join(f"{k}:'{v}'" for k, v in terms.items() if v) + "}"


def _window(window: str) -> str:
    if window not in WINDOWS:
        raise ValueError(f"monitoring window must be one of {', '.join(WINDOWS)}, not {window!r}")
    return window


class Monitoring(Resource):
    """What ran, how often, and how often it failed."""

    def integration_counts(self, ident: str, window: str = "1h") -> MonitoringCounts:
        call = Call(
            "GET",
            f"/monitoring/integrations/{encode(ident)}",
            f"Read monitoring counts of {ident}",
            params={"q": _q(timewindow=_window(window))},
        )
        return MonitoringCounts.from_api(self._call(call))

    def counts(self, code: str | None = None, window: str = "1h") -> list[MonitoringCounts]:
        params = {"q": _q(timewindow=_window(window), code=code)}
        return [
            MonitoringCounts.from_api(i)
            for i in self._pages("/monitoring/integrations", "List monitoring counts", params)
        ]

    def instances(
        self,
        code: str | None = None,
        version: str | None = None,
        status: str | None = None,
        window: str = "1h",
    ) -> list[Instance]:
        params = {"q": _q(timewindow=_window(window), code=code, version=version, status=status)}
        return [Instance.from_api(i) for i in self._pages("/monitoring/instances", "List instances", params)]

    def errors(self, window: str = "1h") -> list[Instance]:
        params = {"q": _q(timewindow=_window(window))}
        return [
            Instance.from_api(i) for i in self._pages("/monitoring/errors", "List error instances", params)
        ]

    def resubmit(self, ids: Sequence[str]) -> None:
        self._call(
            Call(
                "POST",
                "/monitoring/errors/resubmit",
                f"Resubmit {len(ids)} error instance(s)",
                json={"ids": list(ids)},
                idempotent=True,
            )
        )
