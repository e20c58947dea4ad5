"""The ledger, journals and run lease in object storage, on fsspec's in-memory filesystem (the same calls
s3fs answers; tests/target/test_state_in_object_storage.py runs them against an S3 server)."""

from __future__ import annotations

import json
import os
import time
import uuid

import fsspec
import pytest

from airflow_provider_oracle_oic.deploy.model.specs import Kind
from airflow_provider_oracle_oic.deploy.state.journal import Journal, Outcome, Undo, UndoAction, past_runs
from airflow_provider_oracle_oic.deploy.state.ledger import LOG_FOLD, Ledger, LedgerEntry, LedgerError
from airflow_provider_oracle_oic.deploy.state.object_journal import ObjectJournalStore
from airflow_provider_oracle_oic.deploy.state.object_ledger import ObjectLedgerStore
from airflow_provider_oracle_oic.deploy.state.run_lock import Busy, Lease, RunLock, exclusive


@pytest.fixture
def root() -> str:
    return f"memory://state-{uuid.uuid4().hex[:8]}"


def objects(url: str) -> list[str]:
    fs = fsspec.filesystem("memory")
    prefix = url.removeprefix("memory://")
    return sorted(p.split(prefix, 1)[1] for p in fs.find(f"/{prefix}"))


def entry(n: int) -> LedgerEntry:
    return LedgerEntry(f"fp-{n}", f"2026-12-04T00:00:0{n % 10}")


def test_saves_after_the_first_put_one_log_object_each_and_a_reader_replays_them(root):
    url = f"{root}/ledger.json"
    ledger = Ledger(ObjectLedgerStore(url), "prod")
    ledger.record("lookup:A", entry(1))
    ledger.save()
    ledger.record("lookup:B", entry(2))
    ledger.save()
    ledger.record("lookup:A", entry(3))
    ledger.save()
    assert objects(root) == [
        "/ledger.json",
        "/ledger.json.log/000000000001.jsonl",
        "/ledger.json.log/000000000002.jsonl",
    ]

    reader = Ledger(ObjectLedgerStore(url), "prod")
    assert reader.entries() == {"lookup:A": entry(3), "lookup:B": entry(2)}
    assert reader.hmac_key == ledger.hmac_key


def test_a_fold_writes_the_log_into_the_ledger_object_and_removes_it(root):
    url = f"{root}/ledger.json"
    store = ObjectLedgerStore(url)
    ledger = Ledger(store, "prod")
    for n in range(3):
        ledger.record(f"lookup:{n}", entry(n))
        ledger.save()
    store.fold()
    assert objects(root) == ["/ledger.json"]
    whole = json.loads(fsspec.open(url).open().read())
    assert whole["log_through"] == 2
    assert sorted(whole["instances"]["prod"]) == ["lookup:0", "lookup:1", "lookup:2"]
    assert Ledger(ObjectLedgerStore(url), "prod").entries() == {f"lookup:{n}": entry(n) for n in range(3)}


def test_log_objects_the_ledger_already_holds_are_not_replayed_over_it(root):
    # A crash after a whole save and before its log objects were removed: the stale object says an
    # older fingerprint than the ledger object holds.
    url = f"{root}/ledger.json"
    store = ObjectLedgerStore(url)
    ledger = Ledger(store, "prod")
    ledger.record("lookup:A", entry(1))
    ledger.save()
    ledger.record("lookup:A", entry(2))
    ledger.save()
    fs = fsspec.filesystem("memory")
    stale = fs.cat_file(f"{url.removeprefix('memory://')}.log/000000000001.jsonl")
    store.fold()
    fs.pipe_file(f"{url.removeprefix('memory://')}.log/000000000001.jsonl", stale.replace(b"fp-2", b"fp-1"))

    assert Ledger(ObjectLedgerStore(url), "prod").get("lookup:A") == entry(2)


def test_the_log_folds_by_itself_once_it_outgrows_the_ledger(root):
    url = f"{root}/ledger.json"
    ledger = Ledger(ObjectLedgerStore(url), "prod")
    # Five artifacts written again and again (a long canary's status reads): the log outgrows them.
    for n in range(LOG_FOLD + 2):
        ledger.record(f"lookup:{n % 5}", entry(n))
        ledger.save()
    assert len([o for o in objects(root) if ".log/" in o]) < LOG_FOLD
    assert Ledger(ObjectLedgerStore(url), "prod").get("lookup:2") == entry(LOG_FOLD + 1)


def test_a_ledger_object_that_is_not_json_is_named_in_one_line(root):
    url = f"{root}/ledger.json"
    fsspec.filesystem("memory").pipe_file(url.removeprefix("memory://"), b"{not json")
    with pytest.raises(LedgerError) as raised:
        Ledger(ObjectLedgerStore(url), "prod")
    assert str(raised.value).startswith(f"state_path {url} is not valid JSON (")
    assert str(raised.value).endswith("; fix or remove it")


