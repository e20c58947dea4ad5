"""Two runs sharing one ledger (two DAGs through one connection) keep each other's entries."""

from __future__ import annotations

from airflow_provider_oracle_oic.deploy.state.ledger import JsonFileStore, Ledger, LedgerEntry


def test_runs_that_save_in_turn_keep_each_others_entries(tmp_path):
    store = JsonFileStore(tmp_path / "ledger.json")
    Ledger(store, "oic").save()
    first, second = Ledger(store, "oic"), Ledger(store, "oic")
    first.record("lookups:A", LedgerEntry("fa", "t1"))
    second.record("lookups:B", LedgerEntry("fb", "t2"))
    second.restore("lookups:GONE", None)
    first.save()
    second.save()
    again = Ledger(store, "oic")
    assert again.get("lookups:A") == LedgerEntry("fa", "t1")
    assert again.get("lookups:B") == LedgerEntry("fb", "t2")
    assert again.hmac_key == first.hmac_key == second.hmac_key


def test_a_restored_entry_is_removed_on_save(tmp_path):
    store = JsonFileStore(tmp_path / "ledger.json")
    ledger = Ledger(store, "oic")
    ledger.record("lookups:A", LedgerEntry("fa", "t1"))
    ledger.save()
    later = Ledger(store, "oic")
    later.restore("lookups:A", None)
    later.save()
    assert Ledger(store, "oic").get("lookups:A") is None
