"""What each step of a plan must wait for: the steps whose artifacts it needs in OIC first."""

from __future__ import annotations

from collections import defaultdict
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


class _Release:
    """The release's steps (not a strategy's) indexed by what other steps wait for, built once: a
    step's needs are then found without scanning the plan again (linear in the plan, not quadratic)."""

    def __init__(self, plan: Plan, index: dict[int, int]) -> None:
        self.steps = [s for s in plan.steps if not _of_strategy(s)]
        self.index = index
        self.shared: set[int] = set()
        self.lookups: dict[str, set[int]] = defaultdict(set)
        self.connections: dict[str, set[int]] = defaultdict(set)
        # Imports (not activations) by the connection their archive brings, and by their spec.
        self.bringing: dict[str, set[int]] = defaultdict(set)
        self.imports: dict[int, set[int]] = defaultdict(set)
        for s in self.steps:
            n = index[id(s)]
            if s.spec.kind in SHARED:
                self.shared.add(n)
            if isinstance(s.spec, LookupSpec):
                self.lookups[s.ref].add(n)
            if isinstance(s.spec, ConnectionSpec):
                self.connections[s.ref].add(n)
            if not s.is_activation and isinstance(s.spec, IntegrationSpec | PackageSpec):
                self.imports[id(s.spec)].add(n)
                for key in s.spec.connections:
                    self.bringing[key].add(n)

    def where(self, step: Step, predicate: Callable[[Step], bool]) -> set[int]:
        """The other steps of the release that match (a scan: for the few steps of OIC 3 projects)."""
        return {self.index[id(s)] for s in self.steps if s is not step and predicate(s)}


def _needs(step: Step, plan: Plan, release: _Release) -> set[int]:
    spec, mine = step.spec, release.index[id(step)]

    if _of_strategy(step):
        # A strategy acts on the release as a whole: after all of it, and after its own earlier steps.
        index = release.index
        return {index[id(s)] for s in plan.steps if not _of_strategy(s) or index[id(s)] < mine} - {mine}
    if isinstance(spec, ProjectSpec) or project_of(spec) is not None:
        return _project_needs(step, lambda predicate: release.where(step, predicate))
    if isinstance(spec, LookupSpec) or spec.kind in SHARED:
        return set()
    if isinstance(spec, ConnectionSpec):
        # A connection that an archive of this run brings in exists only once that archive is imported.
        return (release.shared | release.bringing.get(spec.key, set())) - {mine}
    assert isinstance(spec, IntegrationSpec | PackageSpec)
    # An import brings the lookups its archive holds when OIC has none: ours must be there first.
    needs = set(release.shared).union(*(release.lookups.get(name, set()) for name in spec.lookups))
    if step.is_activation:
        needs |= release.imports.get(id(spec), set())
        needs = needs.union(*(release.connections.get(name, set()) for name in spec.connections))
    return needs - {mine}


def dependencies(plan: Plan) -> list[set[int]]:
    """For each step (by position in the plan), the positions of the steps it waits for."""
    index = {id(s): n for n, s in enumerate(plan.steps)}
    release = _Release(plan, index)
    return [_needs(step, plan, release) for step in plan.steps]