def undo(n: int) -> Undo:
    return Undo(UndoAction.DELETE, Kind.LOOKUP, f"L{n}", f"delete lookup L{n}")


def test_a_journal_is_one_object_per_event_until_the_run_ends_then_one_object(root):
    url = f"{root}/ledger.json.journals"
    store = ObjectJournalStore(url)
    journal = Journal(store, "run1", "prod")
    first = journal.intend(undo(1))
    journal.settle(first, Outcome.DONE)
    store.events()  # an outcome waits for the run's next event, or for a reader
    assert objects(url) == [f"/run1/{n:08d}-{n:08d}.jsonl" for n in (1, 2, 3)]
    journal.finish("deployed")
    assert objects(url) == ["/run1/00000001-00000004.jsonl"]

    [run] = past_runs(ObjectJournalStore(url), "prod")
    assert (run.run_id, run.status, [(e.undo, e.outcome) for e in run.entries]) == (
        "run1",
        "deployed",
        [(undo(1), Outcome.DONE)],
    )


def test_a_crashed_runs_events_are_read_in_order_and_a_sealed_object_covers_leftovers(root):
    url = f"{root}/journals"
    store = ObjectJournalStore(url)
    crashed = Journal(store, "run1", "prod")
    for n in range(1, 4):
        crashed.intend(undo(n))
    # Another process (a retry on another worker) reads it: an intent without outcome, in order.
    [run] = past_runs(ObjectJournalStore(url), "prod")
    assert run.interrupted
    assert [e.undo.ident for e in run.entries] == ["L1", "L2", "L3"]

    # Sealing wrote the whole but died before removing the single events: each is read once.
    fs = fsspec.filesystem("memory")
    folder = f"{url.removeprefix('memory://')}/run1"
    singles = {p: fs.cat_file(p) for p in fs.find(folder)}
    crashed.finish("incomplete")
    for path, body in singles.items():
        fs.pipe_file(path, body)
    [run] = past_runs(ObjectJournalStore(url), "prod")
    assert [e.undo.ident for e in run.entries] == ["L1", "L2", "L3"]
    assert run.status == "incomplete"


def test_a_resumed_journal_goes_on_numbering_after_the_sealed_one(root):
    url = f"{root}/journals"
    paused = Journal(ObjectJournalStore(url), "run1", "prod")
    paused.intend(undo(1))
    paused.finish("paused")
    [run] = past_runs(ObjectJournalStore(url), "prod")
    # The triggerer fired; the task goes on in another process.
    resumed = Journal.reopen(ObjectJournalStore(url), run)
    resumed.intend(undo(2))
    resumed.finish("deployed")
    [run] = past_runs(ObjectJournalStore(url), "prod")
    assert [e.undo.ident for e in run.entries] == ["L1", "L2"]
    assert run.status == "deployed"
    assert objects(url) == ["/run1/00000001-00000006.jsonl"]


def test_removing_a_journal_removes_its_objects(root):
    url = f"{root}/journals"
    store = ObjectJournalStore(url)
    for run_id in ("a", "b"):
        Journal(store, run_id, "prod").intend(undo(1))
    store.remove("a")
    assert [r.run_id for r in past_runs(ObjectJournalStore(url), "prod")] == ["b"]


def test_a_lease_refuses_a_second_holder_naming_the_first_then_is_free_after_release(root):
    url = f"{root}/ledger.json"
    with exclusive(RunLock.beside(url)):
        assert objects(root) == ["/ledger.json.lock"]
        with pytest.raises(Busy) as busy, exclusive(RunLock.beside(url)):
            pass
    assert str(busy.value).startswith(
        f"another target-oracle-oic run (pid {os.getpid()} on {os.uname().nodename}) holds {url}.lock ("
    )
    assert str(busy.value).endswith("; wait for it to finish, then run again")
    assert objects(root) == []
    with exclusive(RunLock.beside(url)):
        pass


def test_an_expired_lease_or_one_whose_holder_died_here_is_taken_over(root):
    url = f"{root}/ledger.json.lock"
    fs = fsspec.filesystem("memory")
    path = url.removeprefix("memory://")
    fs.pipe_file(
        path,
        json.dumps(
            {"holder": "pid 1 on gone", "host": "gone", "pid": 1, "expires": time.time() - 1}
        ).encode(),
    )
    with Lease(url).held():
        assert json.loads(fs.cat_file(path))["host"] == os.uname().nodename
    dead = os.fork() if hasattr(os, "fork") else None
    if dead == 0:
        os._exit(0)
    os.waitpid(dead, 0)
    fs.pipe_file(
        path,
        json.dumps(
            {"holder": "x", "host": os.uname().nodename, "pid": dead, "expires": time.time() + 60}
        ).encode(),
    )
    with Lease(url).held():
        pass
    # One held on another host and not expired is not taken.
    fs.pipe_file(
        path,
        json.dumps(
            {"holder": "pid 7 on worker-2", "host": "worker-2", "pid": 7, "expires": time.time() + 60}
        ).encode(),
    )
    with pytest.raises(Busy, match=r"\(pid 7 on worker-2\) holds"), Lease(url).held():
        pass


