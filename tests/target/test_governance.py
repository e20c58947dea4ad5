"""Saved plans applied exactly, the drift watch and point-in-time restore, through the CLI and in process,
against the emulator."""

from __future__ import annotations

import json
import re
import subprocess
from typing import Any

import pytest

from airflow_provider_oracle_oic.singer.inprocess import run_target
from tests.http_api import Api, enc
from tests.target.conftest import singer_lines
from tests.target.test_cli import SCRIPT, run

SECRET = "pw-never-in-a-plan-8812"


def release(
    archives, rows: list[list[str]], payload: bytes = b"v1", codes=("HELLO",)
) -> list[tuple[str, dict]]:
    records: list[tuple[str, dict[str, Any]]] = [
        (
            "integrations",
            {
                "code": code,
                "version": "01.00.0000",
                "activate": True,
                "archive_path": archives.iar(code, connections=["REST_A"], payload=payload),
            },
        )
        for code in codes
    ]
    records += [
        (
            "connections",
            {
                "id": "REST_A",
                "securityPolicy": "BASIC_AUTH",
                "connectionUrl": "https://a.example",
                "securityProperties": {"username": "u", "password": "${REST_A_PASSWORD}"},
            },
        ),
        ("lookups", {"name": "CODES", "columns": ["a", "b"], "rows": rows}),
    ]
    return records


@pytest.fixture
def cli(tmp_path, config):
    """Runs the CLI with the test's config and the secret in its environment; writes input files."""
    config_path = tmp_path / "config.json"
    config_path.write_text(json.dumps(config))

    def call(*args: str, records: list | None = None):
        extra = []
        if records is not None:
            path = tmp_path / f"input-{len(list(tmp_path.glob('input-*')))}.jsonl"
            path.write_text("\n".join(singer_lines(records)) + "\n")
            extra = ["--input", str(path)]
        return run(["--config", str(config_path), *extra, *args], env={"REST_A_PASSWORD": SECRET})

    return call


def deploy(config, records):
    result = run_target(config, singer_lines(records), secrets={"REST_A_PASSWORD": SECRET})
    assert result.ok, result.summary()
    return result


def test_a_saved_plan_is_applied_exactly_or_refused(cli, config, archives, oic_emulator, tmp_path):
    deploy(config, release(archives, [["1", "one"]]))
    plan = tmp_path / "plan.json"
    changed = release(archives, [["1", "uno"]], payload=b"v2")
    oic_emulator.reset_stats()
    done = cli("--plan-out", str(plan), records=changed)
    assert done.returncode == 0, done.stderr
    assert oic_emulator.stats()["writes"] == 0
    text = plan.read_text()
    assert SECRET not in text
    steps = json.loads(text)["steps"]
    planned = {(s["artifact"], s["action"]) for s in steps if s["action"] != "skip"}
    assert ("lookup CODES", "update") in planned
    assert ("integration HELLO|01.00.0000", "replace") in planned

    api = Api(oic_emulator)
    api.put(
        "/lookups/CODES", json={"name": "CODES", "columns": ["a", "b"], "rows": [{"rowData": ["9", "nine"]}]}
    )
    oic_emulator.reset_stats()
    refused = cli("--plan", str(plan), records=changed)
    assert refused.returncode == 2, refused.stderr
    assert re.search(r"lookup CODES: plan: OIC changed it since the plan", refused.stderr), refused.stderr
    assert oic_emulator.stats()["writes"] == 0

    fresh = tmp_path / "fresh.json"
    assert cli("--plan-out", str(fresh), records=changed).returncode == 0
    other_input = release(archives, [["1", "eins"]], payload=b"v2")
    stale = cli("--plan", str(fresh), records=other_input)
    assert stale.returncode == 2
    assert "lookup CODES: plan: its input changed since the plan" in stale.stderr
    assert oic_emulator.stats()["writes"] == 0

    applied = cli("--plan", str(fresh), records=changed)
    assert applied.returncode == 0, applied.stderr
    wanted = {
        (s["artifact"], s["action"]) for s in json.loads(fresh.read_text())["steps"] if s["action"] != "skip"
    }
    done_rows = set(re.findall(r"^(\S+ \S+(?: \(\S+ \S+\))?)\s+(\w+)\s+applied\s", applied.stderr, re.M))
    assert done_rows == wanted
    rows = [r["rowData"] for r in api.get("/lookups/CODES").json()["rows"]]
    assert rows == [["1", "uno"]]


def test_plan_file_problems_are_named(cli, archives, tmp_path, oic_emulator):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    done = cli("--plan", str(bad), records=release(archives, [["1", "one"]]))
    assert done.returncode == 2
    assert "is not valid JSON" in done.stderr
    assert oic_emulator.stats()["writes"] == 0


