"""What each step of a plan must wait for: the steps whose artifacts it needs in OIC first."""

from __future__ import annotations

from collections.abc import Callable

from ..model.specs import (
    ConnectionSpec,
    IntegrationSpec,
    Kind,
    LookupSpec,
    PackageSpec,
    ProjectSpec,
    project_of,
)
from .planner import Part, Plan, Step

SHARED = (Kind.LIBRARY, Kind.CERTIFICATE)


def _project_needs(step: Step, where: Callable[[Callable[[Step], bool]], set[int]]) -> set[int]:
    """In a project: its `.car` first; its deployment after the `.car`; its activations after both and
    after the connections and lookups this run writes inside it."""
    if step.is_artifact_write and isinstance(step.spec, ProjectSpec):
        return set()
    project = step.project

    def archive(s: Step) -> bool:
        return isinstance(s.spec, ProjectSpec) and s.spec.id == project and s.is_artifact_write

    if not step.is_activation:
        return where(archive)
    return where(
        lambda s: (
            archive(s)
            or (s.spec is step.spec and s.part == Part.DEPLOYMENT)
            or (isinstance(s.spec, ConnectionSpec | LookupSpec) and s.spec.project == project)
        )
    )


def _of_strategy(step: Step) -> bool:
    return step.part is not None and step.part.of_strategy


def _needs(step: Step, plan: Plan, index: dict[int, int]) -> set[int]:
    spec = step.spec

    if _of_strategy(step):
        # A strategy acts on the release as a whole: after all of it, and after its own earlier steps.
        mine = index[id(step)]
        return {index[id(s)] for s in plan.steps if not _of_strategy(s) or index[id(s)] < mine} - {mine}

    def where(predicate: Callable[[Step], bool]) -> set[int]:
        """The other steps of the release (never a strategy's, which come after it) that match."""
        return {index[id(s)] for s in plan.steps if s is not step and not _of_strategy(s) and predicate(s)}

    if isinstance(spec, ProjectSpec) or project_of(spec) is not None:
        return _project_needs(step, where)
    if isinstance(spec, LookupSpec) or spec.kind in SHARED:
        return set()
    if isinstance(spec, ConnectionSpec):
        # A connection that an archive of this run brings in exists only once that archive is imported.
        return where(
            lambda s: (
                s.spec.kind in SHARED
                or (
                    not s.is_activation
                    and isinstance(s.spec, IntegrationSpec | PackageSpec)
                    and spec.key in s.spec.connections
                )
            )
        )
    assert isinstance(spec, IntegrationSpec | PackageSpec)
    lookups = set(spec.lookups)
    if not step.is_activation:
        # An import brings the lookups its archive holds when OIC has none: ours must be there first.
        return where(lambda s: s.spec.kind in SHARED or (isinstance(s.spec, LookupSpec) and s.ref in lookups))
    connections = set(spec.connections)
    return where(
        lambda s: (
            (s.spec is spec and not s.is_activation)
            or s.spec.kind in SHARED
            or (isinstance(s.spec, LookupSpec) and s.ref in lookups)
            or (isinstance(s.spec, ConnectionSpec) and s.ref in connections)
        )
    )


def dependencies(plan: Plan) -> list[set[int]]:
    """For each step (by position in the plan), the positions of the steps it waits for."""
    index = {id(s): n for n, s in enumerate(plan.steps)}
    return [_needs(step, plan, index) for step in plan.steps]
