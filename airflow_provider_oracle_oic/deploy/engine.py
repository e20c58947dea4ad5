"""One deployment run: records in, validated, planned, applied (or only planned), reported."""

from __future__ import annotations

import contextlib
import logging
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from ..oic import OICClient, OICConfig, OICError
from ..oic.reading import read_many
from .execute import hooks as deploy_hooks
from .execute.applier import Applier, Context
from .execute.audit import AuditTrail
from .execute.hooks import DeployHook
from .input.placeholders import Placeholders
from .input.records import Inventory, RecordParser
from .input.sources import ArchiveSources
from .model.issues import Issue, Where
from .model.result import ArtifactResult, DeploymentResult, Outcome, UndoRecord
from .model.run_ids import new_run_id
from .model.settings import DeploySettings, deploy_settings, oic_config
from .model.specs import ConnectionSpec, Kind, label, project_of, ref, scoped
from .plan import saved_plan
from .plan.families import family
from .plan.fingerprints import attachment_digests
from .plan.observe import Observed, observe, state_of
from .plan.planner import WRITES, Action, Plan, Planner, Step
from .plan.validation import offline_issues, online_issues, project_issues, settings_issues
from .recovery.drift import find_drift
from .recovery.restore import RestoreError, plan_restore
from .recovery.rollback import Restorer
from .state.backups import Backups
from .state.journal import (
    FileJournalStore,
    Journal,
    JournalStore,
    PastRun,
    active_before,
    past_run,
    past_runs,
    prune,
    take_over,
)
from .state.journal import Outcome as JournalOutcome
from .state.ledger import (
    AppendingStore,
    JsonFileStore,
    Ledger,
    LedgerEntry,
    LedgerError,
    LedgerStore,
    MemoryStore,
)
from .state.locations import Location, is_remote
from .state.object_journal import ObjectJournalStore
from .state.object_ledger import ObjectLedgerStore
from .state.run_lock import Busy, RunLock, exclusive
from .strategies.deployment import (
    DeploymentActivation,
    deployment_issues,
    deployment_plan,
    in_motion,
    observe_deployment,
)
from .strategies.promotion import (
    CanaryPromotion,
    Resumption,
    observe_promotion,
    promotion_plan,
    weights_after,
)
from .strategies.routing import strategy_steps

log = logging.getLogger(__name__)
SecretMasker = Callable[[str], None]


