"""The outcome of a run: per artifact, what was done and how it went; JSON-serialisable."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import Any

from .canary import StepReport, Watch
from .issues import Issue, Where


class Outcome(str, Enum):
    """How one step ended."""

    APPLIED = "applied"
    SKIPPED = "skipped"
    PLANNED = "planned"
    FAILED = "failed"
    NOT_RUN = "not_run"
    ROLLED_BACK = "rolled_back"
    DRIFTED = "drifted"
    # Not started yet: the run paused for a canary step to be watched, and goes on after it.
    WAITING = "waiting"


@dataclass
class ArtifactResult:
    """One step's result."""

    artifact: str
    kind: str
    id: str
    action: str
    outcome: Outcome
    reason: str
    duration_s: float = 0.0
    detail: str | None = None
    replaced_version: str | None = None
    # What the step changes, as lines to review (a lookup's rows, a connection's properties; no secret).
    changes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["outcome"] = self.outcome.value
        return data


@dataclass
class UndoRecord:
    """One rollback step and how it went."""

    description: str
    ok: bool
    detail: str | None = None
    # False when OIC already held the pre-run state, so nothing was written.
    changed: bool = True


@dataclass
class DeploymentResult:
    """Everything a run did, planned or found; `ok` is what the exit code reflects."""

    run_id: str
    mode: str
    results: list[ArtifactResult] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    undo: list[UndoRecord] = field(default_factory=list)
    not_restorable: list[str] = field(default_factory=list)
    skipped_streams: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    # What the run did besides its steps (a plan file written): said, not warned about.
    notes: list[str] = field(default_factory=list)
    wrote: bool = False
    error: str | None = None
    # The canary step a paused run waits to have watched (then resumed with its report).
    watch: Watch | None = None
    # What each canary step watched in this run showed.
    watched: list[StepReport] = field(default_factory=list)
    # Integrations a paused run waits to see reach their status (then goes on with the verdict).
    awaiting: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return (
            not self.issues
            and self.error is None
            and all(
                r.outcome in (Outcome.APPLIED, Outcome.SKIPPED, Outcome.PLANNED, Outcome.WAITING)
                for r in self.results
            )
        )

    @property
    def failures(self) -> list[ArtifactResult]:
        return [r for r in self.results if r.outcome == Outcome.FAILED]

    @property
    def drift(self) -> list[str]:
        """Artifacts found changed behind the tool's back (by a drift check, or noticed by a deploy)."""
        return [r.id for r in self.results if r.outcome == Outcome.DRIFTED or r.reason.startswith("drift")]

    def to_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "mode": self.mode,
            "ok": self.ok,
            "results": [r.to_dict() for r in self.results],
            "issues": [asdict(i) for i in self.issues],
            "undo": [asdict(u) for u in self.undo],
            "not_restorable": list(self.not_restorable),
            "skipped_streams": dict(self.skipped_streams),
            "drift": self.drift,
            "warnings": list(self.warnings),
            "notes": list(self.notes),
            "wrote": self.wrote,
            "error": self.error,
            "waiting_for": asdict(self.watch) if self.watch else None,
            "watched": [r.to_json() for r in self.watched],
            "awaiting": list(self.awaiting),
            "counts": self.counts(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DeploymentResult:
        """A result read back from `to_dict()` (XCom, a JSON file), for views of a finished run."""
        fields = set(ArtifactResult.__dataclass_fields__)
        return cls(
            run_id=str(data.get("run_id", "")),
            mode=str(data.get("mode", "")),
            results=[
                ArtifactResult(
                    **{**{k: v for k, v in r.items() if k in fields}, "outcome": Outcome(r["outcome"])}
                )
                for r in data.get("results") or []
            ],
            issues=[
                Issue(i["artifact"], i["field"], i["message"], Where(i.get("where", Where.INPUT.value)))
                for i in data.get("issues") or []
            ],
            undo=[UndoRecord(**u) for u in data.get("undo") or []],
            not_restorable=list(data.get("not_restorable") or []),
            skipped_streams=dict(data.get("skipped_streams") or {}),
            warnings=list(data.get("warnings") or []),
            notes=list(data.get("notes") or []),
            wrote=bool(data.get("wrote")),
            error=data.get("error"),
            awaiting=list(data.get("awaiting") or []),
        )

    def counts(self) -> dict[str, int]:
        tally: dict[str, int] = {}
        for result in self.results:
            tally[result.outcome.value] = tally.get(result.outcome.value, 0) + 1
        return tally

    def issue_groups(self) -> list[tuple[str, list[Issue]]]:
        """The problems found before any write, under the heading of where each lies."""
        groups = [(where, [issue for issue in self.issues if issue.where == where]) for where in Where]
        return [(where.heading(len(found)), found) for where, found in groups if found]

    @property
    def paused_for(self) -> str | None:
        """What a paused run waits for (a canary step being watched, activations), or None."""
        if self.watch:
            return f"the canary {self.watch.canary} carries {self.watch.weight}% of the traffic and is being watched"
        if self.awaiting:
            return f"waiting for {', '.join(self.awaiting)}"
        return None

    def summary(self) -> str:
        """A readable table for stderr."""
        lines = [f"target-oracle-oic {self.mode} run {self.run_id}: {'OK' if self.ok else 'FAILED'}"]
        for heading, found in self.issue_groups():
            lines.append(heading)
            lines.extend(f"  - {issue}" for issue in found)
        if self.error:
            lines.append(f"the run stopped after it had written to OIC: {self.error}")
        if self.paused_for:
            lines.append(f"paused: {self.paused_for}; the run goes on with the verdict")
        if self.results:
            rows = [("artifact", "action", "outcome", "seconds", "reason / detail")]
            for r in self.results:
                note = r.reason + (f" | {r.detail}" if r.detail else "")
                rows.append((r.artifact, r.action, r.outcome.value, f"{r.duration_s:.2f}", note))
            widths = [max(len(row[i]) for row in rows) for i in range(4)]
            for row in rows:
                lines.append(
                    "  ".join(f"{cell:<{widths[i]}}" for i, cell in enumerate(row[:4])) + "  " + row[4]
                )
        if self.undo:
            lines.append("rollback:")
            lines.extend(
                f"  {'ok  ' if u.ok else 'FAIL'} {u.description}" + (f" ({u.detail})" if u.detail else "")
                for u in self.undo
            )
        if self.not_restorable:
            lines.append("not in its pre-run state after the rollback (could not be restored):")
            lines.extend(f"  - {item}" for item in self.not_restorable)
        lines.extend(f"warning: {warning}" for warning in self.warnings)
        lines.extend(self.notes)
        for stream, count in self.skipped_streams.items():
            lines.append(f"skipped {count} record(s) of stream {stream} (not in the streams setting)")
        counts = ", ".join(f"{n} {k}" for k, n in sorted(self.counts().items()))
        if counts:
            lines.append(f"totals: {counts}")
        return "\n".join(lines)
