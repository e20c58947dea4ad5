"""`oic-emulator` as a user runs it: one ready line, seed file, clean exit on signals."""

from __future__ import annotations

import json
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests

READY = re.compile(r"listening on (http://127\.0\.0\.1:\d+)")


def _start(*args: str) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "airflow_provider_oracle_oic.emulator.cli", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    match = READY.search(line)
    assert match, line + (process.stderr.read() if process.poll() is not None else "")
    return process, match.group(1)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_cli_serves_seed_and_exits_cleanly(tmp_path, signum):
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps({"integrations": [{"code": "FROM_SEED", "version": "01.00.0000"}]}))
    process, url = _start(
        "--seed", str(seed), "--instance", "dev", "--client-id", "me", "--client-secret", "pw"
    )
    try:
        token = requests.post(
            f"{url}/oauth2/v1/token", auth=("me", "pw"), data={"grant_type": "client_credentials"}, timeout=10
        ).json()["access_token"]
        answer = requests.get(
            f"{url}/ic/api/integration/v1/integrations",
            params={"integrationInstance": "dev"},
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )
        assert [i["code"] for i in answer.json()["items"]] == ["FROM_SEED"]
    finally:
        process.send_signal(signum)
        stdout, _stderr = process.communicate(timeout=15)
    assert process.returncode == 0
    assert stdout == ""


def test_cli_refuses_a_bad_seed(tmp_path):
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps({"integrations": [{"code": "bad code", "version": "1"}]}))
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "airflow_provider_oracle_oic.emulator.cli",
            "--port",
            "0",
            "--seed",
            str(seed),
        ],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert "cannot start" in result.stderr
    assert "code" in result.stderr
    assert "listening" not in result.stdout


def test_console_script_is_installed():
    script = shutil.which("oic-emulator", path=str(Path(sys.executable).parent))
    assert script is not None
    result = subprocess.run([script, "--help"], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0
    for flag in (
        "--host",
        "--port",
        "--instance",
        "--client-id",
        "--client-secret",
        "--token-ttl",
        "--activation-delay",
        "--state-file",
        "--seed",
    ):
        assert flag in result.stdout


def test_version():
    done = subprocess.run(
        [sys.executable, "-m", "airflow_provider_oracle_oic.emulator.cli", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0
    assert done.stdout.startswith("oic-emulator ")