def test_a_lease_is_renewed_while_its_run_lasts(root):
    url = f"{root}/ledger.json.lock"
    fs = fsspec.filesystem("memory")
    lease = Lease(url, seconds=0.4)
    with lease.held():
        first = json.loads(fs.cat_file(url.removeprefix("memory://")))["expires"]
        time.sleep(0.5)
        later = json.loads(fs.cat_file(url.removeprefix("memory://")))["expires"]
        assert later > first
        with pytest.raises(Busy), Lease(url).held():
            pass


def test_an_outcome_travels_with_the_next_intent_and_one_lost_in_a_crash_reads_as_unknown(root):
    url = f"{root}/journals"
    journal = Journal(ObjectJournalStore(url), "run1", "prod")
    first = journal.intend(undo(1))
    journal.settle(first, Outcome.DONE)
    second = journal.intend(undo(2))
    journal.settle(second, Outcome.DONE)
    # The process is killed here: the second outcome never left it.
    assert objects(url) == [
        "/run1/00000001-00000001.jsonl",
        "/run1/00000002-00000002.jsonl",
        "/run1/00000003-00000004.jsonl",
    ]
    [run] = past_runs(ObjectJournalStore(url), "prod")
    assert [(e.undo.ident, e.outcome) for e in run.entries] == [("L1", Outcome.DONE), ("L2", Outcome.UNKNOWN)]
    assert run.interrupted


def test_a_lease_its_holder_stopped_renewing_is_waited_out_not_refused(root, caplog):
    # A worker lost mid-run on another machine; Airflow retried its task before the lease ran out.
    url = f"{root}/ledger.json.lock"
    fs = fsspec.filesystem("memory")
    now = time.time()
    held = {
        "holder": "pid 7 on worker-1",
        "host": "worker-1",
        "pid": 7,
        "renewed": now - 0.3,
        "expires": now + 0.3,
    }
    fs.pipe_file(url.removeprefix("memory://"), json.dumps(held).encode())
    started = time.monotonic()
    with Lease(url, seconds=0.4).held():
        waited = time.monotonic() - started
    assert waited >= 0.25
    assert "of pid 7 on worker-1 was last renewed" in caplog.text
    # One renewed a moment ago is another run at work: refused at once.
    fs.pipe_file(
        url.removeprefix("memory://"),
        json.dumps({**held, "renewed": time.time(), "expires": time.time() + 60}).encode(),
    )
    with pytest.raises(Busy), Lease(url, seconds=0.4).held():
        pass


def test_storage_that_overwrites_an_object_written_only_if_absent_is_refused_as_a_state_path():
    from fsspec.implementations.memory import MemoryFileSystem

    from airflow_provider_oracle_oic.deploy.model.settings import deploy_settings
    from airflow_provider_oracle_oic.deploy.plan.validation import settings_issues

    class IgnoresConditions(MemoryFileSystem):
        """Storage whose S3 API drops If-None-Match (older S3-compatible servers do)."""

        protocol = "lax"

        def pipe_file(self, path, value, mode="overwrite", **kwargs):
            super().pipe_file(path, value, **kwargs)

    fsspec.register_implementation("lax", IgnoresConditions, clobber=True)
    [issue] = settings_issues(deploy_settings({"state_path": "lax://oic/ledger.json"}))
    assert str(issue) == (
        "configuration: state_path: lax://oic does not refuse to overwrite an object written only if absent "
        "(a conditional write, If-None-Match), which the run's lease needs; use storage that does (Amazon S3, "
        "Google Cloud Storage, MinIO) or a local state_path; fix the setting"
    )
    # Backups need no such write.
    assert settings_issues(deploy_settings({"backup_directory": "lax://oic/backups"})) == []


def test_a_retry_of_the_same_airflow_task_takes_over_the_lease_of_its_lost_try_on_another_host(root):
    url = f"{root}/leases/oracle_oic_default.lock"
    fs = fsspec.filesystem("memory")
    task = "task deploy of DAG celery_deploy run manual__1"
    now = time.time()
    lost = {"holder": f"pid 7 on worker-1, {task}", "host": "worker-1", "pid": 7, "task": task}
    fs.pipe_file(
        url.removeprefix("memory://"), json.dumps({**lost, "renewed": now, "expires": now + 60}).encode()
    )
    with Lease(url, task=task).held():
        assert json.loads(fs.cat_file(url.removeprefix("memory://")))["host"] == os.uname().nodename
    # Another task (another DAG deploying through the same connection) is refused.
    fs.pipe_file(
        url.removeprefix("memory://"), json.dumps({**lost, "renewed": now, "expires": now + 60}).encode()
    )
    with pytest.raises(Busy, match="holds"), Lease(url, task="task deploy of DAG other run manual__2").held():
        pass
