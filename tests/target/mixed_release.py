"""A mixed release against a prepared OIC, and the comparable view of OIC's state that safety tests judge.

Shared by the seeded fault-injection tests and the crash (SIGKILL) tests.
"""

from __future__ import annotations

from typing import Any

from airflow_provider_oracle_oic.emulator import EmulatorServer
from airflow_provider_oracle_oic.emulator.builders import IntegrationArchiveSpec, build_js_library
from tests.http_api import Api
from tests.target.conftest import Archives

CONN_PASSWORD = "chaos-conn-password-7781"


def prepare(server: EmulatorServer) -> None:
    """The pre-run OIC: active integrations that the release replaces and supersedes, a lookup, a connection."""
    api = Api(server)
    assert api.import_iar("ORDERS", "01.00.0000", connections=["CONN_A"], payload=b"v1").status_code == 204
    assert api.import_iar("BILLING", "01.00.0000", payload=b"v1").status_code == 204
    assert api.import_iar("IDLE", "01.00.0000", payload=b"v1").status_code == 204
    assert api.import_iar("KEEPUP", "01.00.0000", payload=b"v1").status_code == 204
    assert api.configure_connection("CONN_A", url="https://before.example.com").status_code == 200
    for ident in ("ORDERS|01.00.0000", "BILLING|01.00.0000", "KEEPUP|01.00.0000"):
        assert api.set_status(ident, "ACTIVATED").status_code == 200
        api.wait_status(ident, "ACTIVATED")
    assert (
        api.post(
            "/lookups", json={"name": "LK_CODES", "columns": ["k", "v"], "rows": [{"rowData": ["1", "a"]}]}
        ).status_code
        == 200
    )
    # A library the release replaces: a rollback must bring back its content and its file name.
    registered = api.upload(
        "POST",
        "/libraries/archive",
        build_js_library("before"),
        "mathlib.js",
        code="MATHLIB",
        version="01.00.0000",
        name="Math",
        type="API",
    )
    assert registered.status_code in (200, 204), registered.text


def release(archives: Archives) -> list[tuple[str, dict[str, Any]]]:
    """About fifteen artifacts: creates, replaces of active integrations, a supersede, a package, a connection."""
    pem = archives.pem("chaos-trust.pem")
    records: list[tuple[str, dict[str, Any]]] = [
        ("certificates", {"name": "chaos_trust", "type": "X509", "category": "TRUST", "file_path": pem}),
        (
            "libraries",
            {"code": "CHAOS_LIB", "version": "01.00.0000", "name": "Chaos", "archive_path": archives.js()},
        ),
        (
            "libraries",
            {
                "code": "MATHLIB",
                "version": "01.00.0000",
                "name": "Math",
                "archive_path": archives.js("mathlib-2.js", "after"),
            },
        ),
        ("lookups", {"name": "LK_CODES", "columns": ["k", "v"], "rows": [["1", "b"], ["2", "c"]]}),
        ("lookups", {"name": "LK_NEW", "columns": ["a", "b"], "rows": [["x", "y"]]}),
        (
            "packages",
            {
                "name": "chaos.pkg",
                "activate": True,
                "archive_path": archives.par(
                    "chaos.pkg",
                    [
                        IntegrationArchiveSpec("PKG_ONE", "01.00.0000", payload=b"p1"),
                        IntegrationArchiveSpec("PKG_TWO", "01.00.0000", payload=b"p2"),
                    ],
                ),
            },
        ),
    ]
    integrations = [
        ("ORDERS", "01.00.0000", ["CONN_A"], True),
        ("BILLING", "01.00.0001", [], True),
        ("IDLE", "01.00.0000", [], False),
        # Active before and replaced without asking for activation: it must still end ACTIVATED.
        ("KEEPUP", "01.00.0000", [], False),
        ("FRESH", "01.00.0000", ["CONN_NEW"], True),
        ("QUIET", "01.00.0000", [], False),
        ("LATER", "02.00.0000", [], True),
    ]
    for code, version, connections, activate in integrations:
        path = archives.iar(code, version, connections=connections, payload=b"v2")
        records.append(
            ("integrations", {"code": code, "version": version, "activate": activate, "archive_path": path})
        )
    for conn in ("CONN_A", "CONN_NEW"):
        records.append(
            (
                "connections",
                {
                    "id": conn,
                    "securityPolicy": "BASIC_AUTH",
                    "connectionUrl": f"https://after.example.com/{conn}",
                    "securityProperties": {"username": "svc", "password": "${CHAOS_CONN_PASSWORD}"},
                },
            )
        )
    return records


def comparable(state: dict[str, Any]) -> dict[str, Any]:
    """The emulator state without timestamps and secret digests: what a run or its rollback decides."""

    def props(conn: dict[str, Any], group: str) -> dict[str, Any]:
        return {
            p["propertyName"]: p["propertyValue"]
            for p in conn[group]
            if not str(p["propertyValue"]).startswith("sha256:")
        }

    return {
        "integrations": {
            f"{i['code']}|{i['version']}": (i["archive_sha256"], i["status"], i["package"])
            for i in state["integrations"]
        },
        "connections": {
            c["id"]: (
                c["status"],
                c["securityPolicy"],
                props(c, "connectionProperties"),
                props(c, "securityProperties"),
            )
            for c in state["connections"]
        },
        "lookups": {lk["name"]: (lk["columns"], lk["rows"], lk["description"]) for lk in state["lookups"]},
        "packages": {p["name"]: p["type"] for p in state["packages"]},
        "libraries": {
            f"{lib['code']}|{lib['version']}": (lib["file_name"], lib["archive_sha256"])
            for lib in state["libraries"]
        },
        # Each run's test certificate is generated afresh, so its content is not compared.
        "certificates": {
            c["name"]: (c["type"], c["category"], c["file_name"]) for c in state["certificates"]
        },
    }


def differences(got: dict[str, Any], wanted: dict[str, Any]) -> list[str]:
    """Readable differences between two comparable states."""
    lines = []
    for family, items in wanted.items():
        if isinstance(items, dict):
            for key in sorted(set(items) | set(got[family])):
                if items.get(key) != got[family].get(key):
                    lines.append(f"{family} {key}: wanted {items.get(key)}, got {got[family].get(key)}")
        elif items != got[family]:
            lines.append(f"{family}: wanted {items}, got {got[family]}")
    return lines