def test_drift_watch(cli, config, archives, oic_emulator):
    deploy(config, release(archives, [["1", "one"]]))
    clean = cli("--check-drift")
    assert clean.returncode == 0, clean.stderr
    assert clean.stdout == ""
    api = Api(oic_emulator)
    api.set_status("HELLO|01.00.0000", "CONFIGURED")
    api.put(
        "/lookups/CODES", json={"name": "CODES", "columns": ["a", "b"], "rows": [{"rowData": ["2", "two"]}]}
    )
    api.patch(
        "/connections/REST_A",
        {"connectionProperties": [{"propertyName": "connectionUrl", "propertyValue": "https://b"}]},
    )
    oic_emulator.reset_stats()
    drifted = cli("--check-drift")
    assert drifted.returncode == 3, drifted.stderr
    lines = drifted.stdout.splitlines()
    assert (
        "drift: integration HELLO|01.00.0000: deactivated in OIC (was ACTIVATED after the last deployment, now CONFIGURED)"
        in lines
    )
    assert any(
        line.startswith("drift: lookup CODES: its rows or columns differ from what was deployed")
        for line in lines
    )
    assert any(line.startswith("drift: connection REST_A: its properties changed in OIC") for line in lines)
    assert len(lines) == 3
    assert oic_emulator.stats()["writes"] == 0
    assert SECRET not in drifted.stdout + drifted.stderr


def test_drift_check_needs_a_ledger(tmp_path, config, oic_emulator):
    path = tmp_path / "nostate.json"
    path.write_text(json.dumps({k: v for k, v in config.items() if k != "state_path"}))
    done = run(["--config", str(path), "--check-drift"])
    assert done.returncode == 2
    assert "set state_path" in done.stderr


def archives_by_id(oic_emulator) -> dict[str, str]:
    return {f"{i['code']}|{i['version']}": i["archive_sha256"] for i in oic_emulator.state()["integrations"]}


def test_restore_a_run_that_replaced_two_integrations_and_a_lookup(cli, config, archives, oic_emulator):
    codes = ("ALPHA", "BETA")
    deploy(config, release(archives, [["1", "one"]], codes=codes))
    before = archives_by_id(oic_emulator)
    second = deploy(config, release(archives, [["1", "uno"]], payload=b"v2", codes=codes))
    assert archives_by_id(oic_emulator) != before

    oic_emulator.reset_stats()
    shown = cli("--restore", second.run_id, "--plan-out", "/dev/null")
    assert shown.returncode == 0, shown.stderr
    assert "restore integration ALPHA|01.00.0000 from its backup" in shown.stderr
    assert "restore lookup CODES (1 rows)" in shown.stderr
    assert oic_emulator.stats()["writes"] == 0

    restored = cli("--restore", second.run_id)
    assert restored.returncode == 0, restored.stderr
    assert archives_by_id(oic_emulator) == before
    api = Api(oic_emulator)
    assert {api.status(f"{c}|01.00.0000") for c in codes} == {"ACTIVATED"}
    assert [r["rowData"] for r in api.get("/lookups/CODES").json()["rows"]] == [["1", "one"]]

    # Restoring it again finds everything as before that run: nothing goes down and up for nothing.
    oic_emulator.reset_stats()
    again = cli("--restore", second.run_id)
    assert again.returncode == 0, again.stderr
    assert oic_emulator.stats()["writes"] == 0
    assert "already as before that run" in again.stderr
    assert {api.status(f"{c}|01.00.0000") for c in codes} == {"ACTIVATED"}


@pytest.mark.parametrize("run_id", ["", " ", "$RUN_ID", "nosuchrun", "../../etc/passwd"])
def test_restore_refuses_an_empty_or_malformed_run_id_before_reading_input(
    cli, config, archives, oic_emulator, run_id
):
    oic_emulator.reset_stats()
    refused = cli("--restore", run_id, records=release(archives, [["1", "one"]]))
    assert refused.returncode == 2, refused.stderr
    assert oic_emulator.stats()["writes"] == 0
    (line,) = [x for x in refused.stderr.splitlines() if "error" in x]
    assert "--restore" in line
    assert "Traceback" not in refused.stderr


def test_restore_refuses_what_a_later_run_changed_unless_partial(cli, config, archives, oic_emulator):
    codes = ("ALPHA",)
    deploy(config, release(archives, [["1", "one"]], codes=codes))
    second = deploy(config, release(archives, [["1", "uno"]], payload=b"v2", codes=codes))
    deploy(config, release(archives, [["1", "eins"]], payload=b"v2", codes=codes))
    refused = cli("--restore", second.run_id)
    assert refused.returncode == 2
    assert re.search(
        r"restore lookup CODES \(1 rows\): run \w+ changed it after run " + second.run_id, refused.stderr
    )
    assert "--restore-partial" in refused.stderr
    partial = cli("--restore", second.run_id, "--restore-partial")
    assert partial.returncode == 1, partial.stderr
    api = Api(oic_emulator)
    assert [r["rowData"] for r in api.get("/lookups/CODES").json()["rows"]] == [["1", "eins"]]
    unknown = cli("--restore", "0123456789ab")
    assert unknown.returncode == 2
    assert "no journal of run 0123456789ab" in unknown.stderr
    assert api.get(f"/integrations/{enc('ALPHA|01.00.0000')}").status_code == 200


def test_check_drift_reads_no_input(tmp_path, config, oic_emulator):
    """With stdin left open and silent, the drift check still ends: it never waits for Singer input."""
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config))
    process = subprocess.Popen(
        [SCRIPT, "--config", str(path), "--check-drift"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        process.wait(timeout=60)
    finally:
        process.kill()
    assert process.stdout is not None
    assert process.stderr is not None
    # It ended on its own: with no ledger written yet it says so (exit 2) instead of reading stdin.
    assert process.returncode == 2, process.stderr.read()
    assert process.stdout.read() == ""
