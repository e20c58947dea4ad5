"""The plan: per artifact, what to do (create / replace / update / test / activate / skip / refuse) and why."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from ...oic.identifiers import IntegrationId
from ...oic.models import Connection, Integration
from ...oic.status import LOCKED_FOR_REPLACE, IntegrationStatus
from ..input.records import Inventory
from ..model.result import ArtifactResult, Outcome
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
    Spec,
    label,
    project_of,
    ref,
    scoped,
)
from ..state.ledger import Ledger, LedgerEntry
from .changes import connection_changes, lookup_changes
from .fingerprints import attachment_digests, fingerprint
from .observe import Observed

LEVELS = {
    Kind.CERTIFICATE: 1,
    Kind.LIBRARY: 1,
    Kind.LOOKUP: 1,
    Kind.PACKAGE: 2,
    Kind.INTEGRATION: 2,
    Kind.PROJECT: 2,
    Kind.CONNECTION: 3,
}
ACTIVATION_LEVEL = 4
LEVEL_NAMES = {
    1: "certificates, libraries, lookups",
    2: "packages, integrations and projects",
    3: "connections",
    4: "activations",
}


class Action(str, Enum):
    """What a step does."""

    CREATE = "create"
    REPLACE = "replace"
    UPDATE = "update"
    # A connection whose properties are as asked but whose attachment files are not: upload, then test.
    UPLOAD = "upload"
    TEST = "test"
    ACTIVATE = "activate"
    DEACTIVATE = "deactivate"
    SKIP = "skip"
    REFUSE = "refuse"


WRITES = (
    Action.CREATE,
    Action.REPLACE,
    Action.UPDATE,
    Action.UPLOAD,
    Action.TEST,
    Action.ACTIVATE,
    Action.DEACTIVATE,
)


class Part(str, Enum):
    """What a step does besides writing its own record's artifact."""

    DEPLOYMENT = "deployment"  # creates or updates a project's deployment (`target` is its code)
    ROUTE = "route"  # a strategy's routing lookup
    CANARY = "canary"  # a canary's share of the traffic, then its watch
    RETIRE = "retire"  # deactivates what the release replaces

    @property
    def of_strategy(self) -> bool:
        """A strategy's own step: it runs after the whole release, one after the other."""
        return self is not Part.DEPLOYMENT


@dataclass
class Step:
    """One planned step; `target` is the OIC id it acts on (a package member for package activations)."""

    spec: Spec
    action: Action
    reason: str
    level: int
    target: str = ""
    deactivate_first: tuple[str, ...] = ()
    fingerprint: str = ""
    drift: bool = False
    replaces_active: str | None = None
    was_active: bool = False
    unchanged: bool = False
    part: Part | None = None
    # How results name the step when its spec's own label would not say what it does.
    title: str = ""
    # The connection attachments (file-valued properties) the step uploads.
    files: tuple[str, ...] = ()
    # A canary step's share of the traffic, in percent.
    weight: int = 0
    # What it changes, as lines to review (plan/changes.py); never a secret value.
    changes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        self.target = self.target or self.spec.key

    @property
    def is_activation(self) -> bool:
        return self.level == ACTIVATION_LEVEL

    @property
    def member_of(self) -> str | None:
        """The package or project whose integration this step acts on, when it acts on one."""
        return self.spec.key if self.target != self.spec.key and not self.part else None

    @property
    def is_artifact_write(self) -> bool:
        """A step that writes the artifact its record describes (not an activation, not a member)."""
        return not self.is_activation and self.member_of is None and not self.part

    @property
    def project(self) -> str | None:
        """The OIC 3 project whose resources the step acts on (None: the instance's global ones)."""
        if isinstance(self.spec, ProjectSpec):
            return self.spec.id if (self.part or self.member_of is not None) else None
        return project_of(self.spec)

    @property
    def target_kind(self) -> Kind:
        """The family of what the step acts on (an integration for a package's or project's member)."""
        return Kind.INTEGRATION if self.member_of is not None else self.spec.kind

    @property
    def ref(self) -> str:
        """What OIC's state of the step's target is known by (see `observe`)."""
        if self.part == Part.DEPLOYMENT:
            return scoped(self.project, f"{self.part.value} {self.target}")
        return scoped(self.project, self.target)

    @property
    def artifact(self) -> str:
        if self.title:
            return self.title
        if self.part:
            return f"{self.part.value} {self.target} of project {self.spec.key}"
        if self.member_of is not None:
            return f"integration {self.target} ({self.spec.kind.singular} {self.member_of})"
        return label(self.spec)

    def result(self, outcome: Outcome, duration: float = 0.0, detail: str | None = None) -> ArtifactResult:
        """This step's entry in the run's result."""
        return ArtifactResult(
            self.artifact,
            self.spec.kind.singular,
            self.target,
            self.action.value,
            outcome,
            self.reason,
            round(duration, 3),
            detail,
            self.replaces_active,
            list(self.changes),
        )


