"""Deploy hooks the hook tests name by reference (`tests.target.hook_samples:record`)."""

from __future__ import annotations

import time
from typing import Any

EVENTS: list[tuple[str, dict[str, Any]]] = []


def record(event: str, artifact: dict[str, Any]) -> None:
    EVENTS.append((event, artifact))


def refuse_lookups(event: str, artifact: dict[str, Any]) -> None:
    if event == "pre_deploy" and artifact["kind"] == "lookup":
        raise RuntimeError("lookups are frozen until Monday (change ticket CHG-1234)")


def broken_after(event: str, artifact: dict[str, Any]) -> None:
    if event == "post_deploy":
        raise RuntimeError("the chat webhook is down")


def slow(event: str, artifact: dict[str, Any]) -> None:
    time.sleep(1.5)


NOT_CALLABLE = 42
