"""A canary promotion of two versions already in OIC: the engine's canary strategy, planned from OIC's
state instead of from records, so `CanaryPromoteOperator` is journaled, rolled back and restorable like
any deployment. Its traffic steps can be watched outside the run (Airflow's triggerer): the run pauses
after routing a step and resumes, under the same run id and journal, with the step's report."""

from __future__ import annotations

from dataclasses import dataclass

from ...oic import OICClient
from ...oic.identifiers import IntegrationId
from ...oic.status import IntegrationStatus
from ..model.canary import StepReport
from ..model.issues import Issue, Where
from ..model.settings import DeploySettings
from ..model.specs import IN_OIC, IntegrationSpec
from ..plan.observe import Observed
from ..plan.planner import ACTIVATION_LEVEL, Action, Plan, Step
from .routing import canary_steps


@dataclass(frozen=True)
class CanaryPromotion:
    """Move the traffic of `code` from `stable_version` to `canary_version` (a new major version)."""

    code: str
    stable_version: str
    canary_version: str
    retire_stable: bool = True

    @property
    def stable(self) -> IntegrationId:
        return IntegrationId(self.code, self.stable_version)

    @property
    def canary(self) -> IntegrationId:
        return IntegrationId(self.code, self.canary_version)

    def issues(self, observed: Observed) -> list[Issue]:
        """Why the promotion cannot start, found before any write."""
        canary = str(self.canary)
        if self.stable.major == self.canary.major:
            return [
                Issue(
                    f"integration {canary}",
                    "canary_version",
                    f"has the same major version as {self.stable_version}; OIC would deactivate the stable "
                    "version when the canary activates. Publish the canary as a new major version "
                    "(e.g. 02.00.0000)",
                )
            ]
        return [
            Issue(f"integration {ident}", "version", "is not in OIC; import it first", Where.OIC)
            for ident in (str(self.stable), canary)
            if observed.integrations.get(ident) is None
        ]


@dataclass(frozen=True)
class Resumption:
    """A paused promotion coming back: its run, and the report of the step that was being watched (or
    why there is none: the watch could not read OIC)."""

    run_id: str
    report: StepReport
    error: str | None = None


def observe_promotion(client: OICClient, promotion: CanaryPromotion, routing_lookup: str) -> Observed:
    """The two versions and the routing lookup, as OIC holds them now."""
    observed = Observed(list_activated=client.integrations.list_activated)
    for ident in (str(promotion.stable), str(promotion.canary)):
        observed.integrations[ident] = client.integrations.find(ident)
    observed.lookups[routing_lookup] = client.lookups.find(routing_lookup)
    return observed


def _activation(promotion: CanaryPromotion, ident: IntegrationId, observed: Observed) -> Step | None:
    current = observed.integrations.get(str(ident))
    if current is not None and current.status == IntegrationStatus.ACTIVATED:
        return None
    spec = IntegrationSpec(ident.code, ident.version, IN_OIC, activate=True)
    role = "canary" if ident == promotion.canary else "stable version"
    return Step(spec, Action.ACTIVATE, f"the {role} must run before traffic moves", ACTIVATION_LEVEL)


def promotion_plan(
    promotion: CanaryPromotion, observed: Observed, settings: DeploySettings, weights: tuple[int, ...]
) -> Plan:
    """Both versions ACTIVATED, then the traffic steps of `weights`, then (if asked) the stable retired."""
    steps = [
        s for s in (_activation(promotion, i, observed) for i in (promotion.stable, promotion.canary)) if s
    ]
    stable = observed.integrations[str(promotion.stable)]
    assert stable is not None
    canary = IntegrationSpec(promotion.code, promotion.canary_version, IN_OIC, activate=True)
    moves = canary_steps(canary, stable, settings, weights)
    return Plan([*steps, *(moves if promotion.retire_stable else moves[:-1])])


def weights_after(settings: DeploySettings, watched: int | None) -> tuple[int, ...]:
    """The traffic steps still to take after the one at `watched` percent (all of them for None)."""
    steps = settings.canary_steps
    return steps if watched is None else tuple(w for w in steps if w > watched)