@dataclass
class Plan:
    """Every step of a run, in dependency order."""

    steps: list[Step] = field(default_factory=list)

    @property
    def refused(self) -> list[Step]:
        return [s for s in self.steps if s.action == Action.REFUSE]

    def level(self, number: int) -> list[Step]:
        return [s for s in self.steps if s.level == number]


# Projects have no version: conflict_resolution `version` treats them like `overwrite`.
VERSIONED = (Kind.INTEGRATION, Kind.LIBRARY, Kind.PACKAGE)


def decide(
    spec: Spec, present: bool, same: bool, why_different: str, settings: DeploySettings
) -> tuple[Action, str]:
    """The import_mode by conflict_resolution table (README, 'How re-runs and conflicts are decided')."""
    mode, conflict = settings.import_mode, settings.conflict_resolution
    changing = Action.UPDATE if spec.kind in (Kind.LOOKUP, Kind.CONNECTION) else Action.REPLACE
    if not present:
        if mode == "update_only":
            return Action.SKIP, "absent in OIC and import_mode is update_only"
        return Action.CREATE, "absent in OIC"
    if same:
        return Action.SKIP, "unchanged"
    if conflict == "version" and spec.kind in VERSIONED:
        return Action.REFUSE, (
            f"{why_different}; conflict_resolution is version: versions are immutable, "
            "publish a new version instead"
        )
    if mode == "create_only":
        return Action.SKIP, f"{why_different}; import_mode create_only leaves existing artifacts alone"
    if conflict == "skip":
        return Action.SKIP, f"{why_different}; conflict_resolution is skip"
    return changing, f"{why_different}; conflict_resolution is {conflict}"


