"""Helpers for target tests: Singer lines from records, a config pointing at the emulator, archives on disk."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

from airflow_provider_oracle_oic.emulator import EmulatorServer
from airflow_provider_oracle_oic.emulator.builders import (
    IntegrationArchiveSpec,
    ProjectArchiveSpec,
    build_car,
    build_certificate_pem,
    build_iar,
    build_js_library,
    build_par,
)
from airflow_provider_oracle_oic.singer.schemas import schema_message


def singer_lines(records: Iterable[tuple[str, dict[str, Any]]], state: dict | None = None) -> list[str]:
    """SCHEMA once per stream, then the records in the given order, then an optional STATE."""
    lines, seen = [], set()
    for stream, record in records:
        if stream not in seen:
            seen.add(stream)
            lines.append(json.dumps(schema_message(stream)))
        lines.append(json.dumps({"type": "RECORD", "stream": stream, "record": record}))
    if state is not None:
        lines.append(json.dumps({"type": "STATE", "value": state}))
    return lines


class Archives:
    """Writes archives into the run's archive_directory."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def iar(self, code: str, version: str = "01.00.0000", **spec: Any) -> str:
        name = f"{code}_{version}.iar"
        (self.root / name).write_bytes(build_iar(IntegrationArchiveSpec(code, version, **spec)))
        return name

    def par(self, name: str, specs: list[IntegrationArchiveSpec]) -> str:
        (self.root / f"{name}.par").write_bytes(build_par(specs))
        return f"{name}.par"

    def car(self, spec: ProjectArchiveSpec, name: str | None = None) -> str:
        name = name or f"{spec.id}.car"
        (self.root / name).write_bytes(build_car(spec))
        return name

    def js(self, name: str = "math.js", function_name: str = "add") -> str:
        (self.root / name).write_bytes(build_js_library(function_name))
        return name

    def pem(self, name: str = "trust.pem") -> str:
        (self.root / name).write_bytes(build_certificate_pem())
        return name


@pytest.fixture
def archives(tmp_path) -> Archives:
    root = tmp_path / "archives"
    root.mkdir()
    return Archives(root)


def target_config(server: EmulatorServer, root: Path, archives: Archives) -> dict[str, Any]:
    """A target config for `server` with a ledger, an audit log and backups under `root`, fast polling."""
    return {
        "base_url": server.url,
        "oauth_client_id": server.config.client_id,
        "oauth_client_secret": server.config.client_secret,
        "oauth_token_url": server.token_url,
        "archive_directory": str(archives.root),
        "state_path": str(root / "ledger.json"),
        "audit_log": str(root / "audit.jsonl"),
        "backup_directory": str(root / "backups"),
        "activation_poll_interval": 0.02,
        "activation_timeout": 30,
    }


@pytest.fixture
def config(oic_emulator, archives, tmp_path) -> dict[str, Any]:
    """A target config for the session's emulator."""
    return target_config(oic_emulator, tmp_path, archives)


@pytest.fixture
def project_config(config) -> dict[str, Any]:
    """A target config for OIC 3 project work (an integration instance named)."""
    return {**config, "integration_instance": "oic3-test", "max_retries": 0}
