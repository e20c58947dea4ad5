"""Rollback: bring every artifact a run touched back to its pre-run state, reading before each decision.

Undos are written so that running one whose write never took effect is harmless: each first reads
what OIC holds, does nothing when it is already as it was, and is checked again at the end.
"""

from __future__ import annotations

import logging
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ...oic import OICClient, OICNotFoundError, sha256_file
from ...oic.models import Connection
from ...oic.project_archives import read_project_archive
from ...oic.status import IntegrationStatus, settles_to
from ..model.result import UndoRecord
from ..model.specs import Kind
from ..plan.families import family
from ..plan.planner import ACTIVATION_FLAGS
from ..state.backups import BackupCache
from ..state.journal import Entry, Journal, Outcome, Undo, UndoAction

log = logging.getLogger(__name__)
# A rollback is worth more patience than a deployment step: each undo is tried again (it reads before it
# acts, so repeating it is safe) with pauses of 0.5, 1, 2, 4, then 5 s, about half a minute in all.
ATTEMPTS = 8
FIRST_PAUSE = 0.5
LONGEST_PAUSE = 5.0


class Restorer:
    """Performs and verifies undos against OIC: the instance's global artifacts, or with `project`
    those inside that OIC 3 project."""

    def __init__(
        self,
        client: OICClient,
        activation_timeout: float,
        poll_interval: float,
        project: str | None = None,
        backups: BackupCache | None = None,
    ) -> None:
        self.client = client
        self.timeout = activation_timeout
        self.poll = poll_interval
        self.space = client.in_project(project)
        self._projects: dict[str, Restorer] = {}
        self.backups = backups or BackupCache()

    def scoped(self, project: str | None) -> Restorer:
        """The restorer for artifacts of `project` (this one for global artifacts)."""
        if project is None:
            return self
        if project not in self._projects:
            self._projects[project] = Restorer(self.client, self.timeout, self.poll, project, self.backups)
        return self._projects[project]

    def wait(self, ident: str, status: str) -> None:
        self.space.integrations.wait_for_status(ident, status, self.timeout, self.poll)

    def deactivate(self, ident: str) -> None:
        self.space.integrations.deactivate(ident)
        self.wait(ident, IntegrationStatus.CONFIGURED)

    def activate(self, ident: str, flags: dict[str, bool | None]) -> None:
        self.space.integrations.activate(ident, **flags)
        self.wait(ident, IntegrationStatus.ACTIVATED)

    def _status(self, ident: str) -> str | None:
        current = self.space.integrations.find(ident)
        return None if current is None else current.status

    def _settle_status(self, ident: str) -> str | None:
        """The integration's status once no activation or deactivation is in progress."""
        status = self._status(ident)
        heading = settles_to(status)
        if heading is None:
            return status
        self.wait(ident, heading)
        return self._status(ident)

    def deactivate_if_active(self, ident: str) -> None:
        """Take the integration down if it is ACTIVATED once any change in progress has ended."""
        if self._settle_status(ident) == IntegrationStatus.ACTIVATED:
            self.deactivate(ident)

    def _deactivate_members(self, package: str) -> None:
        """A package can only be replaced or deleted while none of its integrations is active (§6)."""
        for member in self.client.packages.get(package).integrations:
            self.deactivate_if_active(member.id)

    def _deactivate_project(self, project: str, only: set[str] | None = None) -> list[str]:
        """Take down the project's ACTIVATED integrations (those in `only`, when given); returns them."""
        inside = self.scoped(project)
        active = [
            i.id
            for i in inside.space.integrations.list()
            if i.status != IntegrationStatus.CONFIGURED and (only is None or i.id in only)
        ]
        taken = []
        for ident in active:
            if inside._settle_status(ident) == IntegrationStatus.ACTIVATED:
                inside.deactivate(ident)
                taken.append(ident)
        return taken

    # Each undo: perform(undo) brings the artifact back; problem(undo) says what is still off, or None.

    def perform(self, undo: Undo) -> bool:
        """Bring the artifact back; False when OIC already held its pre-run state, so nothing was written
        (a write that never took effect, or a run restored before)."""
        if undo.project is not None and self.space is self.client:
            return self.scoped(undo.project).perform(undo)
        if self.problem(undo) is None and (undo.action != UndoAction.RESTORE_ARCHIVE or self._holds(undo)):
            return False
        {
            UndoAction.DELETE: self._delete,
            UndoAction.RESTORE_ARCHIVE: self._restore_archive,
            UndoAction.ACTIVATE: self._activate,
            UndoAction.DEACTIVATE: self._deactivate,
            UndoAction.RESTORE_LOOKUP: self._restore_lookup,
            UndoAction.RESTORE_CONNECTION: self._restore_connection,
            UndoAction.RESTORE_DEPLOYMENT: self._restore_deployment,
        }[undo.action](undo)
        return True

    def _holds(self, undo: Undo) -> bool:
        """Whether OIC's archive of the artifact is, byte for byte, the backup the undo would put back."""
        assert undo.backup is not None
        export = (
            self.client.projects.export if undo.kind == Kind.PROJECT else family(self.space, undo.kind).export
        )
        with tempfile.TemporaryDirectory(prefix="oic-restore-check-") as folder:
            try:
                current = export(undo.ident, Path(folder) / "current")
            except OICNotFoundError:
                return False
        return current.sha256 == sha256_file(self.backups.local(undo.backup))

    def problem(self, undo: Undo) -> str | None:
        """What still differs from the pre-run state this undo stands for; None when nothing does.

        Every attribute the run could have changed is compared: presence, status and activation flags,
        lookup rows, columns and description, a connection's readable properties, policy and agent
        group, a library's file name, a deployment's selection.
        """
        if undo.project is not None and self.space is self.client:
            found = self.scoped(undo.project).problem(undo)
            return None if found is None else f"{found} (project {undo.project})"
        return {
            UndoAction.DELETE: self._still_exists,
            UndoAction.RESTORE_ARCHIVE: self._archive_problem,
            UndoAction.ACTIVATE: self._status_problem,
            UndoAction.DEACTIVATE: self._status_problem,
            UndoAction.RESTORE_LOOKUP: self._lookup_problem,
            UndoAction.RESTORE_CONNECTION: self._connection_problem,
            UndoAction.RESTORE_DEPLOYMENT: self._deployment_problem,
        }[undo.action](undo)

    def _still_exists(self, undo: Undo) -> str | None:
        if self._find(undo.kind, undo.ident) is None:
            return None
        return f"{undo.kind.singular} {undo.ident} still exists (it did not before the run)"

    def _archive_problem(self, undo: Undo) -> str | None:
        current = self._find(undo.kind, undo.ident)
        if current is None:
            return f"{undo.kind.singular} {undo.ident} is absent; it existed before"
        file_name, now = undo.before.get("file_name"), getattr(current, "file_name", "")
        if undo.kind == Kind.LIBRARY and file_name and now and now != file_name:
            return f"library {undo.ident} holds file {now}; it held {file_name} before the run"
        return None

    def _status_problem(self, undo: Undo) -> str | None:
        current = self.space.integrations.find(undo.ident)
        status = None if current is None else current.status
        was_active = undo.action == UndoAction.ACTIVATE
        if (status == IntegrationStatus.ACTIVATED) != was_active:
            wanted = IntegrationStatus.ACTIVATED if was_active else IntegrationStatus.CONFIGURED
            return f"integration {undo.ident} is {status or 'absent'}; it was {wanted} before the run"
        flags = {k: undo.before.get(k) for k in ACTIVATION_FLAGS if undo.before.get(k) is not None}
        off = sorted(k for k, v in flags.items() if getattr(current, k) != v)
        if off:
            return f"integration {undo.ident} has {', '.join(off)} other than before the run"
        return None

    def _lookup_problem(self, undo: Undo) -> str | None:
        current = self.space.lookups.find(undo.ident)
        before = undo.before
        if current is None:
            return f"lookup {undo.ident} is absent; it existed before"
        off = [
            what
            for what, now, was in (
                ("columns", list(current.columns), list(before["columns"])),
                ("rows", [list(r) for r in current.rows], [list(r) for r in before["rows"]]),
                ("description", current.description or None, before.get("description") or None),
            )
            if now != was
        ]
        return f"lookup {undo.ident} does not hold its pre-run {', '.join(off)}" if off else None

    def _connection_problem(self, undo: Undo) -> str | None:
        conn = self.space.connections.find(undo.ident)
        if conn is None:
            return f"connection {undo.ident} is absent"
        now, before = restorable_connection(conn), undo.before
        off = sorted(
            key
            for key in ("connection_properties", "security_properties", "security_policy", "agent_group_id")
            if key in before and (now[key] or None) != (before[key] or None)
        )
        if off:
            return f"connection {undo.ident} does not hold its pre-run {', '.join(off).replace('_', ' ')}"
        if before.get("status") == "CONFIGURED" and conn.status != "CONFIGURED":
            return f"connection {undo.ident} is {conn.status}; it was CONFIGURED before the run"
        return None

    def _deployment_problem(self, undo: Undo) -> str | None:
        deployment = self.client.project(undo.ident).deployments.find(str(undo.before["code"]))
        chosen = undo.before.get("integrations")
        now = None if deployment is None else sorted(deployment.integrations)
        if now != (None if chosen is None else sorted(chosen)):
            return f"deployment {undo.before['code']} of project {undo.ident} does not hold its pre-run selection"
        return None

    def _find(self, kind: Kind, ident: str) -> object | None:
        return family(self.space, kind).find(ident)

    def _delete(self, undo: Undo) -> None:
        kind, ident = undo.kind, undo.ident
        if self._find(kind, ident) is None:
            return
        if kind == Kind.INTEGRATION:
            self.deactivate_if_active(ident)
        if kind == Kind.PACKAGE:
            self._deactivate_members(ident)
        if kind == Kind.PROJECT:
            self._deactivate_project(ident)
        delete = family(self.space, kind).delete
        try:
            delete(ident)
        except OICNotFoundError:
            return

    def _restore_archive(self, undo: Undo) -> None:
        assert undo.backup is not None
        backup = self.backups.local(undo.backup)
        if undo.kind == Kind.LIBRARY:
            self.client.libraries.replace(undo.ident, backup, _library_file_name(undo, backup))
            return
        if undo.kind == Kind.PACKAGE:
            self._deactivate_members(undo.ident)
            self.client.packages.replace_archive(backup, name=undo.ident)
            return
        if undo.kind == Kind.PROJECT:
            self._restore_project(undo.ident, backup)
            return
        self.deactivate_if_active(undo.ident)
        self.space.integrations.replace_archive(backup)

    def _restore_project(self, project: str, backup: Path) -> None:
        """Put the exported `.car` back; what it holds must be down for that, and goes back up after."""
        held = read_project_archive(backup).integration_ids
        taken = self._deactivate_project(project, held)
        self.client.projects.replace_archive(backup, project)
        inside = self.scoped(project)
        for ident in taken:
            inside.activate(ident, {})

    def _restore_deployment(self, undo: Undo) -> None:
        code, chosen = str(undo.before["code"]), undo.before.get("integrations")
        deployments = self.client.project(undo.ident).deployments
        current = deployments.find(code)
        if chosen is None:
            if current is not None:
                deployments.delete(code)
        elif current is None:
            deployments.create(code, str(undo.before.get("name") or code), chosen)
        elif sorted(current.integrations) != sorted(chosen):
            deployments.update(code, chosen)

    def _activate(self, undo: Undo) -> None:
        flags = {k: undo.before.get(k) for k in ACTIVATION_FLAGS}
        current = self.space.integrations.find(undo.ident)
        if current is None:
            return
        status = self._settle_status(undo.ident)
        if status == IntegrationStatus.ACTIVATED:
            same = all(v is None or getattr(current, k) == v for k, v in flags.items())
            if same:
                return
            self.deactivate(undo.ident)
        self.activate(undo.ident, flags)

    def _deactivate(self, undo: Undo) -> None:
        self.deactivate_if_active(undo.ident)

    def _restore_lookup(self, undo: Undo) -> None:
        before = undo.before
        self.space.lookups.update(
            undo.ident,
            tuple(before["columns"]),
            tuple(tuple(r) for r in before["rows"]),
            before.get("description"),
        )

    def _restore_connection(self, undo: Undo) -> None:
        before = undo.before
        self.space.connections.update(
            undo.ident,
            connection_properties=before.get("connection_properties") or None,
            security_properties=before.get("security_properties") or None,
            security_policy=before.get("security_policy"),
            agent_group_id=before.get("agent_group_id"),
        )
        if before.get("status") == "CONFIGURED":
            self.space.connections.test(undo.ident)

    def _attempt(self, what: str, action: Callable[[], None]) -> str | None:
        """Run `action` up to ATTEMPTS times; the last error's text, or None on success."""
        error = None
        for attempt in range(ATTEMPTS):
            try:
                action()
                return None
            # An undo must not stop the others: whatever it hits is reported, the rest still run.
            except Exception as exc:
                error = str(exc)
                log.warning("Rollback: %s failed (attempt %d of %d): %s", what, attempt + 1, ATTEMPTS, exc)
                if attempt + 1 < ATTEMPTS:
                    time.sleep(min(FIRST_PAUSE * 2**attempt, LONGEST_PAUSE))
        return error

    def roll_back(self, journal: Journal) -> tuple[list[UndoRecord], list[str]]:
        """Undo every journaled write that may have taken effect, newest first; then check each one.

        Returns the undo records and, per artifact still off its pre-run state, what is off.
        """
        newest_first = list(reversed(journal.entries))
        entries = [e for e in newest_first if e.outcome != Outcome.FAILED]
        # Refused writes are checked too: an answer is not always the whole truth, and anything still
        # off its pre-run state must be named.
        return self.undo(entries, journal.rolled_back), self.verify(newest_first)

    def undo(
        self, entries: list[Entry], report: Callable[[Entry, bool, str | None], None] | None = None
    ) -> list[UndoRecord]:
        """Perform each entry's undo in the given order, each tried again on failure; one failing does
        not stop the others."""
        records: list[UndoRecord] = []
        for entry in entries:
            wrote: list[bool] = []
            error = self._attempt(
                entry.undo.description,
                lambda entry=entry, wrote=wrote: wrote.append(self.perform(entry.undo)),
            )
            if report is not None:
                report(entry, error is None, error)
            if error is None:
                log.info(
                    "%s: %s", "Rolled back" if any(wrote) else "Already as before", entry.undo.description
                )
            else:
                log.error("Rollback step failed: %s: %s", entry.undo.description, error)
            records.append(
                UndoRecord(entry.undo.description, error is None, error, any(wrote) or error is not None)
            )
        return records

    def verify(self, entries: list[Entry]) -> list[str]:
        """What is still not in its pre-run state, one line per artifact."""
        problems: dict[tuple[Kind, str | None, str], str] = {}
        for entry in pre_run_facts(entries):
            key = (entry.undo.kind, entry.undo.project, entry.undo.ident)
            if key in problems:
                continue
            found: list[str | None] = []
            error = self._attempt(
                f"check {entry.undo.kind.singular} {entry.undo.ident}",
                lambda entry=entry, found=found: found.append(self.problem(entry.undo)),
            )
            problem = found[-1] if found else None
            if error is not None:
                problem = (
                    f"{entry.undo.kind.singular} {entry.undo.ident} could not be verified "
                    f"(its state could not be read: {error})"
                )
            if problem is not None:
                problems[key] = problem
        return list(problems.values())


