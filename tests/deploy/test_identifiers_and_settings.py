"""Pure parsing: integration ids, booleans, the journal read back after a torn write."""

from __future__ import annotations

import json

import pytest

from airflow_provider_oracle_oic.deploy.model.settings import SettingsError, parse_bool
from airflow_provider_oracle_oic.deploy.state.journal import FileJournalStore, Outcome, past_runs
from airflow_provider_oracle_oic.oic.identifiers import IntegrationId


def test_integration_ids_parse_and_format():
    ident = IntegrationId.parse("HELLO_WORLD|01.02.0003")
    assert (ident.code, ident.version, ident.major, str(ident)) == (
        "HELLO_WORLD",
        "01.02.0003",
        "01",
        "HELLO_WORLD|01.02.0003",
    )
    for bad in ("hello|01.00.0000", "HELLO|1.0", "HELLO", "A" * 51 + "|01.00.0000"):
        with pytest.raises(ValueError, match=r"CODE\|NN\.NN\.NNNN"):
            IntegrationId.parse(bad)


@pytest.mark.parametrize(
    ("text", "value"), [("yes", True), ("ON", True), ("0", False), ("off", False), (None, True)]
)
def test_booleans_are_read_one_way(text, value):
    assert parse_bool(text, "verify_ssl", True) is value


def test_an_unclear_boolean_is_an_error_naming_the_setting():
    with pytest.raises(SettingsError, match="'verify_ssl' must be true or false, not 'maybe'"):
        parse_bool("maybe", "verify_ssl", True)


def test_a_journal_cut_mid_line_reads_as_interrupted_with_its_intents(tmp_path):
    store = FileJournalStore(tmp_path)
    store.append("run1", {"event": "start", "run_id": "run1", "instance": "oic", "inherited_active": []})
    undo = {"action": "activate", "kind": "integrations", "ident": "KEEP|01.00.0000", "description": "d"}
    store.append("run1", {"event": "intent", "seq": 1, "undo": undo})
    with (tmp_path / "run1.journal.jsonl").open("a") as out:
        out.write(json.dumps({"event": "outcome", "seq": 1})[:12])
    [run] = past_runs(store, "oic")
    assert run.interrupted
    assert run.active_before == ("KEEP|01.00.0000",)
    assert run.entries[0].outcome == Outcome.UNKNOWN


def test_a_file_url_is_a_path_and_other_urls_are_refused_by_name():
    from airflow_provider_oracle_oic.deploy.model.settings import SettingsError, deploy_settings

    settings = deploy_settings(
        {"backup_directory": "file:///shared/oic/backups", "state_path": "ledger.json"}
    )
    assert str(settings.backup_directory) == "/shared/oic/backups"
    assert deploy_settings({"state_path": "s3://bucket/ledger.json"}).state_path == "s3://bucket/ledger.json"
    with pytest.raises(
        SettingsError, match=r"Setting 'audit_log' is a s3:// location; it must be a local path"
    ):
        deploy_settings({"audit_log": "s3://bucket/audit.jsonl"})
    with pytest.raises(
        SettingsError, match=r"Setting 'backup_directory': nope:// is not a storage fsspec knows"
    ):
        deploy_settings({"backup_directory": "nope://bucket/prefix"})
    with pytest.raises(SettingsError, match=r"on host 'nas'"):
        deploy_settings({"state_path": "file://nas/ledger.json"})
    assert (
        deploy_settings({"backup_directory": "memory://oic/backups/"}).backup_directory
        == "memory://oic/backups"
    )
