"""Dry run, rollback at each stage, idempotent re-runs, drift and the audit trail (issue 5)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from airflow_provider_oracle_oic.emulator.builders import IntegrationArchiveSpec, build_iar
from airflow_provider_oracle_oic.singer.inprocess import run_target
from tests.http_api import Api
from tests.target.conftest import singer_lines
from tests.target.mixed_release import comparable

SECRET = "conn-e-secret-value"


@pytest.fixture
def existing(oic_emulator, archives):
    """Three integrations already in OIC (INT_A active on CONN_A), and a lookup."""
    api = Api(oic_emulator)
    for code in ("INT_A", "INT_B", "INT_C"):
        connections = ["CONN_A"] if code == "INT_A" else []
        assert api.import_iar(code, "01.00.0000", connections=connections, payload=b"v1").status_code == 204
    api.configure_connection("CONN_A", url="https://a-before")
    api.set_status("INT_A|01.00.0000", "ACTIVATED")
    api.post("/lookups", json={"name": "LK_OLD", "columns": ["k", "v"], "rows": [{"rowData": ["1", "old"]}]})
    return api


def five_integrations(archives, *, conn_e: dict, conn_a: dict) -> list[str]:
    records = [
        ("lookups", {"name": "LK_OLD", "columns": ["k", "v"], "rows": [["1", "new"]]}),
        ("lookups", {"name": "LK_NEW", "columns": ["k", "v"], "rows": [["2", "x"]]}),
    ]
    for code in ("INT_A", "INT_B", "INT_C", "INT_D", "INT_E"):
        connections = {"INT_A": ["CONN_A"], "INT_E": ["CONN_E"]}.get(code, [])
        records.append(
            (
                "integrations",
                {
                    "code": code,
                    "version": "01.00.0000",
                    "activate": code in ("INT_A", "INT_D", "INT_E"),
                    "archive_path": archives.iar(code, connections=connections, payload=b"v2"),
                },
            )
        )
    records.append(("connections", {"id": "CONN_E", "securityPolicy": "BASIC_AUTH", **conn_e}))
    records.append(("connections", {"id": "CONN_A", **conn_a}))
    return singer_lines(records)


GOOD_E = {
    "connectionUrl": "https://e",
    "securityProperties": {"username": "svc", "password": "${CONN_E_PASSWORD}"},
}


@pytest.fixture(autouse=True)
def connection_secrets(monkeypatch):
    """The records name their passwords as placeholders, as a release kept in Git does."""
    monkeypatch.setenv("CONN_E_PASSWORD", SECRET)
    monkeypatch.setenv("CONN_A_CHANGED_PASSWORD", "changed-pw")


GOOD_A = {"connectionUrl": "https://a-after"}


def test_dry_run_plans_every_artifact_and_writes_nothing(config, archives, existing, oic_emulator):
    oic_emulator.reset_stats()
    result = run_target(
        {**config, "dry_run": True}, five_integrations(archives, conn_e=GOOD_E, conn_a=GOOD_A)
    )
    assert result.ok
    assert oic_emulator.stats()["writes"] == 0
    planned = [(r.kind, r.id, r.action) for r in result.results]
    assert planned == [
        ("lookup", "LK_OLD", "update"),
        ("lookup", "LK_NEW", "create"),
        ("integration", "INT_A|01.00.0000", "replace"),
        ("integration", "INT_B|01.00.0000", "replace"),
        ("integration", "INT_C|01.00.0000", "replace"),
        ("integration", "INT_D|01.00.0000", "create"),
        ("integration", "INT_E|01.00.0000", "create"),
        ("connection", "CONN_E", "update"),
        ("connection", "CONN_A", "update"),
        ("integration", "INT_A|01.00.0000", "activate"),
        ("integration", "INT_D|01.00.0000", "activate"),
        ("integration", "INT_E|01.00.0000", "activate"),
    ]
    assert {r.outcome.value for r in result.results} == {"planned"}
    assert "no ledger entry" in next(r.reason for r in result.results if r.id == "INT_B|01.00.0000")
    assert result.to_dict()["results"][0]["action"] in ("update", "create")


@pytest.mark.parametrize("stage", ["import", "connection_test", "activation"])
def test_failure_at_each_stage_restores_the_state_before(config, archives, existing, oic_emulator, stage):
    before = comparable(oic_emulator.state())
    conn_e, conn_a = GOOD_E, GOOD_A
    if stage == "import":
        oic_emulator.set_faults(
            [{"route": "*/integrations/archive", "methods": ["PUT"], "p503": 1.0, "times": 4}]
        )
    elif stage == "connection_test":
        conn_e = {"connectionUrl": "https://e", "securityProperties": {"username": "svc"}}
    else:
        conn_a = {**GOOD_A, "test": False, "securityProperties": {"password": "${CONN_A_CHANGED_PASSWORD}"}}
    # One request at a time, so the four injected 503s all hit the same replace and exhaust its retries.
    result = run_target(
        {**config, "max_retries": 3, "max_concurrency": 1},
        five_integrations(archives, conn_e=conn_e, conn_a=conn_a),
    )
    oic_emulator.clear_faults()
    assert not result.ok
    failed = result.failures
    assert failed
    expected_failure = {"import": "replace", "connection_test": "update", "activation": "activate"}[stage]
    assert failed[0].action == expected_failure
    assert result.undo
    assert all(u.ok for u in result.undo), [(u.description, u.detail) for u in result.undo]
    assert comparable(oic_emulator.state()) == before
    summary = result.summary()
    assert "rollback:" in summary
    assert SECRET not in summary
    if stage == "activation":
        assert result.not_restorable == [
            "connection CONN_A: its previous secret values cannot be read back from OIC; "
            "re-enter them if the rollback matters"
        ]
    else:
        assert result.not_restorable == []


def test_rollback_can_be_turned_off(config, archives, existing, oic_emulator):
    conn_e = {"connectionUrl": "https://e", "securityProperties": {"username": "svc"}}
    result = run_target(
        {**config, "rollback_on_failure": False}, five_integrations(archives, conn_e=conn_e, conn_a=GOOD_A)
    )
    assert not result.ok
    assert result.undo == []
    assert Api(oic_emulator).get("/integrations/INT_D%7C01.00.0000").status_code == 200


def test_unchanged_rerun_and_single_changed_lookup(config, archives, existing, oic_emulator):
    lines = five_integrations(archives, conn_e=GOOD_E, conn_a=GOOD_A)
    assert run_target(config, lines).ok
    oic_emulator.reset_stats()
    second = run_target(config, lines)
    assert second.ok
    assert {r.outcome.value for r in second.results} == {"skipped"}
    assert oic_emulator.stats()["writes"] == 0
    changed = [line.replace('["1", "new"]', '["1", "newer"]') for line in lines]
    oic_emulator.reset_stats()
    third = run_target(config, changed)
    written = [r.id for r in third.results if r.outcome.value == "applied"]
    assert written == ["LK_OLD"]
    assert oic_emulator.stats()["writes"] == 1


def test_drift_is_reported_and_redeployed(config, archives, oic_emulator, tmp_path):
    record = {
        "code": "DRIFTY",
        "version": "01.00.0000",
        "archive_path": archives.iar("DRIFTY", payload=b"ours"),
    }
    assert run_target(config, singer_lines([("integrations", record)])).ok
    by_hand = tmp_path / "by_hand.iar"
    by_hand.write_bytes(build_iar(IntegrationArchiveSpec("DRIFTY", "01.00.0000", payload=b"by hand")))
    Api(oic_emulator).upload("PUT", "/integrations/archive", by_hand.read_bytes(), "by_hand.iar")
    planned = run_target({**config, "dry_run": True}, singer_lines([("integrations", record)]))
    assert planned.drift == ["DRIFTY|01.00.0000"]
    assert planned.results[0].action == "replace"
    result = run_target(config, singer_lines([("integrations", record)]))
    assert result.ok
    assert result.drift == ["DRIFTY|01.00.0000"]
    assert result.results[0].outcome.value == "applied"
    exported = Api(oic_emulator).get("/integrations/DRIFTY%7C01.00.0000/archive").content
    assert exported == (archives.root / record["archive_path"]).read_bytes()


AUDIT_SCHEMA = {
    "oneOf": [
        {
            "type": "object",
            "required": [
                "type",
                "time",
                "run_id",
                "actor",
                "artifact",
                "action",
                "status_before",
                "status_after",
                "checksum",
                "duration_s",
                "outcome",
                "detail",
                "schema_version",
            ],
            "properties": {
                "type": {"const": "action"},
                "time": {"type": "string", "format": "date-time"},
                "run_id": {"type": "string", "minLength": 8},
                "actor": {"type": "string", "minLength": 1},
                "artifact": {"type": "string"},
                "action": {
                    "enum": ["create", "replace", "update", "upload", "test", "activate", "skip", "refuse"]
                },
                "status_before": {"type": ["string", "null"]},
                "status_after": {"type": ["string", "null"]},
                "checksum": {"type": ["string", "null"], "pattern": "^sha256:[0-9a-f]{64}$"},
                "duration_s": {"type": "number", "minimum": 0},
                "outcome": {"enum": ["applied", "skipped", "failed", "not_run", "rolled_back"]},
                "detail": {"type": ["string", "null"]},
            },
        },
        {
            "type": "object",
            "required": ["type", "time", "run_id", "actor", "ok", "counts", "undo", "not_restorable"],
            "properties": {"type": {"const": "summary"}, "ok": {"type": "boolean"}},
        },
    ]
}


def test_audit_trail_matches_its_schema_and_holds_no_secret(config, archives, existing, oic_emulator):
    incomplete = {
        "securityPolicy": "OAUTH_CLIENT_CREDENTIALS",
        "securityProperties": {"oauth.client.id": "only-this"},
    }
    assert not run_target(config, five_integrations(archives, conn_e=incomplete, conn_a=GOOD_A)).ok
    assert run_target(config, five_integrations(archives, conn_e=GOOD_E, conn_a=GOOD_A)).ok
    text = Path(config["audit_log"]).read_text()
    events = [json.loads(line) for line in text.splitlines()]
    for event in events:
        jsonschema.validate(event, AUDIT_SCHEMA)
    assert [e["ok"] for e in events if e["type"] == "summary"] == [False, True]
    assert {e["actor"] for e in events} == {oic_emulator.config.client_id}
    assert any(e["outcome"] == "rolled_back" for e in events if e["type"] == "action")
    assert SECRET not in text
    assert oic_emulator.config.client_secret not in text


def test_backups_keep_the_exported_archive_and_honour_retention(config, archives, oic_emulator, tmp_path):
    backups = tmp_path / "backups"
    settings = {**config, "backup_directory": str(backups), "backup_retention": 2}
    for round_number in range(4):
        record = {
            "code": "KEPT",
            "version": "01.00.0000",
            "archive_path": archives.iar("KEPT", payload=f"v{round_number}".encode()),
        }
        result = run_target(settings, singer_lines([("integrations", record)]))
        assert result.ok, result.summary()
    runs = sorted(p for p in backups.iterdir() if p.is_dir())
    assert len(runs) == 2
    saved = [p for run in runs for p in run.iterdir()]
    # Names never come from record values; the journal says which artifact each backup belongs to.
    assert [p.name for p in saved] == ["integration-0001.iar", "integration-0001.iar"]
    assert "backed up to" in result.results[0].detail


def test_a_ledger_that_cannot_be_saved_after_a_write_fails_that_step_and_the_run_rolls_back(
    oic_emulator, config, monkeypatch
):
    from airflow_provider_oracle_oic.deploy.state.ledger import JsonFileStore

    def release(payload: bytes) -> list[str]:
        archive = build_iar(IntegrationArchiveSpec("FULL", "01.00.0000", payload=payload))
        record = {
            "code": "FULL",
            "version": "01.00.0000",
            "archive_base64": __import__("base64").b64encode(archive).decode(),
        }
        return singer_lines([("integrations", record)])

    assert run_target(config, release(b"v1")).ok
    before = Api(oic_emulator).get("/integrations/FULL%7C01.00.0000/archive").content

    def disk_full(self, data):
        raise OSError(28, "No space left on device", str(self.path))

    monkeypatch.setattr(JsonFileStore, "save", disk_full)
    failed = run_target(config, release(b"v2"))
    assert not failed.ok
    [step] = failed.failures
    said = f"state_path {config['state_path']} cannot be written (No space left on device)"
    assert step.detail.endswith(said), step
    assert failed.undo
    assert all(u.ok for u in failed.undo)
    assert failed.error == said  # the rollback's own save of the ledger
    assert Api(oic_emulator).get("/integrations/FULL%7C01.00.0000/archive").content == before
