"""The shipped `meltano.yml` with real Meltano (installed by the test in its own virtualenv, from the
registry): `meltano install`, then release folder → OIC and OIC → OIC between two emulators; the second,
unchanged run of each writes nothing."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from airflow_provider_oracle_oic.emulator import EmulatorServer
from tests.test_distributions import _build

# Long or needs real processes: in make test, not in make check.
pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[1]
SECRET = "oic-emulator-secret"


def _oic(prefix: str, server: EmulatorServer) -> dict[str, str]:
    return {
        f"{prefix}_URL": server.url,
        f"{prefix}_TOKEN_URL": server.token_url,
        f"{prefix}_CLIENT_ID": server.config.client_id,
    }


@pytest.fixture(scope="module")
def meltano_project(tmp_path_factory) -> tuple[Path, Path]:
    """A copy of the project's meltano.yml whose plugins install the built target wheel; meltano's path."""
    root = tmp_path_factory.mktemp("meltano")
    target, _ = _build(root / "dist")
    tools = root / "meltano-venv"
    subprocess.run([sys.executable, "-m", "venv", str(tools)], check=True, timeout=300)
    done = subprocess.run(
        [str(tools / "bin" / "pip"), "install", "--quiet", "meltano"],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    project = root / "project"
    project.mkdir()
    (project / "meltano.yml").write_text(
        (REPO / "meltano.yml").read_text().replace("pip_url: -e .", f"pip_url: {target}")
    )
    shutil.copytree(REPO / "example_dags" / "data" / "release", project / "release")
    return project, tools / "bin" / "meltano"


def _meltano(
    project: Path, meltano: Path, env: dict[str, str], *args: str
) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [str(meltano), *args],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=900,
        env={**os.environ, "MELTANO_SEND_ANONYMOUS_USAGE_STATS": "false", **env},
    )
    assert done.returncode == 0, (done.stdout + done.stderr)[-4000:]
    return done


@pytest.mark.timeout(1800)
def test_meltano_runs_the_release_folder_and_oic_to_oic_idempotently(meltano_project):
    project, meltano = meltano_project
    with EmulatorServer() as dev, EmulatorServer() as test:
        env = {
            **_oic("OIC_DEV", dev),
            **_oic("OIC_TEST", test),
            "TARGET_ORACLE_OIC_OAUTH_CLIENT_SECRET": SECRET,
            "TAP_ORACLE_OIC_BASE_URL": dev.url,
            "TAP_ORACLE_OIC_OAUTH_TOKEN_URL": dev.token_url,
            "TAP_ORACLE_OIC_OAUTH_CLIENT_ID": dev.config.client_id,
            "TAP_ORACLE_OIC_OAUTH_CLIENT_SECRET": SECRET,
            "ERP_PASSWORD": "erp-meltano-dev-5150",
            "REST_ERP_PASSWORD": "erp-meltano-test-5151",
        }
        _meltano(project, meltano, env, "install")

        first = _meltano(project, meltano, env, "run", "tap-oic-release", "target-oracle-oic--release")
        assert "totals: 3 applied" in first.stderr + first.stdout
        dev.reset_stats()
        _meltano(project, meltano, env, "run", "tap-oic-release", "target-oracle-oic--release")
        assert dev.stats()["writes"] == 0

        promoted = _meltano(
            project, meltano, env, "--environment=test", "run", "tap-oracle-oic", "target-oracle-oic"
        )
        assert "totals: 3 applied" in promoted.stderr + promoted.stdout
        test.reset_stats()
        _meltano(project, meltano, env, "--environment=test", "run", "tap-oracle-oic", "target-oracle-oic")
        assert test.stats()["writes"] == 0
        for run in (first, promoted):
            assert "erp-meltano" not in run.stdout + run.stderr
