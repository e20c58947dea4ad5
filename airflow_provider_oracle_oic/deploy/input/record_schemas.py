"""The record fields of each stream, declared once (docs/streams.md): the SCHEMA messages taps and
hand-written files send, and the fields the engine knows, both come from here."""

from __future__ import annotations

from typing import Any

_STRING = {"type": ["string", "null"]}
_BOOL = {"type": ["boolean", "null"]}
_PROPERTIES = {
    "anyOf": [{"type": "object"}, {"type": "array", "items": {"type": "object"}}, {"type": "null"}]
}
_ARCHIVE = {"archive_path": _STRING, "archive_base64": _STRING, "checksum": _STRING}

SCHEMAS: dict[str, dict[str, Any]] = {
    "connections": {
        "properties": {
            "id": {"type": "string"},
            "name": _STRING,
            "description": _STRING,
            "adapterType": _STRING,
            "securityPolicy": _STRING,
            "connectionUrl": _STRING,
            "connectionProperties": _PROPERTIES,
            "securityProperties": _PROPERTIES,
            "agentGroupId": _STRING,
            "attachments": {"type": ["object", "null"]},
            "test": _BOOL,
            "project": _STRING,
        },
        "key_properties": ["id"],
    },
    "integrations": {
        "properties": {
            "code": {"type": "string"},
            "version": {"type": "string"},
            "id": _STRING,
            "name": _STRING,
            "package": _STRING,
            "connections": {"type": ["array", "null"], "items": {"type": "string"}},
            "activate": _BOOL,
            "tracing": _BOOL,
            "payload_tracing": _BOOL,
            "record_enabled": _BOOL,
            "project": _STRING,
            **_ARCHIVE,
        },
        "key_properties": ["code", "version"],
    },
    "lookups": {
        "properties": {
            "name": {"type": "string"},
            "description": _STRING,
            "columns": {"type": ["array", "null"], "items": {"type": "string"}},
            "rows": {"type": ["array", "null"], "items": {"type": "array", "items": {"type": "string"}}},
            "archive_path": _STRING,
            "archive_base64": _STRING,
            "project": _STRING,
        },
        "key_properties": ["name"],
    },
    "packages": {
        "properties": {"name": {"type": "string"}, "activate": _BOOL, **_ARCHIVE},
        "key_properties": ["name"],
    },
    "libraries": {
        "properties": {
            "code": {"type": "string"},
            "version": {"type": "string"},
            "name": {"type": "string"},
            "type": _STRING,
            "description": _STRING,
            "project": _STRING,
            **_ARCHIVE,
        },
        "key_properties": ["code", "version"],
    },
    "certificates": {
        "properties": {
            "name": {"type": "string"},
            "type": {"type": "string"},
            "category": _STRING,
            "file_path": _STRING,
            "content_base64": _STRING,
            "keystorePassword": _STRING,
            "keyPasswords": _STRING,
            "passPhrase": _STRING,
        },
        "key_properties": ["name"],
    },
    "projects": {
        "properties": {
            "id": {"type": "string"},
            "name": _STRING,
            "description": _STRING,
            "deployment": {
                "type": ["object", "null"],
                "properties": {
                    "code": {"type": "string"},
                    "name": _STRING,
                    "integrations": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {"code": {"type": "string"}, "version": {"type": "string"}},
                        },
                    },
                },
            },
            "activate": _BOOL,
            "tracing": _BOOL,
            "payload_tracing": _BOOL,
            "record_enabled": _BOOL,
            **_ARCHIVE,
        },
        "key_properties": ["id"],
    },
}


def schema_message(stream: str) -> dict[str, Any]:
    """The SCHEMA message a tap (or a hand-written file) sends before the records of `stream`."""
    spec = SCHEMAS[stream]
    return {
        "type": "SCHEMA",
        "stream": stream,
        "schema": {"type": "object", "properties": spec["properties"]},
        "key_properties": spec["key_properties"],
    }
