"""The write-ahead journal on disk, rollback decisions that read first, and exit codes that tell the truth."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from airflow_provider_oracle_oic.deploy.model.specs import Kind
from airflow_provider_oracle_oic.deploy.recovery.rollback import Restorer
from airflow_provider_oracle_oic.deploy.state.journal import (
    FileJournalStore,
    Journal,
    MemoryJournalStore,
    Outcome,
    Undo,
    UndoAction,
    past_runs,
)
from airflow_provider_oracle_oic.oic import OICClient, OICConfig
from airflow_provider_oracle_oic.singer.inprocess import run_target
from tests.target.conftest import singer_lines

PASSWORD = "journal-conn-password-3310"


def client_for(server) -> OICClient:
    return OICClient(
        OICConfig(
            base_url=server.url,
            client_id=server.config.client_id,
            client_secret=server.config.client_secret,
            token_url=server.token_url,
        )
    )


def journals(config: dict) -> list[Path]:
    folder = Path(config["state_path"] + ".journals")
    return sorted(folder.glob("*.journal.jsonl"))


def test_each_write_is_journaled_before_it_is_sent_and_settled_after(config, archives, api):
    assert api.import_iar("KEPT", "01.00.0000", payload=b"v1").status_code == 204
    api.set_status("KEPT|01.00.0000", "ACTIVATED")
    api.wait_status("KEPT|01.00.0000", "ACTIVATED")
    records = [
        ("lookups", {"name": "LK_J", "columns": ["a", "b"], "rows": [["1", "2"]]}),
        ("integrations", {"id": "KEPT|01.00.0000", "archive_path": archives.iar("KEPT", payload=b"v2")}),
    ]
    result = run_target(config, singer_lines(records), secrets={"PW": PASSWORD})
    assert result.ok, result.summary()
    [path] = journals(config)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    events = [json.loads(line) for line in path.read_text().splitlines()]
    assert events[0]["event"] == "start"
    assert events[-1] == {**events[-1], "event": "end", "status": "deployed"}
    intents = {e["seq"]: i for i, e in enumerate(events) if e["event"] == "intent"}
    outcomes = {e["seq"]: i for i, e in enumerate(events) if e["event"] == "outcome"}
    assert set(intents) == set(outcomes)
    assert all(intents[seq] < outcomes[seq] for seq in intents)
    actions = [events[i]["undo"]["action"] for i in sorted(intents.values())]
    assert "delete" in actions  # the lookup it created
    assert "activate" in actions  # KEPT was ACTIVATED before its replace
    assert "restore_archive" in actions
    [past] = past_runs(FileJournalStore(path.parent), config["base_url"])
    assert not past.interrupted
    assert api.status("KEPT|01.00.0000") == "ACTIVATED"


def test_rollback_takes_an_artifact_that_is_already_gone_as_undone(oic_emulator):
    journal = Journal(MemoryJournalStore(), "run-gone", oic_emulator.url)
    entry = journal.intend(Undo(UndoAction.DELETE, Kind.LOOKUP, "LK_NEVER", "delete lookup LK_NEVER"))
    journal.settle(entry, Outcome.UNKNOWN)
    with client_for(oic_emulator) as client:
        records, problems = Restorer(client, 10, 0.02).roll_back(journal)
    assert [r.ok for r in records] == [True]
    assert problems == []


@pytest.mark.slow  # waits out the whole retry budget of an undo (docs/safety.md)
def test_rollback_names_what_it_could_not_bring_back(oic_emulator, api):
    assert api.import_iar("HELD", "01.00.0000").status_code == 204
    oic_emulator.lock("integration", "HELD|01.00.0000")
    journal = Journal(MemoryJournalStore(), "run-held", oic_emulator.url)
    undo = Undo(
        UndoAction.ACTIVATE, Kind.INTEGRATION, "HELD|01.00.0000", "reactivate integration HELD|01.00.0000"
    )
    journal.settle(journal.intend(undo), Outcome.DONE)
    with client_for(oic_emulator) as client:
        restorer = Restorer(client, 10, 0.02)
        records, problems = restorer.roll_back(journal)
    assert [r.ok for r in records] == [False]
    assert problems == ["integration HELD|01.00.0000 is CONFIGURED; it was ACTIVATED before the run"]


def test_a_write_oic_refused_is_not_undone(oic_emulator, api):
    """A 4xx means the write did not happen: its undo (deleting what 'we' created) must not run."""
    api.post("/lookups", json={"name": "LK_THEIRS", "columns": ["a", "b"], "rows": []})
    journal = Journal(MemoryJournalStore(), "run-refused", oic_emulator.url)
    entry = journal.intend(Undo(UndoAction.DELETE, Kind.LOOKUP, "LK_THEIRS", "delete lookup LK_THEIRS"))
    journal.settle(entry, Outcome.FAILED)
    with client_for(oic_emulator) as client:
        records, _ = Restorer(client, 10, 0.02).roll_back(journal)
    assert records == []
    assert api.get("/lookups/LK_THEIRS").status_code == 200


def test_a_run_that_wrote_and_failed_exits_1_not_2(config, archives, api, oic_emulator, tmp_path):
    assert api.import_iar("LOCKED", "01.00.0000", payload=b"v1").status_code == 204
    oic_emulator.lock("integration", "LOCKED|01.00.0000")
    records = [
        ("lookups", {"name": "LK_FIRST", "columns": ["a", "b"], "rows": [["1", "2"]]}),
        ("integrations", {"code": "LOCKED", "version": "01.00.0000", "archive_path": archives.iar("LOCKED")}),
    ]
    (tmp_path / "in.jsonl").write_text("\n".join(singer_lines(records)) + "\n")
    (tmp_path / "config.json").write_text(json.dumps(config))
    target = Path(sys.executable).with_name("target-oracle-oic")
    with (tmp_path / "in.jsonl").open() as stdin:
        done = subprocess.run(
            [str(target), "--config", str(tmp_path / "config.json")],
            stdin=stdin,
            capture_output=True,
            text=True,
            timeout=120,
            env=dict(os.environ),
        )
    assert done.returncode == 1, done.stderr
    assert "rolled_back" in done.stderr
    assert "nothing was written" not in done.stderr
    assert api.get("/lookups/LK_FIRST").status_code == 404
    [path] = journals(config)
    [past] = past_runs(FileJournalStore(path.parent), config["base_url"])
    assert past.status == "rolled_back"


def fail_after_deactivating_keep(config: dict, archives, api) -> tuple[str, dict]:
    """KEEP is ACTIVATED; a run without rollback replaces it (taking it down) and then fails at a
    connection it cannot configure. Returns KEEP's record."""
    assert api.import_iar("KEEP", "01.00.0000", payload=b"v1").status_code == 204
    api.set_status("KEEP|01.00.0000", "ACTIVATED")
    api.wait_status("KEEP|01.00.0000", "ACTIVATED")
    keep = (
        "integrations",
        {"code": "KEEP", "version": "01.00.0000", "archive_path": archives.iar("KEEP", payload=b"v2")},
    )
    broken = {
        "code": "BROKEN",
        "version": "01.00.0000",
        "archive_path": archives.iar("BROKEN", connections=["C_X"]),
        "activate": True,
    }
    unconfigurable = {"id": "C_X", "securityPolicy": "BASIC_AUTH", "connectionUrl": "https://x.example.com"}
    records = [keep, ("integrations", broken), ("connections", unconfigurable)]
    # KEEP's replace (the only archive PUT) is held until the connection has failed, so the run stops
    # before it starts KEEP's activation: without it, that order was a race the activation sometimes won.
    api.server.set_faults(
        [{"route": "/ic/api/integration/v1/integrations/archive", "methods": ["PUT"], "latency_ms": 1500}]
    )
    try:
        assert not run_target({**config, "rollback_on_failure": False}, singer_lines(records)).ok
    finally:
        api.server.clear_faults()
    assert api.status("KEEP|01.00.0000") == "CONFIGURED"
    return keep