# Undo actions that state the same fact of an artifact (its status) before different writes.
_FACTS = {UndoAction.ACTIVATE: "status", UndoAction.DEACTIVATE: "status"}


def pre_run_facts(entries: list[Entry]) -> list[Entry]:
    """Of the undos of a run (newest first), those that hold the pre-run state: the oldest per artifact
    and fact. A run may write one artifact several times (a canary's routing at 10% then 50%): each
    later undo only leads back to an intermediate state. An artifact the run created was absent."""
    by_artifact: dict[tuple[Kind, str | None, str], list[Entry]] = {}
    for entry in reversed(entries):
        by_artifact.setdefault((entry.undo.kind, entry.undo.project, entry.undo.ident), []).append(entry)
    chosen: list[Entry] = []
    for oldest_first in by_artifact.values():
        if oldest_first[0].undo.action == UndoAction.DELETE:
            chosen.append(oldest_first[0])
            continue
        facts: set[str] = set()
        for entry in oldest_first:
            fact = _FACTS.get(entry.undo.action, entry.undo.action.value)
            if fact not in facts:
                facts.add(fact)
                chosen.append(entry)
    return chosen


def _library_file_name(undo: Undo, backup: Path) -> str:
    """The name the library's file had before the run; when OIC never said it, one with the suffix
    its content calls for (a zip is a .jar, anything else JavaScript)."""
    known = undo.before.get("file_name")
    if known:
        return str(known)
    with backup.open("rb") as handle:
        suffix = ".jar" if handle.read(2) == b"PK" else ".js"
    return f"{undo.ident.split('|')[0].lower()}{suffix}"


def restorable_connection(conn: Connection) -> dict[str, Any]:
    """The restorable part of a connection: its readable properties, policy, agent group and status."""
    return {
        "connection_properties": {
            p.name: p.value for p in conn.connection_properties if not p.withheld and p.value is not None
        },
        "security_properties": {
            p.name: p.value for p in conn.security_properties if not p.withheld and p.value is not None
        },
        "security_policy": conn.security_policy,
        "agent_group_id": conn.agent_group_id,
        "status": conn.status,
    }
