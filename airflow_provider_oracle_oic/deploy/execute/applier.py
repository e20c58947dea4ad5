"""Perform a plan's steps (the scheduler decides when): every write is journaled before it is sent."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any, TypeVar

from ...oic import OICClient, OICError
from ...oic.identifiers import IntegrationId
from ...oic.models import Integration
from ...oic.resources.integrations import Integrations
from ...oic.resources.packages import Packages
from ...oic.status import IntegrationStatus
from ...oic.waiter import StatusWaiter
from ..input.connection_checks import catalogue_issues
from ..model.canary import StepReport, Watch, observe, start_watch
from ..model.issues import IssueError
from ..model.result import ArtifactResult
from ..model.result import Outcome as StepOutcome
from ..model.settings import DeploySettings
from ..model.specs import (
    CertificateSpec,
    ConnectionSpec,
    IntegrationSpec,
    Kind,
    LibrarySpec,
    LookupSpec,
    PackageSpec,
    ProjectSpec,
    Value,
    label,
    ref,
    scoped,
)
from ..plan.observe import Observed
from ..plan.planner import ACTIVATION_FLAGS, WRITES, Action, Part, Plan, Step
from ..recovery.rollback import Restorer, restorable_connection
from ..state.backups import Backups
from ..state.journal import Entry, Journal, Outcome, Undo, UndoAction
from .scheduler import schedule, then

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass
class Context:
    """What every step needs."""

    client: OICClient
    settings: DeploySettings
    observed: Observed
    journal: Journal
    backups: Backups
    # (status, lastUpdated) that write answers carried, by artifact key: no need to read them again.
    answers: dict[str, tuple[str | None, str]] = field(default_factory=dict)
    # True: a canary step is watched elsewhere (Airflow's triggerer); the run pauses after routing it.
    watch_elsewhere: bool = False
    # True: activations are sent and waited for elsewhere (Airflow's triggerer); the run then pauses.
    activations_elsewhere: bool = False
    # The canary steps watched in this run, in order.
    reports: list[StepReport] = field(default_factory=list)


class Pause(Exception):
    """A canary step is routed and must now be watched outside the run, which pauses until then."""

    def __init__(self, watch: Watch) -> None:
        super().__init__(f"watching {watch.canary} at {watch.weight}%")
        self.watch = watch


def _clear(values: dict[str, Value]) -> dict[str, str]:
    return {name: value.text for name, value in values.items()}


def _flags(source: Integration | IntegrationSpec | ProjectSpec) -> dict[str, Any]:
    """The activation flags an integration has (or a record asks for)."""
    return {name: getattr(source, name) for name in ACTIVATION_FLAGS}


def outcome_of(exc: BaseException) -> Outcome:
    """A 4xx answer means OIC refused the write; anything else may have let it take effect. A 429 is
    not a refusal: a gateway may send it after the write went through, so its undo runs (undos read
    before they act)."""
    status = getattr(exc, "status", None)
    refused = isinstance(status, int) and 400 <= status < 500 and status != 429
    return Outcome.FAILED if refused else Outcome.UNKNOWN


class Applier:
    """Runs the write steps of a plan; after a failure it starts no further step."""

    def __init__(
        self,
        context: Context,
        on_result: Callable[[Step, ArtifactResult], None],
        on_applied: Callable[[Step], None],
    ) -> None:
        self.ctx = context
        self.client = context.client
        self.journal = context.journal
        self.on_result = on_result
        self.on_applied = on_applied
        self.waiter: StatusWaiter
        # The canary step the run paused to have watched elsewhere, if it did.
        self.paused: Watch | None = None
        # The activations sent whose wait is left to someone else.
        self.awaiting: list[str] = []
        self.restorer = Restorer(
            context.client, context.settings.activation_timeout, context.settings.activation_poll_interval
        )

    def run(self, plan: Plan) -> list[ArtifactResult]:
        """Every step's result: the scheduler starts each as soon as what it needs is done, and none
        after a failure (or a pause)."""
        settings = self.ctx.settings
        log.info(
            "Applying %d step(s), at most %d request(s) at once", len(plan.steps), settings.max_concurrency
        )
        with StatusWaiter(
            self.client.integrations, settings.activation_timeout, settings.activation_poll_interval
        ) as self.waiter:
            done = schedule(
                plan,
                self._run_step,
                settings.max_concurrency,
                stop=lambda result: result.outcome == StepOutcome.FAILED or self.paused is not None,
            )
        return [
            result if result is not None else self._unstarted(step, done.stopped)
            for step, result in zip(plan.steps, done.results, strict=True)
        ]

    def _unstarted(self, step: Step, stopped: bool) -> ArtifactResult:
        if self.paused is not None:
            why = f"it follows the canary's {self.paused.weight}% step, which is being watched"
            return self._result(step, StepOutcome.WAITING, 0.0, why)
        why = (
            "an earlier step failed" if stopped else "it waits for a step that never ran (a dependency cycle)"
        )
        return self._result(step, StepOutcome.NOT_RUN, 0.0, why)

    def _result(
        self, step: Step, outcome: StepOutcome, duration: float, detail: str | None = None
    ) -> ArtifactResult:
        result = step.result(outcome, duration, detail)
        self.on_result(step, result)
        return result

    def _run_step(self, step: Step) -> ArtifactResult | Future[ArtifactResult]:
        """The step's result, or for an activation a future of it that resolves when OIC is done."""
        if step.action not in WRITES:
            return self._result(step, StepOutcome.SKIPPED, 0.0)
        started = time.monotonic()
        try:
            if step.is_activation:
                return then(self._activate(step), lambda waited: self._finish(step, started, waited))
            detail = self._perform(step)
        except Pause as pause:
            self.paused = pause.watch
            return self._applied(step, started, f"routed; {pause}")
        # Whatever a step hits fails that step like any other, so the run still rolls back what it
        # wrote and closes its journal: a bug must not leave OIC half-deployed without a word.
        except Exception as exc:
            return self._failed(step, started, exc)
        return self._applied(step, started, detail)

    def _finish(self, step: Step, started: float, waited: Future[str | None]) -> ArtifactResult:
        exc = waited.exception()
        if exc is None:
            return self._applied(step, started, waited.result())
        if isinstance(exc, Exception):
            return self._failed(step, started, exc)
        raise exc

    def _failed(self, step: Step, started: float, exc: BaseException) -> ArtifactResult:
        expected = isinstance(exc, OICError | OSError | IssueError)
        text = str(exc) if expected else f"unexpected {type(exc).__name__}: {exc}"
        log.error("%s: %s failed: %s", step.artifact, step.action.value, text)
        if not expected:
            log.debug("Where the unexpected error came from", exc_info=exc)
        return self._result(step, StepOutcome.FAILED, time.monotonic() - started, text)

    def _applied(self, step: Step, started: float, detail: str | None) -> ArtifactResult:
        try:
            self.on_applied(step)
        # The write went through but the ledger could not keep it (its storage failed): the step fails,
        # so the run rolls the write back rather than leave OIC ahead of its ledger.
        except Exception as exc:
            return self._failed(step, started, exc)
        log.info("%s: %s done", step.artifact, step.action.value)
        return self._result(step, StepOutcome.APPLIED, time.monotonic() - started, detail)

    def _send(self, undo: Undo | None, write: Callable[[], T]) -> tuple[Entry | None, T]:
        """Journal `undo`, then send `write`; a failed send is journaled as refused or unknown."""
        entry = self.journal.intend(undo) if undo is not None else None
        try:
            return entry, write()
        except BaseException as exc:
            if entry is not None:
                self.journal.settle(entry, outcome_of(exc))
            raise

    def _write(self, undo: Undo | None, write: Callable[[], T]) -> T:
        """Journal `undo`, then send `write`, then journal its outcome (unknown when the answer was lost)."""
        entry, value = self._send(undo, write)
        if entry is not None:
            self.journal.settle(entry, Outcome.DONE)
        return value

    def _perform(self, step: Step) -> str | None:
        spec = step.spec
        if step.part == Part.RETIRE:
            return self._retire(step)
        if step.part == Part.CANARY:
            assert isinstance(spec, LookupSpec)
            return self._canary(step, spec)
        if isinstance(spec, CertificateSpec):
            return self._certificate(step, spec)
        if isinstance(spec, LibrarySpec):
            return self._library(step, spec)
        if isinstance(spec, LookupSpec):
            return self._lookup(step, spec)
        if isinstance(spec, PackageSpec):
            return self._archive(step, spec, self.client.packages, ".par")
        if isinstance(spec, IntegrationSpec):
            return self._archive(step, spec, self.client.integrations, ".iar")
        if isinstance(spec, ProjectSpec):
            return self._deployment(step, spec) if step.part else self._project(step, spec)
        assert isinstance(spec, ConnectionSpec)
        return self._connection(step, spec)

    def _deactivate_first(self, ident: str, project: str | None = None) -> None:
        """Take an ACTIVATED integration down for a replace; journaled to come back up with its flags."""
        before = self.ctx.observed.integrations.get(scoped(project, ident))
        flags = _flags(before) if before is not None else {}
        undo = Undo(
            UndoAction.ACTIVATE,
            Kind.INTEGRATION,
            ident,
            f"reactivate integration {ident}" + (f" in project {project}" if project else ""),
            before=flags,
            project=project,
        )
        # An activation or deactivation a crashed run left in progress is waited out first.
        self._write(undo, lambda: self.restorer.scoped(project).deactivate_if_active(ident))

    def _project(self, step: Step, spec: ProjectSpec) -> str | None:
        """Import a new project's `.car`, or export it, take down what the replace overwrites, and replace."""
        projects = self.client.projects
        if step.action == Action.CREATE:
            undo = Undo(UndoAction.DELETE, Kind.PROJECT, spec.id, f"delete project {spec.id}")
            created = self._write(undo, lambda: projects.import_archive(spec.archive.path, spec.id))
            self.ctx.answers[spec.id] = ("PRESENT", created.last_updated)
            return None
        before = self.ctx.observed.projects.get(spec.id)
        backup = projects.export(
            spec.id, self.ctx.backups.path(Kind.PROJECT, ".car"), name=before.name if before else None
        )
        kept = self.ctx.backups.keep(backup.path)
        for ident in step.deactivate_first:
            self._deactivate_first(ident, spec.id)
        undo = Undo(
            UndoAction.RESTORE_ARCHIVE,
            Kind.PROJECT,
            spec.id,
            f"restore project {spec.id} from its export",
            kept,
        )
        replaced = self._write(undo, lambda: projects.replace_archive(spec.archive.path, spec.id))
        self.ctx.answers[spec.id] = ("PRESENT", replaced.last_updated)
        return f"previous project exported to {kept}"

    def _deployment(self, step: Step, spec: ProjectSpec) -> str | None:
        """Create or update the record's deployment (after the `.car`, which may carry an older one)."""
        wanted = spec.deployment
        assert wanted is not None
        deployments = self.client.project(spec.id).deployments
        observed = self.ctx.observed.projects.get(spec.id)
        before = observed.deployment(wanted.code) if observed is not None else None
        undo = Undo(
            UndoAction.RESTORE_DEPLOYMENT,
            Kind.PROJECT,
            spec.id,
            f"restore deployment {wanted.code} of project {spec.id}",
            before={
                "code": wanted.code,
                "name": before.name if before else wanted.name,
                "integrations": list(before.integrations) if before else None,
            },
        )
        current = deployments.find(wanted.code)
        # A deployment write moves the project's `state.updated`: read it again after the run.
        self.ctx.answers.pop(spec.id, None)
        if current is None:
            self._write(undo, lambda: deployments.create(wanted.code, wanted.name, wanted.integrations))
            return f"created with {', '.join(wanted.integrations)}"
        self._write(undo, lambda: deployments.update(wanted.code, wanted.integrations, wanted.name))
        return f"now selects {', '.join(wanted.integrations)}"

    def _journal_created_connections(self, connections: tuple[str, ...], owner: str) -> None:
        for conn in connections:
            if self.ctx.observed.connections.get(conn) is None:
                self.journal.intend(
                    Undo(
                        UndoAction.DELETE,
                        Kind.CONNECTION,
                        conn,
                        f"delete connection {conn} created by the import of {owner}",
                    )
                )

    def _archive(
        self,
        step: Step,
        spec: IntegrationSpec | PackageSpec,
        family: Integrations | Packages,
        suffix: str,
    ) -> str | None:
        """Import a new archive, or back up, deactivate what must be, and replace."""
        what = label(spec)
        if step.action == Action.CREATE:
            # Connections the import creates are journaled first, so a rollback deletes them last.
            self._journal_created_connections(spec.connections, what)
            undo = Undo(UndoAction.DELETE, spec.kind, spec.key, f"delete {what}")
            self._write(undo, lambda: family.import_archive(spec.archive.path, spec.key))
            return None
        backup = family.export(spec.key, self.ctx.backups.path(spec.kind, suffix))
        kept = self.ctx.backups.keep(backup.path)
        for ident in step.deactivate_first:
            self._deactivate_first(ident)
        undo = Undo(
            UndoAction.RESTORE_ARCHIVE,
            spec.kind,
            spec.key,
            f"restore {what} from its backup",
            kept,
        )
        self._write(undo, lambda: family.replace_archive(spec.archive.path, spec.key))
        return f"previous archive backed up to {kept}"

    def _lookup_undo(self, spec: LookupSpec) -> Undo:
        """How to bring a lookup back: delete it when the run creates it, else put its rows back."""
        what = label(spec)
        before = self.ctx.observed.lookups.get(ref(spec))
        if before is None:
            return Undo(UndoAction.DELETE, Kind.LOOKUP, spec.name, f"delete {what}", project=spec.project)
        return Undo(
            UndoAction.RESTORE_LOOKUP,
            Kind.LOOKUP,
            spec.name,
            f"restore {what} ({len(before.rows)} rows)",
            before={
                "columns": list(before.columns),
                "rows": [list(r) for r in before.rows],
                "description": before.description,
            },
            project=spec.project,
        )

    def _lookup(self, step: Step, spec: LookupSpec) -> str | None:
        lookups = self.client.in_project(spec.project).lookups
        write = lookups.create if step.action == Action.CREATE else lookups.update
        written = self._write(
            self._lookup_undo(spec), lambda: write(spec.name, spec.columns, spec.rows, spec.description)
        )
        self.ctx.answers[ref(spec)] = ("PRESENT", written.last_updated)
        return None

    def _retire(self, step: Step) -> str | None:
        """Deactivate what the release replaces (journaled to come back up with its flags)."""
        self._deactivate_first(step.target, step.project)
        return "deactivated"

    def _canary(self, step: Step, route: LookupSpec) -> str | None:
        """Give the canary its share of the traffic, watch it, and fail the step when it is unhealthy."""
        settings = self.ctx.settings
        self._write(
            self._lookup_undo(route),
            lambda: self.client.lookups.create_or_update(route.name, route.columns, route.rows),
        )
        watch = start_watch(
            self.client, step.target, step.weight, settings.canary_observe_seconds, settings.canary_health
        )
        if self.ctx.watch_elsewhere:
            raise Pause(watch)
        report = observe(self.client, watch, settings.activation_poll_interval)
        self.ctx.reports.append(report)
        problem = watch.health.problem(report)
        if problem is not None:
            raise IssueError("canary", f"{step.target} at {step.weight}% traffic: {problem} ({report})")
        return str(report)

    def _library(self, step: Step, spec: LibrarySpec) -> str | None:
        libraries = self.client.libraries
        if step.action == Action.CREATE:
            undo = Undo(UndoAction.DELETE, Kind.LIBRARY, spec.key, f"delete library {spec.key}")
            self._write(
                undo,
                lambda: libraries.register(
                    spec.archive.path, spec.code, spec.version, spec.name, spec.type, spec.description
                ),
            )
            return None
        backup = libraries.export(spec.key, self.ctx.backups.path(Kind.LIBRARY, ".lib"))
        kept = self.ctx.backups.keep(backup.path)
        observed = self.ctx.observed.libraries.get(spec.key)
        # The rollback uploads the backup under the name it had, so the file name comes back too.
        file_name = (observed.file_name if observed else "") or backup.file_name
        undo = Undo(
            UndoAction.RESTORE_ARCHIVE,
            Kind.LIBRARY,
            spec.key,
            f"restore library {spec.key} from its backup",
            kept,
            before={"file_name": file_name} if file_name else {},
        )
        self._write(undo, lambda: libraries.replace(spec.key, spec.archive.path))
        return f"previous file backed up to {kept}"

    def _certificate(self, step: Step, spec: CertificateSpec) -> str | None:
        certificates = self.client.certificates
        if step.action == Action.REPLACE:
            self.journal.cannot_restore(
                f"certificate {spec.name}: OIC cannot export the replaced certificate; "
                "upload the previous one again if needed"
            )
            self._write(None, lambda: certificates.delete(spec.name))
        secrets = _clear(spec.secrets)
        undo = Undo(UndoAction.DELETE, Kind.CERTIFICATE, spec.name, f"delete certificate {spec.name}")
        self._write(
            undo if step.action == Action.CREATE else None,
            lambda: certificates.upload(
                spec.archive.path,
                spec.name,
                spec.type,
                spec.category,
                secrets.get("keystorePassword"),
                secrets.get("keyPasswords"),
                secrets.get("passPhrase"),
            ),
        )
        return None

    def _connection(self, step: Step, spec: ConnectionSpec) -> str | None:
        connections = self.client.in_project(spec.project).connections
        what = label(spec)
        before = self.ctx.observed.connections.get(ref(spec))
        if before is None:
            # Created by this run's import: only now can OIC's catalogue of its adapter be read.
            problems = catalogue_issues(
                spec, connections.get(spec.key), self.ctx.settings.allow_literal_secrets
            )
            if problems:
                raise IssueError("record", "; ".join(f"{p.field}: {p.message}" for p in problems))
        if step.action == Action.UPDATE:
            undo = None
            if before is not None:
                undo = Undo(
                    UndoAction.RESTORE_CONNECTION,
                    Kind.CONNECTION,
                    spec.key,
                    f"restore the non-secret properties of {what}",
                    before=restorable_connection(before),
                    project=spec.project,
                )
                if spec.security_properties:
                    self.journal.cannot_restore(
                        f"{what}: its previous secret values cannot be read back "
                        "from OIC; re-enter them if the rollback matters"
                    )
            updated = self._write(
                undo,
                lambda: connections.update(
                    spec.key,
                    connection_properties=_clear(spec.connection_properties) or None,
                    security_properties=_clear(spec.security_properties) or None,
                    security_policy=spec.security_policy,
                    agent_group_id=spec.agent_group_id,
                ),
            )
            self.ctx.answers[ref(spec)] = (updated.status, updated.last_updated)
        for name in step.files:
            if before is not None:
                self.journal.cannot_restore(
                    f"{what}: OIC cannot give its previous {name} file back; upload it again if the "
                    "rollback matters"
                )
            uploaded = self._write(
                None,
                lambda name=name: connections.upload_attachment(spec.key, name, spec.attachments[name].path),
            )
            self.ctx.answers[ref(spec)] = (uploaded.status, uploaded.last_updated)
        if spec.test or step.action == Action.TEST:
            tested = connections.test(spec.key)
            self.ctx.answers[ref(spec)] = (tested.status, tested.last_updated)
            return f"test {tested.test_status}"
        return None

    def _activate(self, step: Step) -> Future[str | None]:
        """Send the activation; the returned future resolves once OIC reports it ACTIVATED."""
        spec = step.spec
        flags = _flags(spec) if isinstance(spec, IntegrationSpec | ProjectSpec) else {}
        target, project = step.target, step.project
        integrations = self.client.in_project(project).integrations
        where = f" in project {project}" if project else ""
        before = self.ctx.observed.integrations.get(step.ref)
        if before is not None and target in step.deactivate_first:
            self._deactivate_first(target, project)
        if step.replaces_active:
            replaced = step.replaces_active
            old = next(
                (
                    i
                    for i in self.ctx.observed.active_versions(IntegrationId.of(target).code, project)
                    if i.id == replaced
                ),
                None,
            )
            self.journal.intend(
                Undo(
                    UndoAction.ACTIVATE,
                    Kind.INTEGRATION,
                    replaced,
                    f"reactivate integration {replaced}{where}",
                    before=_flags(old) if old is not None else {},
                    project=project,
                )
            )
        undo = None
        if target not in step.deactivate_first and (
            before is None or before.status != IntegrationStatus.ACTIVATED
        ):
            undo = Undo(
                UndoAction.DEACTIVATE,
                Kind.INTEGRATION,
                target,
                f"deactivate integration {target}{where}",
                project=project,
            )
        entry, _ = self._send(undo, lambda: integrations.activate(target, **flags))
        detail = f"replaced {step.replaces_active} (same major version)" if step.replaces_active else None
        if self.ctx.activations_elsewhere:
            # Its outcome stays unknown in the journal until the run goes on with the wait's verdict.
            self.awaiting.append(target)
            sent: Future[str | None] = Future()
            sent.set_result("; ".join(d for d in (detail, "sent; its wait is left to the triggerer") if d))
            return sent

        def settle(waited: Future[str]) -> str | None:
            exc = waited.exception()
            if entry is not None:
                self.journal.settle(entry, Outcome.DONE if exc is None else outcome_of(exc))
            if exc is not None:
                raise exc
            scheduled = self.ctx.settings.activation_policy == "scheduled"
            started = self._start_schedule(integrations, target) if scheduled else None
            return "; ".join(d for d in (detail, started) if d) or None

        return then(self.waiter.wait(target, IntegrationStatus.ACTIVATED, integrations), settle)

    def _start_schedule(self, integrations: Integrations, ident: str) -> str | None:
        """Start the schedule of a scheduled integration that has just been activated.

        Not journaled: rolling back its activation (a deactivation) stops the schedule with it.
        """
        if not integrations.get(ident).schedule_applicable:
            return None
        integrations.schedule(ident, "start")
        return "schedule started"
