"""Fingerprints of desired content: sha256 of what a spec asks for, secrets folded in as keyed HMACs."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from ..model.specs import (
    CertificateSpec,
    ConnectionSpec,
    IntegrationSpec,
    LibrarySpec,
    LookupSpec,
    PackageSpec,
    ProjectSpec,
    Spec,
    Value,
)


def secret_digest(key: bytes, value: str) -> str:
    """A keyed HMAC of a secret: equal secrets compare equal, the value cannot be read back."""
    return "hmac-sha256:" + hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def _values(key: bytes, values: dict[str, Value]) -> dict[str, str]:
    return {name: secret_digest(key, v.text) if v.secret else v.text for name, v in sorted(values.items())}


def describe(spec: Spec, key: bytes) -> dict[str, Any]:
    """What the fingerprint covers; never a secret in clear."""
    # Activation state and flags are planned from OIC's live status, so only content counts for archives.
    # A project's deployment, like activation, is compared with OIC's live state, not the ledger.
    if isinstance(spec, IntegrationSpec | PackageSpec | ProjectSpec):
        return {"archive": spec.archive.sha256}
    if isinstance(spec, LibrarySpec):
        return {"archive": spec.archive.sha256, "name": spec.name, "type": spec.type}
    if isinstance(spec, CertificateSpec):
        return {
            "file": spec.archive.sha256,
            "type": spec.type,
            "category": spec.category,
            "secrets": _values(key, spec.secrets),
        }
    if isinstance(spec, LookupSpec):
        return {
            "columns": list(spec.columns),
            "rows": [list(r) for r in spec.rows],
            "description": spec.description,
        }
    assert isinstance(spec, ConnectionSpec)
    described: dict[str, Any] = {
        "connectionProperties": _values(key, spec.connection_properties),
        "securityProperties": _values(key, spec.security_properties),
        "securityPolicy": spec.security_policy,
        "agentGroupId": spec.agent_group_id,
    }
    if spec.attachments:
        described["attachments"] = attachment_digests(spec, key)
    return described


def attachment_digests(spec: ConnectionSpec, key: bytes) -> dict[str, str]:
    """Each attachment's content as a keyed HMAC: what the ledger keeps to upload only changed files."""
    return {name: secret_digest(key, file.sha256) for name, file in sorted(spec.attachments.items())}


def fingerprint(spec: Spec, key: bytes) -> str:
    return "sha256:" + hashlib.sha256(json.dumps(describe(spec, key), sort_keys=True).encode()).hexdigest()
