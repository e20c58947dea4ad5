"""The JSON schema of `release.yaml`: what a release folder's files cannot say themselves.

Published as `docs/release.schema.json` (`make docs`); secrets may only appear as `${VAR}` placeholders.
"""

from __future__ import annotations

from typing import Any

_PLACEHOLDER = {
    "type": "string",
    "pattern": r"^\$\{[A-Za-z_][A-Za-z0-9_]*\}$",
    "description": "A ${VAR} placeholder filled at deploy time; a secret never lives in Git",
}
_FLAG = {"type": "boolean"}
_TEXT = {"type": "string"}


def _entries(key_pattern: str, key_example: str, fields: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "description": f"Per-artifact settings, keyed like {key_example}",
        "propertyNames": {"pattern": key_pattern},
        "additionalProperties": {"type": "object", "additionalProperties": False, "properties": fields},
    }


_VERSIONED = r"^[A-Z0-9_]+\|\d{2}\.\d{2}\.\d{4}$"
_NAME = r"^[A-Za-z0-9_.-]+$"

MANIFEST_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://github.com/airflow-provider-oracle-oic/docs/release.schema.json",
    "title": "release.yaml",
    "description": "Settings of a release folder that its files cannot carry (docs/release-folder.md)",
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "activate": {**_FLAG, "description": "Activate every integration and package (default false)"},
        "integrations": _entries(
            _VERSIONED,
            "ORDERS|01.00.0000",
            {
                "activate": _FLAG,
                "tracing": _FLAG,
                "payload_tracing": _FLAG,
                "record_enabled": _FLAG,
                "name": _TEXT,
                "package": _TEXT,
                "connections": {"type": "array", "items": _TEXT},
            },
        ),
        "packages": _entries(_NAME, "ORDERS_PKG", {"activate": _FLAG}),
        "lookups": _entries(_NAME, "COUNTRY_CODES", {"description": _TEXT}),
        "libraries": _entries(
            _VERSIONED, "MATHLIB|01.00.0000", {"name": _TEXT, "type": _TEXT, "description": _TEXT}
        ),
        "certificates": _entries(
            _NAME,
            "erp_ca",
            {
                "type": {"enum": ["X509", "PGP", "SAML", "SIGNKEY"]},
                "category": {"enum": ["TRUST", "IDENTITY", "PRIVATE", "PUBLIC", "OWSM"]},
                "keystorePassword": _PLACEHOLDER,
                "keyPasswords": _PLACEHOLDER,
                "passPhrase": _PLACEHOLDER,
            },
        ),
        "connections": _entries(
            r"^[A-Z0-9_]+$", "REST_ERP", {"test": _FLAG, "agentGroupId": _TEXT, "description": _TEXT}
        ),
    },
}
