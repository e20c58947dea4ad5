"""A connection record checked against OIC's own catalogue of its adapter (`securityPolicyInfo` and the
connection properties OIC lists): policies offered, property names, required and secret properties."""

from __future__ import annotations

import difflib

from ...oic.models import Connection, ConnectionProperty
from ..model.issues import Issue
from ..model.specs import ConnectionSpec, Value, label


def _unknown(name: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.4)
    hint = f"did you mean '{close[0]}'? " if close else ""
    return f"'{name}' is not a property OIC knows here; {hint}known: {', '.join(known)}"


def _literal_secret(value: Value, definition: ConnectionProperty, allow_literal_secrets: bool) -> bool:
    return definition.type == "PASSWORD" and not value.placeholder and not allow_literal_secrets


LITERAL = (
    "is a PASSWORD property given as a literal value; use a ${VAR} placeholder "
    "(or set allow_literal_secrets to true)"
)


def catalogue_issues(spec: ConnectionSpec, current: Connection, allow_literal_secrets: bool) -> list[Issue]:
    """What OIC would refuse, or leave unconfigured, in `spec` given the connection OIC holds now."""
    what = label(spec)
    policies = current.policy_properties
    if not policies:
        return []
    if spec.security_policy is not None and spec.security_policy not in policies:
        return [
            Issue(
                what,
                "securityPolicy",
                f"'{spec.security_policy}' is not offered by its {current.adapter_type} adapter; "
                f"use one of {', '.join(policies)}",
            )
        ]
    issues = []
    connection_defs = {p.name: p for p in current.connection_properties}
    for name, value in spec.connection_properties.items():
        definition = connection_defs.get(name)
        if connection_defs and definition is None:
            issues.append(Issue(what, f"connectionProperties.{name}", _unknown(name, list(connection_defs))))
        elif definition is not None and _literal_secret(value, definition, allow_literal_secrets):
            issues.append(Issue(what, f"connectionProperties.{name}", LITERAL))
    policy = spec.security_policy or current.security_policy
    if spec.security_properties and policy is None:
        issues.append(Issue(what, "securityPolicy", "is needed with securityProperties; name the policy"))
        return issues
    security_defs = {p.name: p for p in policies.get(policy or "", ())}
    for name, value in spec.security_properties.items():
        definition = security_defs.get(name)
        if definition is None:
            known = list(security_defs) or ["none"]
            issues.append(Issue(what, f"securityProperties.{name}", f"{_unknown(name, known)} ({policy})"))
        elif _literal_secret(value, definition, allow_literal_secrets):
            issues.append(Issue(what, f"securityProperties.{name}", LITERAL))
    for name in spec.attachments:
        definition = security_defs.get(name) or connection_defs.get(name)
        if definition is None or not definition.takes_file:
            files = [d.name for d in (*connection_defs.values(), *security_defs.values()) if d.takes_file]
            issues.append(
                Issue(
                    what,
                    f"attachments.{name}",
                    f"OIC takes no file for '{name}' here ({current.adapter_type} adapter, policy "
                    f"{policy or 'none'}); its file properties are {', '.join(files) or 'none'}",
                )
            )
    if spec.security_policy is not None and spec.security_policy != current.security_policy:
        given = {*spec.security_properties, *spec.attachments}
        missing = [d.name for d in security_defs.values() if d.required and d.name not in given]
        if missing:
            issues.append(
                Issue(
                    what,
                    "securityProperties",
                    f"the {spec.security_policy} policy needs {', '.join(missing)}; add them to the record",
                )
            )
    unset = [
        p.name
        for p in current.connection_properties
        if p.required
        and p.value is None
        and not p.has_attachment
        and p.name not in spec.connection_properties
        and p.name not in spec.attachments
    ]
    if unset and spec.test:
        issues.append(
            Issue(
                what,
                "connectionProperties",
                f"OIC needs {', '.join(unset)} to test it; add them to the record",
            )
        )
    return issues