def test_a_failed_run_leaves_its_active_integrations_for_the_next_run_to_bring_back(config, archives, api):
    keep = fail_after_deactivating_keep(config, archives, api)
    second = run_target(config, singer_lines([keep]))
    assert second.ok, second.summary()
    assert api.status("KEEP|01.00.0000") == "ACTIVATED"
    assert any("interrupted or failed run" in r.reason for r in second.results), second.summary()


def test_an_interrupted_runs_integration_missing_from_the_next_input_is_named_and_remembered(
    config, archives, api
):
    """Run B deploys something else: it says KEEP is still down, and A's journal stays open so a
    later run that deploys KEEP brings it back."""
    keep = fail_after_deactivating_keep(config, archives, api)
    other = run_target(
        config, singer_lines([("lookups", {"name": "LK_ELSE", "columns": ["a", "b"], "rows": []})])
    )
    assert other.ok, other.summary()
    assert any("KEEP|01.00.0000 were ACTIVATED before run" in w for w in other.warnings), other.warnings
    assert api.status("KEEP|01.00.0000") == "CONFIGURED"
    later = run_target(config, singer_lines([keep]))
    assert later.ok, later.summary()
    assert api.status("KEEP|01.00.0000") == "ACTIVATED"
    final = run_target(config, singer_lines([keep]))
    assert final.warnings == []


def test_a_second_run_with_the_same_ledger_is_refused_and_writes_nothing(config, oic_emulator):
    """Two runs against one OIC and ledger would race; the second is refused before any write."""
    import fcntl

    lock_path = Path(config["state_path"] + ".lock")
    with lock_path.open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        held.write("4242")
        held.flush()
        oic_emulator.reset_stats()
        result = run_target(
            config, singer_lines([("lookups", {"name": "LK_RACE", "columns": ["a", "b"], "rows": []})])
        )
    assert not result.ok
    [issue] = result.issues
    assert issue.field == "state_path"
    assert "another target-oracle-oic run (pid 4242)" in issue.message
    assert oic_emulator.stats()["writes"] == 0
    assert run_target(
        config, singer_lines([("lookups", {"name": "LK_RACE", "columns": ["a", "b"], "rows": []})])
    ).ok