class Deployment:
    """Feed it records with `add`, then `run()`; it never raises for bad input, it reports it.

    `oic` is a client to use (the caller keeps it open), or the settings to build one for the run.
    """

    def __init__(
        self,
        settings: DeploySettings,
        oic: OICClient | OICConfig,
        *,
        secrets: Mapping[str, str] | None = None,
        secret_masker: SecretMasker | None = None,
        ledger_store: LedgerStore | None = None,
        journal_store: JournalStore | None = None,
        environ: Mapping[str, str] | None = None,
        hooks: Sequence[DeployHook] = (),
        origin: Mapping[str, str] | None = None,
        run_lock: RunLock | None = None,
    ) -> None:
        self.settings = settings
        # One run at a time per ledger: beside a state_path, else where the caller keeps one.
        self._run_lock = RunLock.beside(settings.state_path) if settings.state_path else run_lock
        # Who started the run (in Airflow: dag_id, dag_run_id, task_id, map_index), kept in the ledger.
        self.origin = dict(origin or {})
        self.hooks = [*deploy_hooks.resolve(settings.deploy_hooks), *hooks]
        self._client = oic if isinstance(oic, OICClient) else None
        self.oic_config = oic.config if isinstance(oic, OICClient) else oic
        self.run_id = new_run_id()
        self.masker = secret_masker
        # True in Airflow with a deferrable canary: each traffic step is watched in the triggerer.
        self.watch_elsewhere = False
        # True in Airflow with a deferrable deployment activation: the triggerer waits for OIC.
        self.activations_elsewhere = False
        if secret_masker is not None:
            for value in (secrets or {}).values():
                secret_masker(value)
        self._workdir = tempfile.TemporaryDirectory(prefix="oic-deploy-")
        sources = ArchiveSources(self.settings.archive_directory, Path(self._workdir.name))
        self.parser = RecordParser(self.settings, Placeholders(secrets, environ), sources)
        self._ledger_store = ledger_store or self._own_ledger_store()
        self._journal_store = journal_store or self._own_journal_store()

    @classmethod
    def from_target_config(cls, config: Mapping[str, Any], **options: Any) -> Deployment:
        """A deployment configured by target-oracle-oic settings (a bad one raises `SettingsError`)."""
        return cls(deploy_settings(config), oic_config(config), **options)

    def _ledger(self) -> Ledger:
        """The ledger of this OIC, stamping what this run changes with the run and its origin."""
        return Ledger(self._ledger_store, self._instance, {"run_id": self.run_id, **self.origin})

    @property
    def _instance(self) -> str:
        return self.oic_config.integration_instance or self.oic_config.base_url

    @property
    def _target(self) -> saved_plan.Target:
        return saved_plan.Target(self.oic_config.base_url.rstrip("/"), self.oic_config.integration_instance)

    @property
    def mode(self) -> str:
        if self.settings.check_drift:
            return "drift-check"
        if self.settings.validate_only:
            return "validate-only"
        if self.settings.restore_run:
            return "restore-plan" if self.settings.dry_run else "restore"
        return "dry-run" if self.settings.dry_run else "deploy"

    def add(self, stream: str, record: Mapping[str, Any]) -> None:
        """Take one record of `stream`; streams outside the `streams` setting are counted and skipped."""
        if stream not in self.settings.streams:
            self.parser.skip(stream)
            return
        self.parser.add(Kind(stream), record)

    def _mask_inventory(self) -> None:
        if self.masker is None:
            return
        for spec in self.parser.inventory.specs.values():
            for attachment in getattr(spec, "attachments", {}).values():
                if attachment.source == "secret":
                    self.masker(attachment.path.read_bytes().decode("utf-8", "replace"))
            for values in (
                getattr(spec, "connection_properties", {}),
                getattr(spec, "security_properties", {}),
                getattr(spec, "secrets", {}),
            ):
                for value in values.values():
                    if value.secret:
                        self.masker(value.text)

    def run(self) -> DeploymentResult:
        """Validate, plan and apply; returns the result (`ok` False on any problem)."""
        inventory = self.parser.inventory
        self._mask_inventory()
        result = DeploymentResult(self.run_id, self.mode, skipped_streams=dict(inventory.skipped))
        issues = [
            *settings_issues(self.settings),
            *inventory.issues,
            *offline_issues(inventory),
            *project_issues(inventory, self.oic_config.integration_instance),
        ]
        if issues:
            result.issues = issues
            return result

        def use(client: OICClient) -> DeploymentResult:
            if self.settings.check_drift:
                return self._check_drift(client, result)
            if self.settings.restore_run:
                return self._restore(client, result, self.settings.restore_run)
            return self._run(client, result)

        return self._session(result, use, locked=self.mode in ("deploy", "restore"))

    def _session(
        self,
        result: DeploymentResult,
        use: Callable[[OICClient], DeploymentResult],
        locked: bool = True,
        written_before: bool = False,
    ) -> DeploymentResult:
        """`use` the client under the run lock; a lock, ledger or OIC failure becomes the result's issue
        (or its error, once this run, or the paused run it goes on with, has written)."""
        own_client = self._client is None
        client = self._client or OICClient(self.oic_config, secret_masker=self.masker)
        try:
            run_lock = self._run_lock if locked else None
            with exclusive(run_lock, _task(self.origin)), client.in_flight(self.settings.max_concurrency):
                try:
                    return use(client)
                finally:
                    self._fold_ledger()
        except Busy as exc:
            result.issues.append(Issue("run", exc.setting, str(exc), Where.SETTINGS))
            return result
        except (LedgerError, OICError) as exc:
            if result.wrote or written_before:
                result.error = str(exc)
            elif isinstance(exc, LedgerError):
                result.issues.append(Issue("run", "state_path", str(exc), Where.SETTINGS))
            else:
                result.issues.append(Issue("run", "OIC", str(exc), Where.OIC))
            return result
        finally:
            if own_client:
                client.close()
            self._workdir.cleanup()

    def _fold_ledger(self) -> None:
        """Leave the ledger file whole at the end of a run; its log keeps every change if this fails."""
        if isinstance(self._ledger_store, AppendingStore):
            with contextlib.suppress(OSError, LedgerError):
                self._ledger_store.fold()

    def promote(self, promotion: CanaryPromotion, resume: Resumption | None = None) -> DeploymentResult:
        """Run a canary promotion of versions already in OIC, or go on with a paused one after the step
        it was watched for; never raises for a bad request, it reports it."""
        if resume is not None:
            self.run_id = resume.run_id
        result = DeploymentResult(self.run_id, "promote")
        settings = self.settings
        issues = settings_issues(settings)
        if not settings.routing_lookup:
            issues.append(
                Issue("run", "routing_lookup", "a canary promotion routes by it; set it", Where.SETTINGS)
            )
        if issues:
            result.issues = issues
            return result

        def use(client: OICClient) -> DeploymentResult:
            observed = observe_promotion(client, promotion, str(settings.routing_lookup))
            result.issues = promotion.issues(observed)
            if result.issues:
                return result
            journal, watched = None, None
            if resume is not None:
                journal, watched = self._resume(resume, promotion, result)
                if journal is None:
                    return result
            # An unhealthy canary writes nothing more: its run rolls back.
            plan = (
                Plan()
                if result.error
                else promotion_plan(promotion, observed, settings, weights_after(settings, watched))
            )
            ledger = self._ledger()
            return self._apply(client, plan, observed, ledger, result, [], journal)

        return self._session(result, use, written_before=resume is not None)

    def activate_deployment(self, activation: DeploymentActivation) -> DeploymentResult:
        """Bring an OIC 3 project deployment live (or down) as one journaled run; with
        `activations_elsewhere` the run pauses once the activations are sent (`finish_activation`
        goes on with the wait's verdict)."""
        result = DeploymentResult(self.run_id, "activate" if activation.activate else "deactivate")
        settings = self.settings

        def use(client: OICClient) -> DeploymentResult:
            state = observe_deployment(
                client, activation, settings.activation_timeout, settings.activation_poll_interval
            )
            result.issues = deployment_issues(activation, state)
            if result.issues:
                return result
            plan = deployment_plan(activation, state)
            moving = in_motion(activation, state)
            if moving and not self.activations_elsewhere:
                for ident in moving:
                    client.project(activation.project).integrations.wait_for_status(
                        ident,
                        activation.wanted,
                        settings.activation_timeout,
                        settings.activation_poll_interval,
                    )
            elif moving:
                result.awaiting.extend(moving)
            ledger = self._ledger()
            return self._apply(client, plan, state.observed, ledger, result, [])

        return self._session(result, use)

    def finish_activation(self, run_id: str, failure: str | None) -> DeploymentResult:
        """Go on with a run paused for its activations: close it when they all got there, else (with
        `failure` saying why) roll the whole run back."""
        self.run_id = run_id
        result = DeploymentResult(run_id, "activate")
        run = self._paused_run(run_id, "run", result)
        if run is None:
            return result

        def use(client: OICClient) -> DeploymentResult:
            journal = Journal.reopen(self._journal_store, run)
            if failure is not None:
                result.error = failure
            else:
                for entry in journal.entries:
                    if entry.outcome == JournalOutcome.UNKNOWN:
                        journal.settle(entry, JournalOutcome.DONE)
            ledger = self._ledger()
            done = self._apply(client, Plan(), Observed(), ledger, result, [], journal)
            if done.ok:
                _record_journaled(ledger, client, run, self.settings.max_concurrency)
                ledger.save()
            return done

        return self._session(result, use, written_before=True)

    def _paused_run(self, run_id: str, what: str, result: DeploymentResult) -> PastRun | None:
        """The paused run `run_id` against this OIC, or None with an issue saying it is not one."""
        run = past_run(run_id, self._journal_store.events().get(run_id, []))
        if run is None or not run.paused or run.instance != self._instance:
            result.issues.append(
                Issue(f"run {run_id}", "run_id", f"is not a paused {what} of this OIC", Where.RESTORE)
            )
            return None
        return run

    def _resume(
        self, resume: Resumption, promotion: CanaryPromotion, result: DeploymentResult
    ) -> tuple[Journal | None, int | None]:
        """The paused run's journal reopened, and the weight its watched step carried; the step's
        verdict goes into `result` (an unhealthy canary sets `error`, so the run rolls back)."""
        run = self._paused_run(resume.run_id, "promotion", result)
        if run is None:
            return None, None
        report = resume.report
        canary = str(promotion.canary)
        problem = resume.error or self.settings.canary_health.problem(report)
        outcome = Outcome.APPLIED if problem is None else Outcome.FAILED
        detail = str(report) if problem is None else resume.error or f"{problem} ({report})"
        result.results.append(
            ArtifactResult(
                f"canary {canary} at {report.weight}%",
                "integration",
                canary,
                "watch",
                outcome,
                "watched",
                0.0,
                detail,
            )
        )
        result.watched.append(report)
        if problem is not None:
            result.error = f"canary {canary} at {report.weight}% traffic: {problem}"
        return Journal.reopen(self._journal_store, run), report.weight

    def _run(self, client: OICClient, result: DeploymentResult) -> DeploymentResult:
        inventory = self.parser.inventory
        settings = self.settings
        if settings.validate_only:
            client.authenticate()
            result.warnings.extend(
                f"connection {s.key}: not checked against OIC's catalogue of its adapter (policies, "
                "property names, required and PASSWORD properties); validate-only reads nothing from OIC"
                for s in inventory.of(Kind.CONNECTION)
            )
            result.results = [
                ArtifactResult(label(s), s.kind.singular, ref(s), "validate", Outcome.SKIPPED, "valid")
                for s in inventory.specs.values()
            ]
            return result
        ledger = self._ledger()
        if (settings.plan_out or settings.plan) and not ledger.persistent:
            result.issues.append(
                Issue(
                    "run",
                    "state_path",
                    "a saved plan needs state_path: the key its fingerprints of secrets rest on lives in the "
                    "ledger; set it",
                    Where.SETTINGS,
                )
            )
            return result
        if not ledger.persistent and any(
            s.kind in (Kind.INTEGRATION, Kind.PACKAGE) for s in inventory.specs.values()
        ):
            result.warnings.append(
                "state_path is not set: existing archives cannot be recognised as unchanged and "
                "are treated by conflict_resolution on every run"
            )
        routing = (
            [settings.routing_lookup]
            if settings.routing_lookup and settings.deployment_strategy.routes
            else []
        )
        observed = observe(client, inventory, settings.max_concurrency, routing)
        result.issues = online_issues(inventory, observed, settings.allow_literal_secrets)
        if result.issues:
            return result
        interrupted = [r for r in past_runs(self._journal_store, self._instance) if r.interrupted]
        deployed_here = _integrations_of(inventory)
        for run in interrupted:
            result.warnings.append(
                f"run {run.run_id} against this OIC was interrupted or did not restore everything; "
                "this run brings back to ACTIVATED what that run found ACTIVATED"
            )
            left = [i for i in run.active_before if i not in deployed_here]
            if left:
                result.warnings.append(
                    f"integration(s) {', '.join(left)} were ACTIVATED before run {run.run_id} and are not in "
                    "this run's input; deploy them (or activate them) to bring them back"
                )
        plan = Planner(settings, observed, ledger, set(active_before(interrupted))).plan(inventory)
        plan.steps.extend(strategy_steps(settings, observed, plan))
        if settings.plan is not None:
            result.issues = self._plan_changes(settings.plan, saved_plan.planned_steps(plan, observed))
            if result.issues:
                return result
        if not settings.dry_run:
            result.issues = deploy_hooks.before(self.hooks, plan, settings.deploy_hook_timeout)
            if result.issues:
                return result
        if settings.dry_run or plan.refused:
            outcome = Outcome.PLANNED if settings.dry_run else Outcome.NOT_RUN
            result.results = [
                step.result(Outcome.FAILED if step.action == Action.REFUSE else outcome)
                for step in plan.steps
            ]
            if settings.plan_out is not None and not plan.refused:
                # The plan's fingerprints of secrets are keyed by the ledger's key: it must outlive this run.
                ledger.save()
                saved_plan.write(
                    settings.plan_out, self.run_id, self._target, saved_plan.planned_steps(plan, observed)
                )
                result.notes.append(f"plan saved to {settings.plan_out}; apply it with --plan")
            return result
        return self._apply(client, plan, observed, ledger, result, interrupted)

    def _check_drift(self, client: OICClient, result: DeploymentResult) -> DeploymentResult:
        """Compare the ledger with OIC; one result per drifted artifact (outcome `drifted`)."""
        ledger = self._ledger()
        if not ledger.persistent:
            result.issues.append(
                Issue(
                    "run",
                    "state_path",
                    "the drift check reads the ledger; set state_path (or run it in Airflow)",
                    Where.SETTINGS,
                )
            )
            return result
        if not ledger.entries():
            # Comparing nothing is no answer: a wrong path or connection must not read as "no drift".
            store = self._ledger_store
            missing = isinstance(store, AppendingStore) and not store.exists()
            held = "does not exist" if missing else f"holds nothing deployed to {self._instance}"
            result.issues.append(
                Issue(
                    "run",
                    "state_path",
                    f"{store.where} {held}; point it at the ledger the deployments wrote",
                    Where.SETTINGS,
                )
            )
            return result
        for drift in find_drift(client, ledger, self.settings.max_concurrency):
            result.results.append(
                ArtifactResult(
                    f"{drift.kind.singular} {drift.ident}",
                    drift.kind.singular,
                    drift.ident,
                    "check",
                    Outcome.DRIFTED,
                    drift.reason,
                )
            )
        return result

    def _restore(self, client: OICClient, result: DeploymentResult, run_id: str) -> DeploymentResult:
        """Put back what run `run_id` changed (or, in a dry run, say what would be put back)."""
        settings = self.settings
        ledger = self._ledger()
        try:
            restore = plan_restore(self._journal_store, self._instance, run_id)
        except RestoreError as exc:
            result.issues.append(Issue("run", "restore_run", str(exc), Where.RESTORE))
            return result
        if restore.refused and not settings.restore_partial:
            result.issues = [
                Issue(f"run {run_id}", "restore_run", text, Where.RESTORE) for text in restore.refused
            ]
            result.warnings.append("set restore_partial (--restore-partial) to restore the rest")
            return result
        steps = [
            saved_plan.PlannedStep(
                e.undo.description,
                "restore",
                e.undo.kind.singular,
                scoped(e.undo.project, e.undo.ident),
                "restore",
                f"undo of run {run_id}",
                "",
                None,
                "",
            )
            for e in restore.entries
        ]
        if settings.plan is not None:
            result.issues = self._plan_changes(settings.plan, steps)
            if result.issues:
                return result
        result.not_restorable = list(restore.refused)
        if settings.dry_run:
            result.results = [
                ArtifactResult(s.artifact, s.kind, s.id, "restore", Outcome.PLANNED, s.reason) for s in steps
            ]
            if settings.plan_out is not None:
                saved_plan.write(settings.plan_out, self.run_id, self._target, steps)
                result.notes.append(f"restore plan saved to {settings.plan_out}; apply it with --plan")
            return result
        restorer = Restorer(client, settings.activation_timeout, settings.activation_poll_interval)
        records = restorer.undo(restore.entries)
        result.wrote = any(r.changed for r in records)
        result.undo = records
        result.results = [
            ArtifactResult(
                s.artifact,
                s.kind,
                s.id,
                "restore",
                _restore_outcome(r),
                s.reason,
                0.0,
                r.detail if r.changed else "already as before that run; nothing written",
            )
            for s, r in zip(steps, records, strict=True)
        ]
        result.not_restorable.extend(restorer.verify(restore.entries))
        for entry in restore.entries:
            # The ledger no longer says what OIC holds: the next run decides from OIC afresh.
            ledger.restore(f"{entry.undo.kind.value}:{scoped(entry.undo.project, entry.undo.ident)}", None)
        ledger.save()
        if result.not_restorable:
            result.error = f"{len(result.not_restorable)} artifact(s) of run {run_id} could not be restored"
        return result

    def _plan_changes(self, path: Path, steps: list[saved_plan.PlannedStep]) -> list[Issue]:
        """Why the saved plan at `path` cannot be applied as reviewed, given the `steps` of today's
        plan (empty: it can, exactly)."""
        try:
            saved = saved_plan.read(path, self._target)
        except saved_plan.PlanFileError as exc:
            return [Issue("run", "plan", str(exc), Where.PLAN)]
        return saved_plan.differences(saved, steps)

    def _own_ledger_store(self) -> LedgerStore:
        """The ledger at `state_path` (a file, or an object in storage); in memory without one."""
        state_path = self.settings.state_path
        if state_path is None:
            return MemoryStore()
        return ObjectLedgerStore(state_path) if is_remote(state_path) else JsonFileStore(Path(state_path))

    def _own_journal_store(self) -> JournalStore:
        """Journals live beside the ledger (a folder, or objects under `<state_path>.journals`), else in a
        local backup directory (else a temp folder: object storage keeps backups only; the journals of
        a run that keeps its backups there belong beside a state_path, or in Airflow's Variables)."""
        state_path = self.settings.state_path
        if state_path is not None:
            if is_remote(state_path):
                return ObjectJournalStore(f"{state_path}.journals")
            return FileJournalStore(Path(state_path).with_name(Path(state_path).name + ".journals"))
        root = self._backup_root()
        folder = Path(tempfile.gettempdir()) / "oic-deploy-backups" if is_remote(root) else Path(root)
        return FileJournalStore(folder / "journals")

    def _backup_root(self) -> Location:
        return self.settings.backup_directory or Path(tempfile.gettempdir()) / "oic-deploy-backups"

    def _apply(
        self,
        client: OICClient,
        plan: Plan,
        observed: Observed,
        ledger: Ledger,
        result: DeploymentResult,
        interrupted: list[PastRun],
        journal: Journal | None = None,
    ) -> DeploymentResult:
        settings = self.settings
        instance = self._instance
        store = self._journal_store
        journal = journal or Journal(store, self.run_id, instance, active_before(interrupted))
        backups = Backups(self._backup_root(), self.run_id, settings.backup_retention)
        audit = AuditTrail(settings.audit_log, self.run_id, self.oic_config.client_id, instance)
        recorded: list[tuple[Step, ArtifactResult]] = []
        ledger_before = {key: ledger.get(key) for key in (_ledger_key(s) for s in plan.steps)}

        def applied(step: Step) -> None:
            if step.is_artifact_write:
                ledger.record(_ledger_key(step), _deployed(step, ledger))
                ledger.save()

        context = Context(
            client,
            settings,
            observed,
            journal,
            backups,
            watch_elsewhere=self.watch_elsewhere,
            activations_elsewhere=self.activations_elsewhere,
        )

        def finished(step: Step, res: ArtifactResult) -> None:
            recorded.append((step, res))
            problem = deploy_hooks.after(self.hooks, step, res, settings.deploy_hook_timeout)
            if problem is not None:
                result.warnings.append(problem)

        applier = Applier(context, finished, applied)
        result.results.extend(applier.run(plan))
        result.watched.extend(context.reports)
        result.wrote = len(journal) > 0 or any(r.outcome == Outcome.APPLIED for r in result.results)
        status = "deployed"
        result.watch = applier.paused
        result.awaiting.extend(applier.awaiting)
        if result.ok and (result.watch is not None or result.awaiting):
            status = "paused"
        elif not result.ok and settings.rollback_on_failure and len(journal):
            log.warning("Deployment failed; rolling back %d change(s)", len(journal))
            result.undo, problems = applier.restorer.roll_back(journal)
            for res in result.results:
                if res.outcome == Outcome.APPLIED:
                    res.outcome = Outcome.ROLLED_BACK
            result.not_restorable = [*journal.not_restorable, *problems]
            for key, entry in ledger_before.items():
                ledger.restore(key, entry)
            ledger.save()
            status = "incomplete" if problems or not all(u.ok for u in result.undo) else "rolled_back"
        elif not result.ok:
            status = "incomplete"
        touched = {
            ref(s.spec) for s, res in recorded if res.outcome not in (Outcome.SKIPPED, Outcome.NOT_RUN)
        }
        if result.undo:
            context.answers.clear()
        after = _settle(client, plan, observed, touched, context.answers, settings.max_concurrency)
        for step, res in recorded:
            audit.action(step, res, _status(observed, step), after.get(step.ref, (None, ""))[0])
        if result.ok:
            _record_ledger(ledger, plan, after)
            _record_members(ledger, client, plan, settings.max_concurrency)
            ledger.save()
        journal.finish(status)
        # Only now, and only for runs whose ACTIVATED integrations this run covered, when it converged or
        # carries their facts in its own journal: the others keep saying what they knew.
        if status != "paused" and (status != "incomplete" or journal.kept):
            deployed_here = _integrations_of(self.parser.inventory)
            covered = [r for r in interrupted if set(r.active_before) <= deployed_here]
            take_over(store, covered, self.run_id)
        audit.finish(result)
        backups.prune()
        prune(store, settings.backup_retention)
        backups.close()
        return result


