"""Backups in object storage (an S3-compatible service: moto's server on 127.0.0.1): a replace keeps
its backup there, not on the worker's disk; a rollback and a restore from another working directory (as
another worker would) put the old archive back byte for byte; retention prunes old runs there too."""

from __future__ import annotations

import base64

from airflow_provider_oracle_oic.deploy.engine import Deployment
from airflow_provider_oracle_oic.deploy.state import locations
from airflow_provider_oracle_oic.emulator.builders import IntegrationArchiveSpec, build_iar
from airflow_provider_oracle_oic.singer.inprocess import run_target
from tests.http_api import Api
from tests.object_storage import BUCKET, keys
from tests.target.conftest import singer_lines


def release(payload: bytes) -> list[str]:
    archive = base64.b64encode(
        build_iar(IntegrationArchiveSpec("HELLO", "01.00.0000", payload=payload))
    ).decode()
    return singer_lines(
        [("integrations", {"code": "HELLO", "version": "01.00.0000", "archive_base64": archive})]
    )


def test_a_replace_keeps_its_backup_in_object_storage_and_a_restore_elsewhere_puts_it_back(
    s3, config, oic_emulator, tmp_path, monkeypatch
):
    stored = {**config, "backup_directory": f"s3://{BUCKET}/prod/", "backup_retention": 2}
    first = run_target(stored, release(b"first"))
    assert first.ok, first.summary()
    original = Api(oic_emulator).get("/integrations/HELLO%7C01.00.0000/archive").content
    second = run_target(stored, release(b"second"))
    assert second.ok, second.summary()
    [backup] = [k for k in keys(s3) if k.startswith(f"prod/{second.run_id}/")]
    assert s3.get_object(Bucket=BUCKET, Key=backup)["Body"].read() == original
    # Nothing of the backup stayed on this machine.
    assert not list(tmp_path.glob("**/integration-*.iar"))

    # Another worker: its own working directory and temp folder, the same ledger and journals.
    elsewhere = tmp_path / "other-worker"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    monkeypatch.setenv("TMPDIR", str(elsewhere))
    restored = Deployment.from_target_config({**stored, "restore_run": second.run_id}).run()
    assert restored.ok, restored.summary()
    assert Api(oic_emulator).get("/integrations/HELLO%7C01.00.0000/archive").content == original


def test_retention_prunes_old_runs_in_object_storage(s3, config, oic_emulator):
    stored = {**config, "backup_directory": f"s3://{BUCKET}/retained", "backup_retention": 1}
    runs = [run_target(stored, release(payload)) for payload in (b"a", b"b", b"c")]
    assert all(r.ok for r in runs)
    prefixes = {k.split("/")[1] for k in keys(s3) if k.startswith("retained/")}
    assert prefixes == {runs[-1].run_id}


def test_a_failed_run_rolls_back_from_object_storage(s3, config, oic_emulator):
    stored = {**config, "backup_directory": f"s3://{BUCKET}/rollback", "max_retries": 0}
    assert run_target(stored, release(b"live")).ok
    live = Api(oic_emulator).get("/integrations/HELLO%7C01.00.0000/archive").content
    # The replace goes through; the activation after it fails, so the run puts the archive back.
    hello = "/ic/api/integration/v1/integrations/HELLO?01.00.0000"
    oic_emulator.set_faults([{"route": hello, "methods": ["POST", "PATCH"], "p500": 1.0}])
    failed = run_target({**stored, "activate_integrations": True}, release(b"broken"))
    oic_emulator.set_faults([])
    assert not failed.ok
    assert any(
        u.description == "restore integration HELLO|01.00.0000 from its backup" and u.ok for u in failed.undo
    )
    assert failed.not_restorable == []
    assert Api(oic_emulator).get("/integrations/HELLO%7C01.00.0000/archive").content == live


def test_a_backup_location_that_cannot_be_written_is_refused_before_any_write(s3, config, oic_emulator):
    oic_emulator.reset_stats()
    result = run_target({**config, "backup_directory": "s3://no-such-bucket/prod"}, release(b"x"))
    [issue] = result.issues
    assert str(issue).startswith(
        "configuration: backup_directory: s3://no-such-bucket/prod cannot be written ("
    )
    assert "test-secret" not in result.summary()
    assert oic_emulator.stats()["writes"] == 0


def test_outside_airflow_a_location_naming_a_connection_is_refused_before_any_write(
    s3, config, oic_emulator, monkeypatch
):
    # As in a process where no Airflow operator ran (earlier tests of this session may have run some).
    monkeypatch.setattr(locations, "_OPENERS", [])
    oic_emulator.reset_stats()
    result = run_target({**config, "backup_directory": f"s3://oic_backups@{BUCKET}/prod"}, release(b"x"))
    [issue] = result.issues
    assert str(issue) == (
        f"configuration: backup_directory: s3://oic_backups@{BUCKET}/prod names a connection (oic_backups@), "
        "which only Airflow reads; outside Airflow leave it out and give the storage's credentials in the "
        "environment; fix the setting"
    )
    assert oic_emulator.stats()["writes"] == 0
