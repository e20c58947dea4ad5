"""The file journal store: every append durable when it returns, appends waiting at once sharing one fsync."""

from __future__ import annotations

import os
import stat
import threading
import time

from airflow_provider_oracle_oic.deploy.state import journal as journal_module
from airflow_provider_oracle_oic.deploy.state.journal import FileJournalStore, parsed_lines


class CountedFsync:
    """os.fsync, counted; the first call can be held until the test lets it go."""

    def __init__(self) -> None:
        self.real = os.fsync
        self.calls = 0
        self.entered = threading.Event()
        self.release = threading.Event()
        self.release.set()

    def __call__(self, fd: int) -> None:
        self.calls += 1
        self.entered.set()
        self.release.wait(30)
        self.real(fd)


def wait_until(condition, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


def test_appends_queued_behind_an_fsync_share_the_next_one(tmp_path, monkeypatch):
    fsync = CountedFsync()
    monkeypatch.setattr(journal_module.os, "fsync", fsync)
    store = FileJournalStore(tmp_path)
    fsync.release.clear()
    first = threading.Thread(target=store.append, args=("run-1", {"event": "intent", "seq": 1}))
    first.start()
    assert fsync.entered.wait(30)
    others = [
        threading.Thread(target=store.append, args=("run-1", {"event": "intent", "seq": n}))
        for n in (2, 3, 4)
    ]
    for thread in others:
        thread.start()
    wait_until(lambda: store._open["run-1"].written == 4)
    fsync.release.set()
    for thread in [first, *others]:
        thread.join(30)
    # The first line's fsync, then one for the three lines written while it ran.
    assert fsync.calls == 2
    events = parsed_lines((tmp_path / "run-1.journal.jsonl").read_bytes())
    assert sorted(e["seq"] for e in events) == [1, 2, 3, 4]


def test_an_outcome_waits_for_the_next_fsync_and_the_seal_makes_it_durable(tmp_path, monkeypatch):
    fsync = CountedFsync()
    monkeypatch.setattr(journal_module.os, "fsync", fsync)
    store = FileJournalStore(tmp_path)
    store.append("run-1", {"event": "intent", "seq": 1})
    store.append_later("run-1", {"event": "outcome", "seq": 1})
    assert fsync.calls == 1
    # Written already: a crash of the process after this loses nothing (the page cache holds it).
    path = tmp_path / "run-1.journal.jsonl"
    assert [e["event"] for e in parsed_lines(path.read_bytes())] == ["intent", "outcome"]
    store.append_later("run-1", {"event": "end"})
    store.seal("run-1")
    assert fsync.calls == 2
    assert store._open == {}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_sealed_or_removed_journal_can_be_written_again(tmp_path):
    store = FileJournalStore(tmp_path)
    store.append("run-1", {"event": "intent", "seq": 1})
    store.seal("run-1")
    store.append("run-1", {"event": "resumed"})
    assert [e["event"] for e in store.events()["run-1"]] == ["intent", "resumed"]
    store.remove("run-1")
    assert store.events() == {}
    store.append("run-1", {"event": "intent", "seq": 1})
    assert [e["event"] for e in store.events()["run-1"]] == ["intent"]


def test_many_writers_lose_no_line(tmp_path):
    store = FileJournalStore(tmp_path)

    def write(worker: int) -> None:
        for n in range(50):
            store.append("run-1", {"event": "intent", "worker": worker, "n": n, "pad": "x" * 300})
            store.append_later("run-1", {"event": "outcome", "worker": worker, "n": n})

    threads = [threading.Thread(target=write, args=(w,)) for w in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    store.seal("run-1")
    events = store.events()["run-1"]
    assert len(events) == 800
    assert {(e["worker"], e["n"]) for e in events if e["event"] == "intent"} == {
        (w, n) for w in range(8) for n in range(50)
    }
