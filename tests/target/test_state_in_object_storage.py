"""The ledger, journals and run lease in object storage (`state_path: s3://…`; moto's S3 server on
127.0.0.1): no file of the run stays on the machine that ran it, a re-run elsewhere writes nothing, a
restore elsewhere puts the old archive back, a second run is refused while the lease is held, and a run
killed mid-release is converged by the next one."""

from __future__ import annotations

import json
import time

import pytest

from airflow_provider_oracle_oic.deploy.engine import Deployment
from airflow_provider_oracle_oic.singer.inprocess import run_target
from tests.http_api import Api
from tests.object_storage import BUCKET, keys
from tests.target.test_object_storage import release


@pytest.fixture
def stored(s3, config, tmp_path, request):
    """Every piece of run state in the bucket, under a prefix of this test's own."""
    prefix = f"state-{request.node.name[5:40]}"
    local = {k: v for k, v in config.items() if k not in ("state_path", "backup_directory", "audit_log")}
    return {
        **local,
        "state_path": f"s3://{BUCKET}/{prefix}/ledger.json",
        "backup_directory": f"s3://{BUCKET}/{prefix}/backups",
        "activate_integrations": True,
    }


def under(s3, url: str) -> list[str]:
    prefix = url.split(f"{BUCKET}/", 1)[1]
    return [k[len(prefix) :] for k in keys(s3) if k.startswith(prefix)]


def elsewhere(tmp_path, monkeypatch, name: str) -> None:
    """Go on as another worker would: its own working directory and temp folder."""
    folder = tmp_path / name
    folder.mkdir()
    monkeypatch.chdir(folder)
    monkeypatch.setenv("TMPDIR", str(folder))


def test_the_ledger_and_journals_live_in_the_bucket_and_another_worker_reruns_and_restores(
    s3, stored, oic_emulator, tmp_path, monkeypatch
):
    before = set(tmp_path.rglob("*"))
    first = run_target(stored, release(b"first"))
    assert first.ok, first.summary()
    state = stored["state_path"]
    # At rest: the ledger as one object, the run's journal sealed into one, no log, no lease.
    journal_objects = [o for o in under(s3, state) if o.startswith(".journals/")]
    assert len(journal_objects) == 1
    assert journal_objects[0].startswith(f".journals/{first.run_id}/00000001-")
    assert [o for o in under(s3, state) if not o.startswith(".journals/")] == [""]
    ledger = json.loads(s3.get_object(Bucket=BUCKET, Key=state.split(f"{BUCKET}/", 1)[1])["Body"].read())
    assert "integrations:HELLO|01.00.0000" in ledger["instances"][oic_emulator.url]
    # Nothing of the run's state was written on this machine.
    assert {p for p in set(tmp_path.rglob("*")) - before if p.is_file()} == set()

    elsewhere(tmp_path, monkeypatch, "worker-2")
    oic_emulator.reset_stats()
    again = run_target(stored, release(b"first"))
    assert again.ok, again.summary()
    assert oic_emulator.stats()["writes"] == 0, again.summary()

    original = Api(oic_emulator).get("/integrations/HELLO%7C01.00.0000/archive").content
    replaced = run_target(stored, release(b"second"))
    assert replaced.ok, replaced.summary()

    elsewhere(tmp_path, monkeypatch, "worker-3")
    restored = Deployment.from_target_config({**stored, "restore_run": replaced.run_id}).run()
    assert restored.ok, restored.summary()
    assert Api(oic_emulator).get("/integrations/HELLO%7C01.00.0000/archive").content == original


def test_a_run_is_refused_while_another_holds_the_lease_and_goes_once_it_expired(s3, stored, oic_emulator):
    state = stored["state_path"]
    lease_key = f"{state.split(f'{BUCKET}/', 1)[1]}.lock"
    holder = {"holder": "pid 4242 on worker-7", "host": "worker-7", "pid": 4242, "token": "t"}
    s3.put_object(Bucket=BUCKET, Key=lease_key, Body=json.dumps({**holder, "expires": time.time() + 60}))
    oic_emulator.reset_stats()
    refused = run_target(stored, release(b"x"))
    [issue] = refused.issues
    assert str(issue).startswith(
        f"run: state_path: another target-oracle-oic run (pid 4242 on worker-7) holds {state}.lock ("
    )
    assert str(issue).endswith("; wait for it to finish, then run again")
    assert oic_emulator.stats()["writes"] == 0

    # worker-7 was killed and its lease ran out: the next run takes it over, and leaves none behind.
    s3.put_object(Bucket=BUCKET, Key=lease_key, Body=json.dumps({**holder, "expires": time.time() - 1}))
    taken = run_target(stored, release(b"x"))
    assert taken.ok, taken.summary()
    assert f"{state}.lock".split(f"{BUCKET}/", 1)[1] not in keys(s3)


def test_a_state_path_in_a_bucket_that_does_not_exist_or_naming_only_a_bucket_is_refused_before_any_write(
    s3, config, oic_emulator
):
    oic_emulator.reset_stats()
    result = run_target({**config, "state_path": "s3://no-such-bucket/oic/ledger.json"}, release(b"x"))
    [issue] = result.issues
    assert str(issue).startswith("configuration: state_path: s3://no-such-bucket/oic cannot be written (")
    assert str(issue).endswith("; fix the setting")
    result = run_target({**config, "state_path": f"s3://{BUCKET}/"}, release(b"x"))
    assert [str(i) for i in result.issues] == [
        f"configuration: state_path: s3://{BUCKET} names a bucket, not an object in it; give the file's place, "
        f"e.g. s3://{BUCKET}/oic/ledger.json; fix the setting"
    ]
    assert oic_emulator.stats()["writes"] == 0


def test_storage_failing_mid_run_fails_the_step_rolls_back_and_says_so_in_one_line(
    s3, stored, oic_emulator, monkeypatch
):
    from airflow_provider_oracle_oic.deploy.state import object_ledger
    from airflow_provider_oracle_oic.deploy.state.ledger import StateStorageError

    first = run_target(stored, release(b"first"))
    assert first.ok, first.summary()
    original = Api(oic_emulator).get("/integrations/HELLO%7C01.00.0000/archive").content
    # The bucket stops answering the ledger's saves once the replace went through.
    failing = object_ledger.ObjectLedgerStore.save

    def unreachable(self, data):
        raise StateStorageError(f"{self.where} cannot be written (EndpointConnectionError: no route)")

    monkeypatch.setattr(object_ledger.ObjectLedgerStore, "save", unreachable)
    failed = run_target(stored, release(b"second"))
    monkeypatch.setattr(object_ledger.ObjectLedgerStore, "save", failing)
    assert not failed.ok
    [failure] = failed.failures
    assert failure.detail.endswith("cannot be written (EndpointConnectionError: no route)"), failure
    assert "Traceback" not in failed.summary()
    assert failed.undo
    assert all(u.ok for u in failed.undo), failed.summary()
    assert failed.not_restorable == []
    assert Api(oic_emulator).get("/integrations/HELLO%7C01.00.0000/archive").content == original
