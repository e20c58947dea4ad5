"""What a step changes, as lines a person reviews (a lookup's rows, a connection's properties): the
plan and the run show them. A secret value is never shown, only that it is set."""

from __future__ import annotations

from ...oic.models import Connection, Lookup
from ..model.specs import ConnectionSpec, LookupSpec

# Enough lines to review a change; the rest is counted.
MAX_LINES = 50


def _bounded(lines: list[str]) -> tuple[str, ...]:
    if len(lines) <= MAX_LINES:
        return tuple(lines)
    return (*lines[:MAX_LINES], f"… and {len(lines) - MAX_LINES} more line(s)")


def _row(row: tuple[str, ...]) -> str:
    return " | ".join(row)


def lookup_changes(spec: LookupSpec, current: Lookup | None) -> tuple[str, ...]:
    """Rows added (`+`) and removed (`-`), columns and description changed."""
    if current is None:
        return _bounded([f"+ {_row(spec.columns)} (columns)", *(f"+ {_row(r)}" for r in spec.rows)])
    lines = []
    if current.columns != spec.columns:
        lines.append(f"columns: {_row(current.columns)} → {_row(spec.columns)}")
    if spec.description is not None and spec.description != current.description:
        lines.append(f"description: {current.description!r} → {spec.description!r}")
    wanted = set(spec.rows)
    held = set(current.rows)
    lines += [f"- {_row(r)}" for r in current.rows if r not in wanted]
    lines += [f"+ {_row(r)}" for r in spec.rows if r not in held]
    return _bounded(lines)


def connection_changes(
    spec: ConnectionSpec, current: Connection | None, files: tuple[str, ...]
) -> tuple[str, ...]:
    """Properties set or changed (secrets only said to be set), the policy, the agent group, files."""
    shown = (
        {}
        if current is None
        else {p.name: p.value for p in (*current.connection_properties, *current.security_properties)}
    )
    lines = []
    if spec.security_policy is not None and (
        current is None or spec.security_policy != current.security_policy
    ):
        before = current.security_policy if current is not None else None
        lines.append(f"securityPolicy: {before or '(none)'} → {spec.security_policy}")
    for group, values in (
        ("connectionProperties", spec.connection_properties),
        ("securityProperties", spec.security_properties),
    ):
        for name, value in values.items():
            if value.secret:
                lines.append(f"{group}.{name}: set (secret, not shown)")
            elif shown.get(name) != value.text:
                lines.append(f"{group}.{name}: {shown.get(name) or '(unset)'} → {value.text}")
    if spec.agent_group_id is not None and (current is None or spec.agent_group_id != current.agent_group_id):
        lines.append(f"agentGroupId: {current.agent_group_id if current else None} → {spec.agent_group_id}")
    lines += [f"attachment {name}: new file uploaded (secret, not shown)" for name in files]
    return _bounded(lines)
