"""The estate: what is live on each OIC instance, side by side (docs/estate.md). Plain data, built from
what each instance's reads returned; the page and its JSON are views of it."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ..deploy.model.specs import Kind, scoped
from ..deploy.recovery.drift import Drift
from ..oic.identifiers import IntegrationId
from ..oic.models import Deployment, Integration, Lookup, Project
from ..oic.status import IntegrationStatus

# What the estate has rows for, in the order they are shown.
ROW_KINDS = (Kind.INTEGRATION, Kind.LOOKUP, Kind.PROJECT)


@dataclass(frozen=True)
class Instance:
    """One OIC instance, shown once however many connections reach it."""

    base_url: str
    integration_instance: str | None
    conn_ids: tuple[str, ...]

    @property
    def key(self) -> str:
        """The instance as the ledger names it."""
        return self.integration_instance or self.base_url

    @property
    def label(self) -> str:
        host = self.base_url.split("://", 1)[-1]
        return f"{self.integration_instance} ({host})" if self.integration_instance else host


@dataclass(frozen=True)
class Provenance:
    """When, and by which run, an artifact was last deployed by this tool."""

    deployed_at: str = ""
    run_id: str = ""
    dag_id: str = ""
    dag_run_id: str = ""
    task_id: str = ""
    map_index: str = "-1"

    @classmethod
    def of(cls, raw: Mapping[str, str]) -> Provenance:
        return cls(**{k: str(v) for k, v in raw.items() if k in cls.__dataclass_fields__})


@dataclass(frozen=True)
class Cell:
    """One artifact on one instance: its live version and status, drift, and last deployment."""

    version: str = ""
    status: str = ""
    drift: str | None = None
    provenance: Provenance | None = None


@dataclass(frozen=True)
class InstanceState:
    """What one instance holds now, as read (bounded, read-only), and what drifted there."""

    integrations: Sequence[Integration] = ()
    lookups: Sequence[Lookup] = ()
    projects: Sequence[Project] = ()
    # The integrations inside each OIC 3 project, by project id.
    project_integrations: Mapping[str, Sequence[Integration]] = field(default_factory=dict)
    # Drift by ledger key (`integrations:CODE|VERSION`, `lookups:NAME`, `projects:ID`).
    drift: Mapping[str, Drift] = field(default_factory=dict)
    provenance: Mapping[str, Provenance] = field(default_factory=dict)
    # Why the instance could not be read (then nothing else is known, and the page says so).
    error: str | None = None
    read_at: str = ""


@dataclass(frozen=True)
class Row:
    """One artifact across the instances (cells by instance key; absent where it is not)."""

    kind: Kind
    name: str
    cells: Mapping[str, Cell]

    def differs(self, instances: Sequence[str]) -> set[str]:
        """Instances whose version differs from their left neighbour's (both present)."""
        versions = [(key, self.cells[key].version if key in self.cells else None) for key in instances]
        return {
            key
            for (_, left), (key, right) in itertools.pairwise(versions)
            if left is not None and right is not None and left != right
        }


@dataclass(frozen=True)
class Estate:
    """Every instance (in the order given) and every artifact row."""

    instances: Sequence[Instance]
    states: Mapping[str, InstanceState]
    rows: Sequence[Row]

    def filtered(self, name: str = "", instance: str = "") -> Estate:
        """Rows whose name contains `name`; columns whose label or connection ids contain `instance`."""
        needle, where = name.strip().lower(), instance.strip().lower()
        shown = [
            i
            for i in self.instances
            if not where or where in i.label.lower() or any(where in c.lower() for c in i.conn_ids)
        ]
        rows = [r for r in self.rows if needle in r.name.lower()]
        return Estate(shown, {i.key: self.states[i.key] for i in shown}, rows)


def _live(versions: Sequence[Integration]) -> Integration | list[Integration]:
    active = [i for i in versions if i.status == IntegrationStatus.ACTIVATED]
    return active if active else max(versions, key=lambda i: i.version)