class Planner:
    """Builds the plan from the inventory, OIC's state and the ledger."""

    def __init__(
        self,
        settings: DeploySettings,
        observed: Observed,
        ledger: Ledger,
        active_before: set[str] | None = None,
    ) -> None:
        self.settings = settings
        self.observed = observed
        self.ledger = ledger
        # Integrations an interrupted or failed earlier run found ACTIVATED: they must end ACTIVATED.
        self.active_before = active_before or set()

    def _compare_by_ledger(self, spec: Spec, desired: str, last_updated: str) -> tuple[bool, str, bool]:
        """(same, why it differs, drift) for artifacts OIC cannot show us byte for byte."""
        entry = self.ledger.get(f"{spec.kind.value}:{ref(spec)}")
        if entry is None:
            return False, "exists in OIC and no ledger entry says what it holds", False
        if entry.fingerprint != desired:
            return False, "differs from what was last deployed", False
        if entry.last_updated and last_updated and entry.last_updated != last_updated:
            return (
                False,
                f"drift: changed in OIC since the last deployment (lastUpdated {last_updated})",
                True,
            )
        return True, "", False

    def _archive_step(self, spec: Spec, current: Any) -> Step:
        printed = fingerprint(spec, self.ledger.hmac_key)
        present = current is not None
        same, why, drift = (
            self._compare_by_ledger(spec, printed, current.last_updated) if present else (False, "", False)
        )
        action, reason = decide(spec, present, same, why, self.settings)
        return Step(spec, action, reason, LEVELS[spec.kind], fingerprint=printed, drift=drift, unchanged=same)

    def _lookup_step(self, spec: LookupSpec) -> Step:
        current = self.observed.lookups.get(ref(spec))
        differ = []
        if current is not None:
            differ = [
                what
                for what, differs in (
                    ("columns", current.columns != spec.columns),
                    ("rows", current.rows != spec.rows),
                    ("description", spec.description is not None and spec.description != current.description),
                )
                if differs
            ]
        same = current is not None and not differ
        # "columns" and "rows" are plural words; only a lone "description" differs.
        why = f"{' and '.join(differ)} differ{'s' if differ == ['description'] else ''} from OIC"
        action, reason = decide(spec, current is not None, same, why, self.settings)
        return Step(
            spec,
            action,
            reason,
            LEVELS[Kind.LOOKUP],
            fingerprint=fingerprint(spec, self.ledger.hmac_key),
            unchanged=same,
            changes=lookup_changes(spec, current) if action in WRITES else (),
        )

    def _connection_step(self, spec: ConnectionSpec, created_by: dict[str, str]) -> Step:
        current = self.observed.connections.get(ref(spec))
        printed = fingerprint(spec, self.ledger.hmac_key)
        if current is None:
            files = tuple(sorted(spec.attachments))
            return Step(
                spec,
                Action.UPDATE,
                f"created by the import of {created_by[ref(spec)]}; configuring it",
                LEVELS[Kind.CONNECTION],
                fingerprint=printed,
                files=files,
                changes=connection_changes(spec, None, files),
            )
        entry = self.ledger.get(f"{spec.kind.value}:{ref(spec)}")
        files = _changed_files(spec, current, entry, self.ledger.hmac_key)
        same, why = _same_connection(spec, current)
        secrets = any(v.secret for v in spec.security_properties.values())
        if same and secrets and (entry is None or entry.fingerprint != printed):
            same, why = False, "secret values cannot be read back and the ledger does not match them"
        upload_only = same and bool(files)
        if upload_only:
            same, why = False, f"the {', '.join(files)} file(s) differ from what was uploaded"
        action, reason = decide(spec, True, same, why, self.settings)
        if upload_only and action == Action.UPDATE:
            action = Action.UPLOAD
        if action == Action.SKIP and same and spec.test and current.status != "CONFIGURED":
            action, reason = Action.TEST, f"unchanged but {current.status}; testing it"
        changes = connection_changes(spec, current, files) if action in (Action.UPDATE, Action.UPLOAD) else ()
        return Step(
            spec,
            action,
            reason,
            LEVELS[Kind.CONNECTION],
            fingerprint=printed,
            unchanged=same,
            files=files,
            changes=changes,
        )

    def plan(self, inventory: Inventory) -> Plan:
        plan = Plan()
        created_by: dict[str, str] = {}
        for spec in inventory.archives:
            for conn in spec.connections:
                created_by.setdefault(conn, label(spec))
        for project in inventory.projects:
            for conn in project.connections:
                created_by.setdefault(scoped(project.id, conn), label(project))
        for kind in (
            Kind.CERTIFICATE,
            Kind.LIBRARY,
            Kind.PROJECT,
            Kind.LOOKUP,
            Kind.PACKAGE,
            Kind.INTEGRATION,
            Kind.CONNECTION,
        ):
            for spec in inventory.of(kind):
                if isinstance(spec, ProjectSpec):
                    plan.steps.extend(self._project_steps(spec))
                else:
                    plan.steps.append(self._step(spec, created_by))
        plan.steps.extend(self._activations(plan))
        return plan

    def _step(self, spec: Spec, created_by: dict[str, str]) -> Step:
        if isinstance(spec, LookupSpec):
            return self._lookup_step(spec)
        if isinstance(spec, ConnectionSpec):
            return self._connection_step(spec, created_by)
        if isinstance(spec, IntegrationSpec):
            step = self._archive_step(spec, self.observed.integrations.get(spec.key))
            current = self.observed.integrations.get(spec.key)
            if step.action == Action.REPLACE and current is not None and current.status in LOCKED_FOR_REPLACE:
                step.deactivate_first, step.was_active = (spec.key,), True
            return step
        if isinstance(spec, PackageSpec):
            step = self._archive_step(spec, self.observed.packages.get(spec.key))
            package = self.observed.packages.get(spec.key)
            if step.action == Action.REPLACE and package is not None:
                step.deactivate_first = tuple(
                    m.id for m in package.integrations if m.status == IntegrationStatus.ACTIVATED
                )
            return step
        if isinstance(spec, LibrarySpec):
            return self._archive_step(spec, self.observed.libraries.get(spec.key))
        assert isinstance(spec, CertificateSpec)
        return self._archive_step(spec, self.observed.certificates.get(spec.key))

    def _project_steps(self, spec: ProjectSpec) -> list[Step]:
        """The `.car` import or replace, and the deployment write when OIC will not hold it as asked."""
        current = self.observed.projects.get(spec.key)
        step = self._archive_step(spec, current)
        if step.action == Action.REPLACE:
            # OIC refuses to overwrite an ACTIVATED integration of the project (docs/oic-reference.md §12).
            step.deactivate_first = tuple(
                i.id
                for i in self.observed.project_integrations.get(spec.key, [])
                if i.id in spec.integrations and i.status in LOCKED_FOR_REPLACE
            )
        wanted = spec.deployment
        if wanted is None or step.action == Action.REFUSE:
            return [step]
        if step.action in (Action.CREATE, Action.REPLACE):
            there, source = spec.archived(wanted.code), "the .car"
        elif current is not None:
            there, source = current.deployment(wanted.code), "OIC"
        else:
            return [step]
        if there is not None and set(there.integrations) == set(wanted.integrations):
            return [step]
        action = Action.CREATE if there is None else Action.UPDATE
        reason = (
            f"{source} has no deployment {wanted.code}"
            if there is None
            else f"{source} has deployment {wanted.code} select {', '.join(sorted(there.integrations)) or 'nothing'}; "
            f"the record selects {', '.join(sorted(wanted.integrations))}"
        )
        return [
            step,
            Step(spec, action, reason, LEVELS[Kind.PROJECT], target=wanted.code, part=Part.DEPLOYMENT),
        ]

    def _project_activations(self, step: Step) -> list[Step]:
        """Activate the deployment's integrations; bring back what the replace took down, unless the
        deployment activates another minor version of the same major (OIC keeps one active)."""
        spec = step.spec
        assert isinstance(spec, ProjectSpec)
        chosen = list(spec.deployment.integrations) if spec.deployment and spec.activate else []
        steps = []
        if chosen and self.settings.activation_policy == "manual":
            steps = [
                Step(
                    spec,
                    Action.SKIP,
                    "activation_policy is manual: the record's activate is not applied",
                    ACTIVATION_LEVEL,
                    target=target,
                )
                for target in chosen
                if step.action != Action.REFUSE
            ]
            chosen = []
        claimed = {(IntegrationId.of(t).code, IntegrationId.of(t).major) for t in chosen}
        # What this replace takes down, and what an interrupted run found ACTIVATED in the project.
        was_active = [
            *step.deactivate_first,
            *(t for t in spec.integrations if scoped(spec.id, t) in self.active_before),
        ]
        back = [
            t
            for t in dict.fromkeys(was_active)
            if t not in chosen and (IntegrationId.of(t).code, IntegrationId.of(t).major) not in claimed
        ]
        for target in [*chosen, *back]:
            activation = self._activation(step, target, spec.id)
            if activation is not None:
                steps.append(activation)
        return steps

    def _restores_status(self, target: str, claimed: set[tuple[str, str]]) -> bool:
        """Whether `target` must end ACTIVATED because an interrupted run found it so, and no record
        of this run activates another version of its code and major version instead."""
        if target not in self.active_before:
            return False
        ident = IntegrationId.of(target)
        return (ident.code, ident.major) not in claimed

    def _activations(self, plan: Plan) -> list[Step]:
        manual = self.settings.activation_policy == "manual"
        # Under the manual policy a record's `activate` is reported, not applied, so it claims nothing.
        claimed = (
            set()
            if manual
            else {
                (s.spec.code, IntegrationId(s.spec.code, s.spec.version).major)
                for s in plan.steps
                if isinstance(s.spec, IntegrationSpec) and s.spec.activate
            }
        )
        steps = []
        for step in list(plan.steps):
            if isinstance(step.spec, ProjectSpec):
                if not step.part:
                    steps.extend(self._project_activations(step))
                continue
            if isinstance(step.spec, IntegrationSpec):
                members = [step.spec.key]
            elif isinstance(step.spec, PackageSpec):
                members = list(step.spec.integrations)
            else:
                continue
            for target in members:
                keeps = target in step.deactivate_first or self._restores_status(target, claimed)
                if manual and step.spec.activate and not keeps and step.action != Action.REFUSE:
                    steps.append(
                        Step(
                            step.spec,
                            Action.SKIP,
                            "activation_policy is manual: the record's activate is not applied",
                            ACTIVATION_LEVEL,
                            target=target,
                        )
                    )
                if not (keeps or (step.spec.activate and not manual)):
                    continue
                activation = self._activation(step, target)
                if activation is not None:
                    steps.append(activation)
        return steps

    def _activation(self, step: Step, target: str, project: str | None = None) -> Step | None:
        restoring = scoped(project, target) in self.active_before
        if step.action == Action.REFUSE or (
            step.action == Action.SKIP and not step.unchanged and not restoring
        ):
            return None
        current = self.observed.integrations.get(scoped(project, target))
        if (
            current is not None
            and current.status == IntegrationStatus.ACTIVATED
            and target not in step.deactivate_first
        ):
            changed = _changed_flags(step.spec, current)
            if not changed:
                return None
            if self.settings.activation_policy == "manual":
                return Step(
                    step.spec,
                    Action.SKIP,
                    f"{', '.join(changed)} differ from OIC; activation_policy is manual, so it is not reactivated",
                    ACTIVATION_LEVEL,
                    target=target,
                )
            # OIC ignores flags when activating an ACTIVATED integration, so it must go down and up again.
            return Step(
                step.spec,
                Action.ACTIVATE,
                f"{', '.join(changed)} differ from OIC; reactivating with them",
                ACTIVATION_LEVEL,
                target=target,
                deactivate_first=(target,),
            )
        ident = IntegrationId.of(target)
        replaced = [
            i.id
            for i in self.observed.active_versions(ident.code, project)
            if i.major == ident.major and i.version != ident.version
        ]
        reason = "activate after import" if step.action != Action.SKIP else "unchanged but not ACTIVATED"
        wanted = isinstance(step.spec, IntegrationSpec | PackageSpec | ProjectSpec) and step.spec.activate
        if target in step.deactivate_first and not wanted:
            reason = "reactivate: it was ACTIVATED before the replace"
        elif restoring and not wanted:
            reason = "reactivate: it was ACTIVATED before an interrupted or failed run"
        if replaced:
            reason += f"; replaces {replaced[0]} (same major version)"
        return Step(
            step.spec,
            Action.ACTIVATE,
            reason,
            ACTIVATION_LEVEL,
            target=target,
            replaces_active=replaced[0] if replaced else None,
        )


