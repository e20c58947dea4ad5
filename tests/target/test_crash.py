"""SIGKILL at every write of a release: the re-run converges (statuses included), a third run writes nothing."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from airflow_provider_oracle_oic.emulator import EmulatorServer
from airflow_provider_oracle_oic.emulator.config import EmulatorConfig
from airflow_provider_oracle_oic.singer.inprocess import run_target
from tests.object_storage import BUCKET, keys
from tests.target.conftest import Archives, singer_lines, target_config
from tests.target.mixed_release import CONN_PASSWORD, comparable, differences, prepare, release
from tests.target.test_chaos import SECRETS

# Long or needs real processes: in make test, not in make check.
pytestmark = pytest.mark.slow

# Every write is held this long before it reaches OIC, so the test can kill the target between writes.
WRITE_LATENCY_MS = 120


@pytest.fixture(scope="module")
def crash_emulator() -> Iterator[EmulatorServer]:
    with EmulatorServer(EmulatorConfig(activation_delay=0.05)) as server:
        yield server


class Release:
    """The release's files in one folder: archives, Singer input, config, ledger and journals."""

    def __init__(self, root: Path, server: EmulatorServer) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        archives = Archives(root / "archives")
        archives.root.mkdir()
        self.config: dict[str, Any] = target_config(server, root, archives)
        self.input = root / "release.jsonl"
        self.input.write_text("\n".join(singer_lines(release(archives))) + "\n")
        self.config_path = root / "config.json"
        self.config_path.write_text(json.dumps(self.config))

    def run(self) -> Any:
        with self.input.open() as lines:
            return run_target(self.config, lines, secrets=SECRETS)


def writes(server: EmulatorServer) -> int:
    return server.stats()["writes"]


def run_and_kill(
    release_files: Any, server: EmulatorServer, after_writes: int, env: dict[str, str] | None = None
) -> int:
    """Start the target CLI on the files' config and input and SIGKILL it once OIC has answered
    `after_writes` writes; the writes seen."""
    env = {**os.environ, **(env or {"CHAOS_CONN_PASSWORD": CONN_PASSWORD})}
    target = Path(sys.executable).with_name("target-oracle-oic")
    with release_files.input.open() as stdin:
        process = subprocess.Popen(
            [str(target), "--config", str(release_files.config_path)],
            stdin=stdin,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
        )
    try:
        deadline = time.monotonic() + 60
        while writes(server) < after_writes and process.poll() is None:
            assert time.monotonic() < deadline, "the target never reached the write to be killed at"
            time.sleep(0.005)
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(timeout=30)
    # Requests the killed process had sent are still held by the injected latency: let OIC finish them
    # (as a real one would), so the next run's counts are its own.
    time.sleep(2 * WRITE_LATENCY_MS / 1000)
    return writes(server)


@pytest.fixture(scope="module")
def reference(crash_emulator, tmp_path_factory) -> dict[str, Any]:
    """How many writes the release makes and the state it leaves, from one run that is not killed."""
    crash_emulator.reset()
    prepare(crash_emulator)
    crash_emulator.reset_stats()
    files = Release(tmp_path_factory.mktemp("crash-reference"), crash_emulator)
    result = files.run()
    assert result.ok, result.summary()
    return {"writes": writes(crash_emulator), "desired": comparable(crash_emulator.state())}


MAX_WRITES = 30


def test_the_release_has_writes_to_crash_at(reference):
    assert 20 <= reference["writes"] <= MAX_WRITES


@pytest.mark.parametrize("k", range(1, MAX_WRITES + 1))
def test_a_rerun_after_sigkill_converges_and_a_third_run_writes_nothing(
    k, crash_emulator, reference, tmp_path
):
    files = crash_and_rerun(k, crash_emulator, reference, tmp_path)
    assert not Path(f"{files.config['state_path']}.log").exists(), "the re-run left the ledger's log unfolded"


@pytest.mark.parametrize("k", [2, 9, 16, 23])
def test_with_run_state_in_object_storage_a_rerun_after_sigkill_converges(
    k, s3, crash_emulator, reference, tmp_path
):
    state = f"crash-{k}/ledger.json"

    def in_the_bucket(files: Release) -> None:
        files.config.update(
            state_path=f"s3://{BUCKET}/{state}", backup_directory=f"s3://{BUCKET}/crash-{k}/backups"
        )
        files.config_path.write_text(json.dumps(files.config))

    crash_and_rerun(k, crash_emulator, reference, tmp_path, in_the_bucket)
    # The killed run's lease was taken over (its holder died on this host) and released; its log folded.
    assert [key for key in keys(s3) if key.startswith(f"{state}.l")] == []


def crash_and_rerun(k, crash_emulator, reference, tmp_path, configure=None) -> Release:
    """Kill the release's run after `k` writes; the re-run converges, a third run writes nothing."""
    if k > reference["writes"]:
        pytest.skip(f"the release makes {reference['writes']} writes")
    crash_emulator.reset()
    prepare(crash_emulator)
    crash_emulator.reset_stats()
    files = Release(tmp_path, crash_emulator)
    if configure is not None:
        configure(files)
    crash_emulator.set_faults(
        [{"route": "/ic/api/*", "methods": ["POST", "PUT", "DELETE"], "latency_ms": WRITE_LATENCY_MS}]
    )
    try:
        run_and_kill(files, crash_emulator, k)
    finally:
        crash_emulator.clear_faults()

    second = files.run()
    assert second.ok, second.summary()
    assert differences(comparable(crash_emulator.state()), reference["desired"]) == [], second.summary()

    crash_emulator.reset_stats()
    third = files.run()
    assert third.ok, third.summary()
    assert writes(crash_emulator) == 0, third.summary()
    return files
