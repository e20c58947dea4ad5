"""Every shell and Python block of the README runs, literally, against an emulator on 127.0.0.1:8080 (the
address the README uses), unless a `<!-- readme-test: skip (why) -->` line above it says why not.

A block runs in a scratch folder that holds what a fresh clone does (`example_dags/`, `examples/`) and
the `.venv` that `make` creates: nothing a reader would have to write first."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from airflow_provider_oracle_oic.emulator import EmulatorServer

REPO = Path(__file__).resolve().parents[1]
FENCE = re.compile(r"^```(bash|python)\n(.*?)^```", re.MULTILINE | re.DOTALL)
MARKER = re.compile(r'<!-- readme-test: (?:skip \((?P<why>[^)]+)\)|starts "(?P<ready>[^"]+)") -->\s*$')


@dataclass
class Block:
    line: int
    language: str
    code: str
    skip: str | None
    # A long-running command: run in the repository until its output matches, then stopped with Ctrl-C.
    ready: str | None

    def __str__(self) -> str:
        return f"README.md:{self.line} ({self.language})"


def readme_blocks() -> list[Block]:
    text = (REPO / "README.md").read_text()
    blocks = []
    for match in FENCE.finditer(text):
        before = text[: match.start()].rstrip("\n").rsplit("\n", 1)[-1]
        marker = MARKER.search(before)
        line = text.count("\n", 0, match.start()) + 1
        blocks.append(
            Block(
                line,
                match[1],
                match[2],
                marker["why"] if marker else None,
                marker["ready"] if marker else None,
            )
        )
    return blocks


BLOCKS = readme_blocks()


def test_the_readme_has_blocks_to_check():
    assert BLOCKS, "no blocks found: the fence pattern no longer matches the README"
    assert [b for b in BLOCKS if b.skip is None], "every block is skipped: nothing would be checked"


@pytest.fixture(scope="module")
def emulator_8080():
    try:
        server = EmulatorServer(port=8080)
    except OSError as exc:
        pytest.fail(f"port 8080, which the README uses, is taken: {exc}")
    with server:
        yield server


@pytest.fixture
def workdir(tmp_path, emulator_8080) -> Path:
    emulator_8080.reset()
    # What a fresh clone holds that the README's blocks use, and the virtualenv `make` creates.
    for name in ("example_dags", "examples"):
        (tmp_path / name).symlink_to(REPO / name)
    (tmp_path / ".venv").symlink_to(Path(sys.prefix))
    return tmp_path


@pytest.mark.e2e
@pytest.mark.timeout(600)
@pytest.mark.parametrize("block", [b for b in BLOCKS if b.ready], ids=str)
def test_readme_long_running_block_comes_up(block):
    """Started before the emulator the other blocks share takes port 8080."""
    process = subprocess.Popen(
        ["bash", "-c", block.code],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    seen: list[str] = []
    deadline = time.monotonic() + 420
    try:
        assert process.stdout is not None
        for line in process.stdout:
            seen.append(line)
            if re.search(block.ready, line) or time.monotonic() > deadline:
                break
        assert any(re.search(block.ready, line) for line in seen), (
            f"{block} never said it was up:\n{''.join(seen[-40:])}"
        )
    finally:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=120)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.mark.parametrize(
    "block",
    [
        # A block that runs a DAG (`airflow dags test`) is a dag.test() run like the tests/airflow ones.
        pytest.param(b, marks=[pytest.mark.airflow] if "airflow dags test" in b.code else [])
        for b in BLOCKS
        if b.skip is None and b.ready is None
    ],
    ids=str,
)
def test_readme_block_runs(block, workdir):
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "AIRFLOW_HOME": str(workdir / "airflow"),
    }
    command = (
        ["bash", "-euo", "pipefail", "-c", block.code]
        if block.language == "bash"
        else [sys.executable, "-c", block.code]
    )
    done = subprocess.run(command, cwd=workdir, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"{block} failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