ACTIVATION_FLAGS = ("tracing", "payload_tracing", "record_enabled")


def _changed_flags(spec: Spec, current: Integration) -> list[str]:
    """The activation flags a record sets that OIC currently has otherwise."""
    if not isinstance(spec, IntegrationSpec | ProjectSpec):
        return []
    return [
        name
        for name in ACTIVATION_FLAGS
        if getattr(spec, name) is not None and getattr(spec, name) != getattr(current, name)
    ]


def _changed_files(
    spec: ConnectionSpec, current: Connection, entry: LedgerEntry | None, key: bytes
) -> tuple[str, ...]:
    """The attachments to upload: those OIC holds no file for, or whose content the ledger does not match."""
    attached = {
        p.name for p in (*current.connection_properties, *current.security_properties) if p.has_attachment
    }
    deployed = entry.attachments if entry is not None else {}
    return tuple(
        name
        for name, digest in attachment_digests(spec, key).items()
        if name not in attached or deployed.get(name) != digest
    )


def _same_connection(spec: ConnectionSpec, current: Connection) -> tuple[bool, str]:
    shown = {p.name: p.value for p in (*current.connection_properties, *current.security_properties)}
    for name, value in {**spec.connection_properties, **spec.security_properties}.items():
        if not value.secret and shown.get(name) != value.text:
            return False, f"property {name} differs from OIC"
    if spec.security_policy is not None and spec.security_policy != current.security_policy:
        return False, "securityPolicy differs from OIC"
    if spec.agent_group_id is not None and spec.agent_group_id != current.agent_group_id:
        return False, "agentGroupId differs from OIC"
    return True, ""
