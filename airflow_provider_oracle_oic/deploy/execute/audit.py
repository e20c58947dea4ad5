"""The audit trail: one JSON line per action and one summary line per run; never a secret."""

from __future__ import annotations

import json
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..model.result import ArtifactResult, DeploymentResult
from ..model.specs import IntegrationSpec, LibrarySpec, PackageSpec
from ..plan.planner import Step

SCHEMA_VERSION = 1


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


class AuditTrail:
    """Collects events during a run and appends them to the JSONL file at the end."""

    def __init__(self, path: Path | None, run_id: str, actor: str, instance: str) -> None:
        self.path = path
        self.run_id = run_id
        self.actor = actor
        self.instance = instance
        self._lock = threading.Lock()
        self._events: list[dict[str, Any]] = []

    def action(self, step: Step, result: ArtifactResult, before: str | None, after: str | None) -> None:
        spec = step.spec
        checksum = None
        if isinstance(spec, IntegrationSpec | PackageSpec | LibrarySpec):
            checksum = f"sha256:{spec.archive.sha256}"
        event = {
            "type": "action",
            "schema_version": SCHEMA_VERSION,
            "time": _now(),
            "run_id": self.run_id,
            "actor": self.actor,
            "instance": self.instance,
            "artifact": result.artifact,
            "kind": result.kind,
            "id": result.id,
            "action": result.action,
            "reason": result.reason,
            "status_before": before,
            "status_after": after,
            "checksum": checksum,
            "fingerprint": step.fingerprint or None,
            "duration_s": result.duration_s,
            "outcome": result.outcome.value,
            "detail": result.detail,
        }
        with self._lock:
            self._events.append(event)

    def finish(self, result: DeploymentResult) -> None:
        """Append the events and the run summary to the audit file, if one is configured."""
        summary = {
            "type": "summary",
            "schema_version": SCHEMA_VERSION,
            "time": _now(),
            "run_id": self.run_id,
            "actor": self.actor,
            "instance": self.instance,
            "mode": result.mode,
            "ok": result.ok,
            "counts": result.counts(),
            "issues": [str(i) for i in result.issues],
            "undo": [{"description": u.description, "ok": u.ok} for u in result.undo],
            "not_restorable": list(result.not_restorable),
        }
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as out:
            for event in [*self._events, summary]:
                out.write(json.dumps(event, sort_keys=True) + "\n")