def _restore_outcome(record: UndoRecord) -> Outcome:
    if not record.ok:
        return Outcome.FAILED
    return Outcome.APPLIED if record.changed else Outcome.SKIPPED


def _integrations_of(inventory: Inventory) -> set[str]:
    """Every integration id the input deploys, package members and (as `PROJECT/ID`) the integrations of
    each project's `.car` included."""
    return (
        {s.key for s in inventory.integrations}
        | {m for p in inventory.packages for m in p.integrations}
        | {scoped(p.id, i) for p in inventory.projects for i in p.integrations}
    )


def _ledger_key(step: Step) -> str:
    return f"{step.spec.kind.value}:{ref(step.spec)}"


def _status(observed: Observed, step: Step) -> str | None:
    """The status an audit event shows for before the run."""
    return state_of(observed.find(step.target_kind, step.ref))[0]


def _settle(
    client: OICClient,
    plan: Plan,
    observed: Observed,
    touched: set[str],
    answers: dict[str, tuple[str | None, str]],
    concurrency: int,
) -> dict[str, tuple[str | None, str]]:
    """What OIC holds after the run for every artifact of the plan: what the last write answer said,
    else a new read where a step of this run wrote; an artifact nothing wrote is as it was observed."""
    specs = {ref(s.spec): s.spec for s in plan.steps if s.is_artifact_write and s.action != Action.REFUSE}
    states = {
        key: state_of(observed.find(spec.kind, key)) for key, spec in specs.items() if key not in touched
    }
    states.update({key: answer for key, answer in answers.items() if key in touched})
    unread = [spec for key, spec in specs.items() if key in touched and key not in answers]
    for kind, project in {(spec.kind, project_of(spec)) for spec in unread}:
        keys = [spec.key for spec in unread if spec.kind == kind and project_of(spec) == project]
        states.update(_read_after(client, kind, project, keys, concurrency))
    return states


