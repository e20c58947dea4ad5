"""Point-in-time restore: put back what a past run replaced or changed, from its journal and backups.

The journal of a run holds, for each write, the undo that brings the artifact back to its pre-run
state (and the backup it needs). Restoring performs those undos, newest first, as a rollback would,
and checks each artifact afterwards. It refuses, naming them, the undos whose backup is gone (pruned by
`backup_retention`) and those of artifacts a later run changed again (restoring them would throw that
later change away), unless told to restore the rest.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..state.backups import backup_exists
from ..state.journal import Entry, JournalStore, Outcome, PastRun, past_runs


class RestoreError(ValueError):
    """A run that cannot be restored at all (unknown, or already rolled back)."""


@dataclass
class RestorePlan:
    """The undos a restore will perform, newest first, and those it cannot (with why)."""

    run: PastRun
    entries: list[Entry] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)


def _key(entry: Entry) -> tuple[str, str | None, str]:
    return entry.undo.kind.value, entry.undo.project, entry.undo.ident


def plan_restore(store: JournalStore, instance: str, run_id: str) -> RestorePlan:
    """What restoring `run_id` against `instance` would do; `RestoreError` when nothing can be."""
    runs = past_runs(store, instance)
    position = next((n for n, run in enumerate(runs) if run.run_id == run_id), None)
    if position is None:
        kept = ", ".join(r.run_id for r in runs) or "none"
        raise RestoreError(
            f"no journal of run {run_id} against {instance} (kept, oldest first: {kept}; "
            "backup_retention decides how many)"
        )
    run = runs[position]
    if run.status == "rolled_back":
        raise RestoreError(f"run {run_id} was rolled back when it failed; there is nothing of it to restore")
    later: dict[tuple[str, str | None, str], str] = {}
    for newer in runs[position + 1 :]:
        for entry in newer.entries:
            if entry.outcome != Outcome.FAILED:
                later.setdefault(_key(entry), newer.run_id)
    plan = RestorePlan(run)
    for entry in reversed(run.entries):
        if entry.outcome == Outcome.FAILED:
            continue
        undo = entry.undo
        if undo.backup is not None and not backup_exists(undo.backup):
            plan.refused.append(f"{undo.description}: its backup {undo.backup} is gone (backup_retention)")
        elif _key(entry) in later:
            plan.refused.append(
                f"{undo.description}: run {later[_key(entry)]} changed it after run {run_id}; "
                "restore that run first, or deploy what you want"
            )
        else:
            plan.entries.append(entry)
    return plan
