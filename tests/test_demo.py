"""`make demo` as a newcomer runs it: the sample release planned, deployed, and deployed again with no write."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_the_demo_deploys_and_shows_an_idempotent_rerun(tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "VENV": sys.prefix, "PORT": str(port), "DEMO_DIR": str(tmp_path / "demo")}
    done = subprocess.run(
        ["bash", "scripts/demo.sh"], cwd=REPO, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    out = done.stdout
    assert "dry-run run" in out
    assert "deploy run" in out
    assert "writes seen by OIC: 0" in out
    audit = tmp_path / "demo" / "audit.jsonl"
    # The demo names the audit trail it shows; it is still there afterwards.
    assert str(audit) in out
    assert audit.read_text().strip()