def _integration_cell(versions: Sequence[Integration], state: InstanceState, project: str | None) -> Cell:
    live = _live(versions)
    shown = live if isinstance(live, list) else [live]

    def key(integration: Integration) -> str:
        return f"{Kind.INTEGRATION.value}:{scoped(project, integration.id)}"

    drift = "; ".join(state.drift[key(i)].reason for i in versions if key(i) in state.drift) or None
    deployed = [state.provenance[key(i)] for i in shown if key(i) in state.provenance]
    return Cell(
        ", ".join(i.version for i in shown),
        "/".join(dict.fromkeys(i.status for i in shown)),
        drift,
        max(deployed, key=lambda p: p.deployed_at) if deployed else None,
    )


def _by_code(integrations: Sequence[Integration]) -> dict[str, list[Integration]]:
    codes: dict[str, list[Integration]] = {}
    for integration in integrations:
        codes.setdefault(integration.code, []).append(integration)
    return codes


def _deployment_cell(deployment: Deployment, members: Sequence[Integration]) -> Cell:
    """A project deployment: its versions, and ACTIVATED only when all of them are."""
    status = {i.id: i.status for i in members}
    states = {status.get(ident, "missing") for ident in deployment.integrations}
    versions = sorted({IntegrationId.of(ident).version for ident in deployment.integrations})
    return Cell(", ".join(versions), "/".join(sorted(states)))


def _reason(state: InstanceState, key: str) -> str | None:
    drift = state.drift.get(key)
    return drift.reason if drift else None


def _cells(kind: Kind, state: InstanceState) -> dict[str, Cell]:
    if kind == Kind.INTEGRATION:
        cells = {code: _integration_cell(v, state, None) for code, v in _by_code(state.integrations).items()}
        for project, members in state.project_integrations.items():
            for code, versions in _by_code(members).items():
                cells[scoped(project, code)] = _integration_cell(versions, state, project)
        return cells
    if kind == Kind.LOOKUP:
        return {
            lk.name: Cell(
                "",
                "present",
                _reason(state, f"{kind.value}:{lk.name}"),
                state.provenance.get(f"{kind.value}:{lk.name}"),
            )
            for lk in state.lookups
        }
    cells = {}
    for project in state.projects:
        key = f"{kind.value}:{project.id}"
        cells[project.id] = Cell(
            f"revision {project.revision}" if project.revision else "",
            "present",
            _reason(state, key),
            state.provenance.get(key),
        )
        members = state.project_integrations.get(project.id, ())
        for deployment in project.deployments:
            cells[f"{project.id} deployment {deployment.code}"] = _deployment_cell(deployment, members)
    return cells


def _missing(kind: Kind, state: InstanceState) -> dict[str, Cell]:
    """Artifacts the ledger says were deployed and drift says are gone: shown, not left out."""
    prefix = f"{kind.value}:"
    gone = {}
    for key, drift in state.drift.items():
        if key.startswith(prefix) and drift.gone:
            ident = key[len(prefix) :]
            name = ident.split("|", 1)[0] if kind == Kind.INTEGRATION else ident
            gone[name] = Cell("", "deleted", drift.reason, state.provenance.get(key))
    return gone


def build_estate(instances: Sequence[Instance], states: Mapping[str, InstanceState]) -> Estate:
    """The matrix: a row per integration code, lookup and project found on any instance."""
    table: dict[tuple[Kind, str], dict[str, Cell]] = {}
    for instance in instances:
        state = states[instance.key]
        if state.error is not None:
            continue
        for kind in ROW_KINDS:
            for name, cell in {**_missing(kind, state), **_cells(kind, state)}.items():
                table.setdefault((kind, name), {})[instance.key] = cell
    rows = [
        Row(kind, name, cells)
        for (kind, name), cells in sorted(table.items(), key=lambda i: (ROW_KINDS.index(i[0][0]), i[0][1]))
    ]
    return Estate(list(instances), dict(states), rows)
