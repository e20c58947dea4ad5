"""How a release goes live beyond `rolling`: the steps `blue_green` and `canary` add after the release's
own imports and activations, each run after the one before it.

- **blue_green**: the release is deployed under `deployment_prefix` (the new colour) beside the live
  one; then `routing_lookup` (columns service, color) sends each of its services to the new colour, and
  the ACTIVATED integrations of the `live_prefix` colour are deactivated.
- **canary**: a new major version is activated beside the ACTIVATED stable one of the same code; then
  `routing_lookup` (columns version, weight) gives it `canary_steps` percent of the traffic, step by
  step, each watched in OIC monitoring for `canary_observe_seconds`; an unhealthy step fails the run,
  whose rollback puts the routing back and deactivates the canary. After the last step the stable
  version is deactivated.

Every strategy write is journaled like any other, so a failure anywhere rolls the whole release back.
"""

from __future__ import annotations

from collections.abc import Callable

from ...oic.identifiers import IntegrationId
from ...oic.models import Integration
from ..model.canary import ROUTING_COLUMNS, routing_rows
from ..model.setting_specs import Strategy
from ..model.settings import DeploySettings
from ..model.specs import IntegrationSpec, LookupSpec
from ..plan.changes import lookup_changes
from ..plan.observe import Observed
from ..plan.planner import Action, Part, Plan, Step

LEVEL = 5
BLUE_GREEN_COLUMNS = ("service", "color")


def _released(plan: Plan) -> list[IntegrationSpec]:
    """The integrations this release imports (or finds unchanged) and activates."""
    return [
        s.spec
        for s in plan.steps
        if isinstance(s.spec, IntegrationSpec)
        and s.is_artifact_write
        and s.spec.activate
        and s.action != Action.REFUSE
    ]


def _retire(spec: IntegrationSpec, target: str, reason: str) -> Step:
    return Step(
        spec, Action.DEACTIVATE, reason, LEVEL, target=target, part=Part.RETIRE, title=f"integration {target}"
    )


def _blue_green(settings: DeploySettings, observed: Observed, plan: Plan) -> list[Step]:
    prefix, live = settings.deployment_prefix, settings.live_prefix
    colour = prefix.rstrip("_-")
    services = {spec.code[len(prefix) :]: spec for spec in _released(plan) if spec.code.startswith(prefix)}
    if not services:
        return []
    name = str(settings.routing_lookup)
    current = observed.lookups.get(name)
    columns = tuple(current.columns) if current is not None else BLUE_GREEN_COLUMNS
    rows = {row[0]: list(row) for row in (current.rows if current is not None else ())}
    for service in services:
        # Columns beyond the colour keep their values.
        rows[service] = [service, colour, *rows.get(service, [])[2:]]
    table = tuple(tuple(r) for r in rows.values())
    steps = []
    if current is None or tuple(tuple(r) for r in current.rows) != table:
        route = LookupSpec(name, columns, table)
        action = Action.CREATE if current is None else Action.UPDATE
        reason = f"route {', '.join(sorted(services))} to {colour}"
        title = f"lookup {name} (routing)"
        changes = lookup_changes(route, current)
        steps.append(Step(route, action, reason, LEVEL, part=Part.ROUTE, title=title, changes=changes))
    if live:
        for service, spec in services.items():
            for old in observed.active_versions(live + service):
                observed.integrations.setdefault(old.id, old)
                steps.append(
                    _retire(
                        spec,
                        old.id,
                        f"retire the live colour {live.rstrip('_-')}: {service} now routes to {colour}",
                    )
                )
    return steps


def canary_steps(
    spec: IntegrationSpec, stable: Integration, settings: DeploySettings, weights: tuple[int, ...]
) -> list[Step]:
    """Move the traffic from `stable` to the canary `spec` through `weights`, then retire `stable`."""
    name = str(settings.routing_lookup)
    steps = []
    for weight in weights:
        route = LookupSpec(name, ROUTING_COLUMNS, routing_rows(stable.version, spec.version, weight))
        steps.append(
            Step(
                route,
                Action.UPDATE,
                f"{weight}% of {spec.code} to {spec.version}, watched for {settings.canary_observe_seconds:g} s",
                LEVEL,
                target=spec.key,
                part=Part.CANARY,
                title=f"canary {spec.key} at {weight}%",
                weight=weight,
                changes=tuple(f"= {version} | {share}" for version, share in route.rows),
            )
        )
    steps.append(_retire(spec, stable.id, f"the canary {spec.key} took all the traffic"))
    return steps


def _canary(settings: DeploySettings, observed: Observed, plan: Plan) -> list[Step]:
    steps: list[Step] = []
    for spec in _released(plan):
        new = IntegrationId(spec.code, spec.version)
        stable = [i for i in observed.active_versions(spec.code) if i.major != new.major]
        if not stable:
            continue
        observed.integrations.setdefault(stable[0].id, stable[0])
        steps.extend(canary_steps(spec, stable[0], settings, settings.canary_steps))
    return steps


# What each strategy adds after the release's own steps (rolling: nothing).
STEPS: dict[Strategy, Callable[[DeploySettings, Observed, Plan], list[Step]]] = {
    Strategy.BLUE_GREEN: _blue_green,
    Strategy.CANARY: _canary,
}


def strategy_steps(settings: DeploySettings, observed: Observed, plan: Plan) -> list[Step]:
    """The steps `deployment_strategy` adds after the release's own."""
    adds = STEPS.get(settings.deployment_strategy)
    return adds(settings, observed, plan) if adds else []
