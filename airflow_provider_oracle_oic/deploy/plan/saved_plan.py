"""Saved plans: what a dry run decided and the OIC facts it decided on, so that what a person
reviewed is exactly what gets applied (Terraform's `plan -out` / `apply plan`).

The file names each step, its reason and the input's fingerprint of the artifact (secrets only as the
ledger's keyed HMACs), and what OIC showed of the step's target (status and `lastUpdated`). Applying it
plans again from the same input and today's OIC; any step whose action, reason, fingerprint or OIC facts
moved refuses the whole run before the first write.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

from ..model.issues import Issue, Where
from .observe import Observed, state_of
from .planner import Part, Plan, Step

FORMAT = "target-oracle-oic plan"
# 2: the plan names the OIC by its base URL as well as its integration instance.
VERSION = 2


class PlanFileError(ValueError):
    """A plan file that cannot be read, does not hold, or was made for another OIC."""


@dataclass(frozen=True)
class Target:
    """The OIC a plan was made against: its base URL and, on OIC 3, the integration instance."""

    base_url: str
    instance: str | None

    def describe(self) -> str:
        return self.base_url + (f" (instance {self.instance})" if self.instance else "")


@dataclass(frozen=True)
class PlannedStep:
    """One step as the plan file holds it."""

    artifact: str
    stage: str
    kind: str
    id: str
    action: str
    reason: str
    fingerprint: str
    status: str | None
    last_updated: str

    @property
    def key(self) -> tuple[str, str]:
        return self.artifact, self.stage


def facts(observed: Observed, step: Step) -> tuple[str | None, str]:
    """What OIC showed of the step's target when it was planned: (status, lastUpdated), or for a
    project's deployment (its selection, lastUpdated)."""
    if step.part == Part.DEPLOYMENT:
        project = observed.projects.get(step.spec.key)
        chosen = project.deployment(step.target) if project is not None else None
        if chosen is None:
            return None, ""
        return ",".join(sorted(chosen.integrations)), chosen.last_updated
    return state_of(observed.find(step.target_kind, step.ref))


def planned_steps(plan: Plan, observed: Observed) -> list[PlannedStep]:
    return [
        PlannedStep(
            step.artifact,
            "activation" if step.is_activation else "write",
            step.spec.kind.singular,
            step.ref,
            step.action.value,
            step.reason,
            step.fingerprint,
            *facts(observed, step),
        )
        for step in plan.steps
    ]


def write(path: Path, run_id: str, target: Target, steps: list[PlannedStep]) -> None:
    """Write the plan file atomically, readable only by its owner."""
    body = {
        "format": FORMAT,
        "version": VERSION,
        "run_id": run_id,
        "base_url": target.base_url,
        "instance": target.instance,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "steps": [asdict(s) for s in steps],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        json.dump(body, out, indent=1)
        out.write("\n")
    os.chmod(temp, 0o600)
    os.replace(temp, path)


def read(path: Path, target: Target) -> list[PlannedStep]:
    """The steps of a plan file made for `target`, checked as a whole; `PlanFileError` naming what is wrong."""
    again = "make it again with --plan-out"
    try:
        body = json.loads(path.read_bytes().decode("utf-8"))
    except OSError as exc:
        raise PlanFileError(f"plan {path} cannot be read ({exc.strerror or exc})") from None
    except UnicodeDecodeError as exc:
        raise PlanFileError(f"plan {path} is not UTF-8 text (byte {exc.start}); {again}") from None
    except json.JSONDecodeError as exc:
        raise PlanFileError(f"plan {path} is not valid JSON ({exc}); {again}") from None
    if not isinstance(body, dict) or body.get("format") != FORMAT:
        raise PlanFileError(f"{path} is not a plan written by target-oracle-oic --plan-out")
    if body.get("version") != VERSION:
        raise PlanFileError(
            f"plan {path} is format {body.get('version')!r}; this version reads format {VERSION}: {again}"
        )
    made_for = Target(str(body.get("base_url")), body.get("instance"))
    if made_for != target:
        raise PlanFileError(
            f"plan {path} was made for {made_for.describe()}, not {target.describe()}; plan against this OIC"
        )
    steps = body.get("steps")
    if not isinstance(steps, list):
        raise PlanFileError(f"plan {path} has no list of steps; {again}")
    return [_step(path, n, raw) for n, raw in enumerate(steps, 1)]


def _step(path: Path, n: int, raw: object) -> PlannedStep:
    """Step `n` of the file, when it has every field with its type and nothing else."""
    fields = {f.name: f.type for f in PlannedStep.__dataclass_fields__.values()}
    if not isinstance(raw, dict) or set(raw) != set(fields):
        raise PlanFileError(
            f"plan {path}: step {n} must have exactly the fields {', '.join(fields)}; make it again with --plan-out"
        )
    wrong = [
        name
        for name, value in raw.items()
        if not (isinstance(value, str) or (value is None and name == "status"))
    ]
    if wrong:
        raise PlanFileError(
            f"plan {path}: step {n} field {wrong[0]} must be text; make it again with --plan-out"
        )
    return PlannedStep(**raw)


def _changes(saved: PlannedStep, now: PlannedStep) -> list[str]:
    found = []
    if saved.fingerprint != now.fingerprint:
        found.append("its input changed since the plan")
    if (saved.status, saved.last_updated) != (now.status, now.last_updated):
        found.append(
            f"OIC changed it since the plan (was {saved.status or 'absent'} {saved.last_updated}, "
            f"now {now.status or 'absent'} {now.last_updated})".replace(" )", ")")
        )
    if saved.action != now.action:
        found.append(f"the plan said {saved.action}, it would now {now.action}")
    elif saved.reason != now.reason and not found:
        found.append(f"the plan's reason was '{saved.reason}', it is now '{now.reason}'")
    return found


def differences(saved: list[PlannedStep], now: list[PlannedStep]) -> list[Issue]:
    """Why the plan cannot be applied as saved, one issue per changed artifact; none when it can.

    Every step must be there once, and in today's order: a plan is applied as it reads."""
    issues: list[Issue] = []
    seen: set[tuple[str, str]] = set()
    for step in saved:
        if step.key in seen:
            issues.append(
                Issue(
                    step.artifact,
                    "plan",
                    f"the plan holds its {step.stage} step more than once; make it again",
                    Where.PLAN,
                )
            )
        seen.add(step.key)
    before = {s.key: s for s in saved}
    after = {s.key: s for s in now}
    for key, step in before.items():
        current = after.get(key)
        if current is None:
            issues.append(
                Issue(
                    step.artifact,
                    "plan",
                    f"the plan would {step.action} it; it is no longer planned",
                    Where.PLAN,
                )
            )
            continue
        changed = _changes(step, current)
        if changed:
            issues.append(Issue(step.artifact, "plan", "; ".join(changed), Where.PLAN))
    for key, step in after.items():
        if key not in before:
            issues.append(
                Issue(step.artifact, "plan", f"not in the plan; it would now {step.action}", Where.PLAN)
            )
    if not issues and [s.key for s in saved] != [s.key for s in now]:
        moved = next(s for s, t in zip(saved, now, strict=True) if s.key != t.key)
        issues.append(
            Issue(
                moved.artifact,
                "plan",
                "the plan's steps are not in the order they would run; make it again",
                Where.PLAN,
            )
        )
    return issues
