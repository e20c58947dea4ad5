"""Bringing an OIC 3 project deployment live (or down) as one unit: OIC activates integrations one by
one, so this use case plans one activation (or deactivation) per integration the deployment selects
that is not yet in the wanted state, and the applier journals and performs them side by side. An
activation that retires the active minor version of the same major journals bringing it back."""

from __future__ import annotations

from dataclasses import dataclass

from ...oic import OICClient
from ...oic.identifiers import IntegrationId
from ...oic.models import Deployment
from ...oic.status import IntegrationStatus, settles_to
from ..model.issues import Issue, Where
from ..model.specs import IN_OIC, ProjectSpec, scoped
from ..plan.observe import Observed
from ..plan.planner import ACTIVATION_LEVEL, Action, Part, Plan, Step
from .routing import LEVEL


@dataclass(frozen=True)
class DeploymentActivation:
    """Every integration deployment `deployment` of project `project` selects to ACTIVATED (or, with
    `activate` False, CONFIGURED); the flags apply to the activations."""

    project: str
    deployment: str
    activate: bool = True
    tracing: bool | None = None
    payload_tracing: bool | None = None
    record_enabled: bool | None = None

    @property
    def wanted(self) -> IntegrationStatus:
        return IntegrationStatus.ACTIVATED if self.activate else IntegrationStatus.CONFIGURED

    @property
    def what(self) -> str:
        return f"deployment {self.deployment} of project {self.project}"


@dataclass
class DeploymentState:
    """The deployment as OIC holds it (None: absent), its project's integrations, the others' codes."""

    chosen: Deployment | None
    observed: Observed
    known: tuple[str, ...] = ()


def observe_deployment(
    client: OICClient, activation: DeploymentActivation, timeout: float, poll: float
) -> DeploymentState:
    """The deployment and its project's integrations; a change in progress heading away from the wanted
    status is waited out first (OIC refuses a new one meanwhile)."""
    scope = client.project(activation.project)
    chosen = scope.deployments.find(activation.deployment)
    if chosen is None:
        return DeploymentState(None, Observed(), tuple(d.code for d in scope.deployments.list()))
    listed = scope.integrations.list()
    away = [
        (i.id, heading)
        for i in listed
        if i.id in chosen.integrations and (heading := settles_to(i.status)) not in (None, activation.wanted)
    ]
    for ident, heading in away:
        scope.integrations.wait_for_status(ident, heading, timeout, poll)
    if away:
        listed = scope.integrations.list()
    observed = Observed()
    observed.project_integrations[activation.project] = listed
    observed.integrations.update({scoped(activation.project, i.id): i for i in listed})
    return DeploymentState(chosen, observed)


def deployment_issues(activation: DeploymentActivation, state: DeploymentState) -> list[Issue]:
    """Why the deployment cannot be brought to its status, found before any write."""
    what = activation.what
    if state.chosen is None:
        known = ", ".join(state.known) or "none"
        return [Issue(what, "deployment", f"does not exist (its deployments: {known})", Where.OIC)]
    if not state.chosen.integrations:
        return [Issue(what, "integrations", "selects no integration; nothing to do", Where.OIC)]
    missing = [
        i
        for i in state.chosen.integrations
        if state.observed.integrations.get(scoped(activation.project, i)) is None
    ]
    if missing:
        return [
            Issue(what, "integrations", f"names {', '.join(missing)}, which the project lacks", Where.OIC)
        ]
    return []


def deployment_plan(activation: DeploymentActivation, state: DeploymentState) -> Plan:
    """One step per integration not in (nor heading for) the wanted status."""
    assert state.chosen is not None
    project = activation.project
    spec = ProjectSpec(
        project,
        IN_OIC,
        integrations=state.chosen.integrations,
        activate=activation.activate,
        tracing=activation.tracing,
        payload_tracing=activation.payload_tracing,
        record_enabled=activation.record_enabled,
    )
    steps = []
    for ident in state.chosen.integrations:
        current = state.observed.integrations[scoped(project, ident)]
        assert current is not None
        if activation.wanted in (current.status, settles_to(current.status)):
            continue
        if not activation.activate:
            title = f"integration {ident} in project {project}"
            steps.append(
                Step(
                    spec,
                    Action.DEACTIVATE,
                    f"{activation.what} goes down",
                    LEVEL,
                    ident,
                    part=Part.RETIRE,
                    title=title,
                )
            )
            continue
        wanted = IntegrationId.of(ident)
        replaced = [
            i.id
            for i in state.observed.active_versions(wanted.code, project)
            if i.major == wanted.major and i.version != wanted.version
        ]
        reason = f"{activation.what} goes live" + (
            f"; replaces {replaced[0]} (same major version)" if replaced else ""
        )
        steps.append(
            Step(
                spec,
                Action.ACTIVATE,
                reason,
                ACTIVATION_LEVEL,
                ident,
                replaces_active=replaced[0] if replaced else None,
            )
        )
    return Plan(steps)


def in_motion(activation: DeploymentActivation, state: DeploymentState) -> list[str]:
    """The deployment's integrations already heading for the wanted status (their wait is still due)."""
    assert state.chosen is not None
    return [
        ident
        for ident in state.chosen.integrations
        if (current := state.observed.integrations.get(scoped(activation.project, ident))) is not None
        and settles_to(current.status) == activation.wanted
    ]
