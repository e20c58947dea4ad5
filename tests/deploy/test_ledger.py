"""The ledger file: two runs sharing it keep each other's entries; saves after the first append to a log
that readers replay and a fold empties."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

from airflow_provider_oracle_oic.deploy.state.ledger import LOG_FOLD, JsonFileStore, Ledger, LedgerEntry


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


def test_saves_after_the_first_append_to_a_log_that_a_reader_replays_and_a_fold_empties(tmp_path):
    store = JsonFileStore(tmp_path / "ledger.json")
    ledger = Ledger(store, "oic")
    ledger.record("lookups:A", LedgerEntry("fa", "t1"))
    ledger.save()
    whole = store.path.read_bytes()
    ledger.record("lookups:B", LedgerEntry("fb", "t2"))
    ledger.restore("lookups:A", None)
    ledger.save()
    assert store.path.read_bytes() == whole, "a later save rewrote the whole file"
    assert len(store.log_path.read_text().splitlines()) == 2
    reader = Ledger(JsonFileStore(store.path), "oic")
    assert reader.get("lookups:A") is None
    assert reader.get("lookups:B") == LedgerEntry("fb", "t2")
    store.fold()
    assert not store.log_path.exists()
    assert set(json.loads(store.path.read_text())["instances"]["oic"]) == {"lookups:B"}


def test_a_torn_last_line_of_the_log_is_skipped(tmp_path):
    store = JsonFileStore(tmp_path / "ledger.json")
    ledger = Ledger(store, "oic")
    ledger.save()
    ledger.record("lookups:A", LedgerEntry("fa", "t1"))
    ledger.save()
    with store.log_path.open("a") as log:
        log.write('{"artifact": "lookups:B", "entr')
    again = Ledger(JsonFileStore(store.path), "oic")
    assert again.get("lookups:A") == LedgerEntry("fa", "t1")
    assert again.get("lookups:B") is None


def test_the_log_is_folded_once_it_outgrows_the_file(tmp_path):
    store = JsonFileStore(tmp_path / "ledger.json")
    ledger = Ledger(store, "oic")
    ledger.save()
    for n in range(LOG_FOLD + 1):
        ledger.record(f"lookups:L{n}", LedgerEntry(f"f{n}", "t"))
        ledger.save()
    assert not store.log_path.exists()
    assert len(json.loads(store.path.read_text())["instances"]["oic"]) == LOG_FOLD + 1


def test_writers_saving_at_once_lose_nothing(tmp_path):
    store = JsonFileStore(tmp_path / "ledger.json")
    ledger = Ledger(store, "oic")

    def write(n: int) -> None:
        ledger.record(f"lookups:L{n}", LedgerEntry(f"f{n}", "t"))
        ledger.save()

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(write, range(400)))
    assert len(Ledger(JsonFileStore(store.path), "oic").entries()) == 400
