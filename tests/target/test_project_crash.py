"""SIGKILL at every write of an OIC 3 project replace, under each activation policy: the re-run brings
the project to the state an uninterrupted run leaves (statuses included), and a third run writes nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from airflow_provider_oracle_oic.emulator import EmulatorServer
from airflow_provider_oracle_oic.emulator.config import EmulatorConfig
from airflow_provider_oracle_oic.singer.inprocess import run_target
from tests.target.conftest import Archives, singer_lines, target_config
from tests.target.test_crash import WRITE_LATENCY_MS, run_and_kill, writes
from tests.target.test_projects import hub, records

# Long or needs real processes: in make test, not in make check.
pytestmark = pytest.mark.slow

POLICIES = ("auto", "manual")
SECRETS = {"ERP_PW": "erp-secret-in-project"}


@pytest.fixture(scope="module")
def server() -> Iterator[EmulatorServer]:
    with EmulatorServer(EmulatorConfig(activation_delay=0.05)) as emulator:
        yield emulator


class ProjectRelease:
    """Version 1 of the project deployed and ACTIVATED; version 2's input and config ready to run."""

    def __init__(self, root: Path, server: EmulatorServer, policy: str) -> None:
        archives = Archives(root / "archives")
        archives.root.mkdir(parents=True)
        base = {**target_config(server, root, archives), "integration_instance": "oic3-test"}
        first = run_target(base, singer_lines(records(archives.car(hub(), "v1.car"))), secrets=SECRETS)
        assert first.ok, first.summary()
        self.config = {**base, "activation_policy": policy}
        self.config_path = root / "config.json"
        self.config_path.write_text(json.dumps(self.config))
        self.input = root / "release.jsonl"
        lines = singer_lines(records(archives.car(hub(payload=b"v2"), "v2.car")))
        self.input.write_text("\n".join(lines) + "\n")

    def run(self) -> Any:
        with self.input.open() as lines:
            return run_target(self.config, lines, secrets=SECRETS)


def project_state(server: EmulatorServer) -> dict[str, Any]:
    (project,) = server.state()["projects"]
    return {
        "integrations": {
            f"{i['code']}|{i['version']}": (i["archive_sha256"], i["status"]) for i in project["integrations"]
        },
        "deployments": {
            d["code"]: sorted(f"{i['code']}|{i['version']}" for i in d["integrations"])
            for d in project["deployments"]
        },
    }


def fresh(server: EmulatorServer, root: Path, policy: str) -> ProjectRelease:
    server.reset()
    files = ProjectRelease(root, server, policy)
    server.reset_stats()
    return files


@pytest.fixture(scope="module")
def reference(server, tmp_path_factory) -> dict[str, Any]:
    """Per policy: the writes an uninterrupted replace makes and the state it leaves."""
    found = {}
    for policy in POLICIES:
        files = fresh(server, tmp_path_factory.mktemp(f"project-reference-{policy}"), policy)
        result = files.run()
        assert result.ok, result.summary()
        state = project_state(server)
        assert {status for _, status in state["integrations"].values()} == {"ACTIVATED"}
        found[policy] = {"writes": writes(server), "desired": state}
    return found


MAX_WRITES = 12


def test_the_replace_has_writes_to_crash_at(reference):
    for policy in POLICIES:
        assert 6 <= reference[policy]["writes"] <= MAX_WRITES, policy


@pytest.mark.parametrize("k", range(1, MAX_WRITES + 1))
@pytest.mark.parametrize("policy", POLICIES)
def test_a_rerun_after_sigkill_in_a_project_replace_converges(policy, k, server, reference, tmp_path):
    if k > reference[policy]["writes"]:
        pytest.skip(f"the replace makes {reference[policy]['writes']} writes")
    files = fresh(server, tmp_path, policy)
    server.set_faults(
        [{"route": "/ic/api/*", "methods": ["POST", "PUT", "DELETE"], "latency_ms": WRITE_LATENCY_MS}]
    )
    try:
        run_and_kill(files, server, k, env={"ERP_PW": SECRETS["ERP_PW"]})
    finally:
        server.clear_faults()

    second = files.run()
    assert second.ok, second.summary()
    assert project_state(server) == reference[policy]["desired"], second.summary()

    server.reset_stats()
    third = files.run()
    assert third.ok, third.summary()
    assert writes(server) == 0, third.summary()