def _read_after(
    client: OICClient, kind: Kind, project: str | None, keys: list[str], concurrency: int
) -> dict[str, tuple[str | None, str]]:
    """(status, lastUpdated) after the run of `keys` of `kind` in `project`, by their scoped key; an
    OIC that cannot be read then leaves them unknown (absent), with a warning."""
    try:
        found = read_many(family(client.in_project(project), kind), keys, concurrency)
    except OICError as exc:
        log.warning("Could not read %s after the run: %s", ", ".join(keys), exc)
        found = {}
    return {scoped(project, key): state_of(found.get(key)) for key in keys}


def _record_members(ledger: Ledger, client: OICClient, plan: Plan, concurrency: int) -> None:
    """The status after the run of each package or project member the plan activates, so the drift
    watch notices one taken down behind the tool's back (the ledger's entry of the package or project
    itself does not move when that happens); and of each integration the ledger knows whose status the
    run changed (retired, or replaced by a version of the same major), so the drift watch does not take
    this run's own change for one made behind its back."""
    members: dict[str | None, list[str]] = {}
    moved: dict[str | None, list[str]] = {}
    for step in plan.steps:
        if step.action == Action.REFUSE:
            continue
        if step.is_activation and step.member_of is not None:
            members.setdefault(step.project, []).append(step.target)
        if step.action in (Action.ACTIVATE, Action.DEACTIVATE) and step.target_kind == Kind.INTEGRATION:
            moved.setdefault(step.project, []).append(step.target)
        if step.replaces_active:
            moved.setdefault(step.project, []).append(step.replaces_active)
    _record_statuses(ledger, client, members, concurrency, only_known=False)
    # Members were just read and recorded; the rest of what moved is read once more, not them again.
    others = {p: [i for i in ids if i not in members.get(p, ())] for p, ids in moved.items()}
    _record_statuses(
        ledger, client, {p: ids for p, ids in others.items() if ids}, concurrency, only_known=True
    )


