"""`make airflow`'s launcher checks its port before starting anything, naming who holds it."""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "scripts" / "local_airflow.py"


def launcher():
    spec = importlib.util.spec_from_file_location("local_airflow_launcher", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_a_taken_port_is_named_with_the_process_holding_it(tmp_path):
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        port = held.getsockname()[1]
        assert launcher().port_holder(port).startswith(f"pid {os.getpid()} (")
        done = subprocess.run(
            [sys.executable, str(SCRIPT), "--port", str(port), "--home", str(tmp_path / "home")],
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert done.returncode == 1
    assert f"port {port} is taken by pid {os.getpid()}" in done.stderr
    assert "Starting" not in done.stdout
    assert not (tmp_path / "home").exists()


def test_a_free_port_has_no_holder():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    assert launcher().port_holder(port) is None