def _record_statuses(
    ledger: Ledger, client: OICClient, ids: dict[str | None, list[str]], concurrency: int, only_known: bool
) -> None:
    """Each integration's status and lastUpdated as OIC has them now (`only_known`: only those the
    ledger already holds, keeping their fingerprints)."""
    for project, idents in ids.items():
        for ident, (status, last_updated) in _read_after(
            client, Kind.INTEGRATION, project, list(dict.fromkeys(idents)), concurrency
        ).items():
            key = f"{Kind.INTEGRATION.value}:{ident}"
            known = ledger.get(key)
            if status is None or (only_known and known is None):
                continue
            fingerprint = known.fingerprint if only_known and known is not None else ""
            ledger.record(key, LedgerEntry(fingerprint, last_updated, status))


def _record_journaled(ledger: Ledger, client: OICClient, run: PastRun, concurrency: int) -> None:
    """After a paused run goes on: the status of every integration its journal changed, as
    `_record_members` would have recorded it had the run not paused."""
    moved: dict[str | None, list[str]] = {}
    for entry in run.entries:
        if entry.undo.kind == Kind.INTEGRATION:
            moved.setdefault(entry.undo.project, []).append(entry.undo.ident)
    _record_statuses(ledger, client, moved, concurrency, only_known=True)


def _deployed(step: Step, ledger: Ledger, last_updated: str = "", status: str = "") -> LedgerEntry:
    """What the ledger keeps of a step's artifact once written (a connection's files as keyed HMACs)."""
    spec = step.spec
    files = attachment_digests(spec, ledger.hmac_key) if isinstance(spec, ConnectionSpec) else {}
    return LedgerEntry(step.fingerprint, last_updated, status, files)


def _record_ledger(ledger: Ledger, plan: Plan, after: dict[str, tuple[str | None, str]]) -> None:
    for step in plan.steps:
        if not step.is_artifact_write:
            continue
        if step.action in WRITES or step.unchanged:
            status, last_updated = after.get(ref(step.spec), (None, ""))
            ledger.record(_ledger_key(step), _deployed(step, ledger, last_updated, status or ""))


def _task(origin: Mapping[str, str]) -> str:
    """The Airflow task a run belongs to, for a lock's holder ("" outside Airflow)."""
    if "task_id" not in origin:
        return ""
    mapped = f"[{origin['map_index']}]" if origin.get("map_index") not in (None, "", "-1") else ""
    return f"task {origin['task_id']}{mapped} of DAG {origin.get('dag_id', '?')} run {origin.get('dag_run_id', '?')}"
