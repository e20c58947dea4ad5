"""The two distributions built from this repository: `target-oracle-oic` installs and deploys a release
folder in a fresh virtualenv without Apache Airflow; `airflow-provider-oracle-oic` adds the Airflow parts."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

# Long or needs real processes: in make test, not in make check.
pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[1]
RELEASE = REPO / "example_dags" / "data" / "release"
INTERPRETER_TOOLS = ("pip", "setuptools", "pkg_resources", "_distutils_hack")


def _build(out: Path) -> tuple[Path, Path]:
    done = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "build_dists.py"), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    target, provider = (Path(line) for line in done.stdout.split())
    return target, provider


def _size_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / (1 << 20)


@pytest.fixture(scope="module")
def wheels(tmp_path_factory) -> tuple[Path, Path]:
    return _build(tmp_path_factory.mktemp("dist"))


def test_the_wheels_split_the_package_and_carry_their_metadata(wheels):
    target, provider = wheels
    with zipfile.ZipFile(target) as archive:
        names = archive.namelist()
        metadata = archive.read(next(n for n in names if n.endswith("METADATA"))).decode()
    assert "airflow_provider_oracle_oic/py.typed" in names
    assert any(n.endswith("licenses/LICENSE") for n in names)
    assert "License-Expression: Apache-2.0" in metadata
    assert not [
        n for n in names if re.match(r"airflow_provider_oracle_oic/(hooks|operators|sensors|triggers)/", n)
    ]
    assert not re.search(r"Requires-Dist: apache-airflow", metadata)

    with zipfile.ZipFile(provider) as archive:
        names = archive.namelist()
        metadata = archive.read(next(n for n in names if n.endswith("METADATA"))).decode()
        entry_points = archive.read(next(n for n in names if n.endswith("entry_points.txt"))).decode()
    assert "airflow_provider_oracle_oic/hooks/oic.py" in names
    assert "airflow_provider_oracle_oic/__init__.py" not in names, "it would replace the target's"
    assert "Requires-Dist: target-oracle-oic[emulator]==" in metadata
    assert "Requires-Dist: apache-airflow" in metadata
    assert "provider_info = airflow_provider_oracle_oic:get_provider_info" in entry_points


@pytest.mark.timeout(900)
def test_target_installs_without_airflow_and_deploys_a_release_folder(wheels, tmp_path):
    target, _ = wheels
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    bin_dir = venv / "bin"
    install = subprocess.run(
        [str(bin_dir / "pip"), "install", "--quiet", str(target)], capture_output=True, text=True, timeout=900
    )
    assert install.returncode == 0, install.stderr[-3000:]
    no_airflow = subprocess.run(
        [str(bin_dir / "python"), "-c", "import airflow"], capture_output=True, text=True
    )
    assert no_airflow.returncode != 0
    assert "No module named 'airflow'" in no_airflow.stderr

    site = next((venv / "lib").glob("python3*/site-packages"))
    ours = _size_mb(site) - sum(
        _size_mb(p) for p in site.iterdir() if p.name.split("-")[0] in INTERPRETER_TOOLS
    )
    print(f"fresh venv: {_size_mb(venv):.0f} MB in all, {ours:.0f} MB without pip and setuptools")
    assert ours < 80, f"the target's dependencies take {ours:.0f} MB"
    no_emulator = subprocess.run([str(bin_dir / "oic-emulator"), "--version"], capture_output=True, text=True)
    assert "pip install 'target-oracle-oic[emulator]'" in no_emulator.stderr

    extra = subprocess.run(
        [str(bin_dir / "pip"), "install", "--quiet", f"{target}[emulator]"],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert extra.returncode == 0, extra.stderr[-3000:]
    emulator = subprocess.Popen(
        [str(bin_dir / "oic-emulator"), "--port", "0", "--activation-delay", "0.2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert emulator.stdout is not None
        first = emulator.stdout.readline()
        found = re.search(r"listening on (http://\S+)", first)
        assert found, first
        url = found.group(1)
        (tmp_path / "tap.json").write_text(json.dumps({"release_dir": str(RELEASE)}))
        (tmp_path / "target.json").write_text(
            json.dumps(
                {
                    "base_url": url,
                    "oauth_client_id": "oic-emulator-client",
                    "oauth_client_secret": "oic-emulator-secret",
                    "oauth_token_url": f"{url}/oauth2/v1/token",
                    "archive_directory": str(RELEASE),
                    "activate_integrations": True,
                    "activation_poll_interval": 0.1,
                }
            )
        )
        pipeline = (
            f"{bin_dir / 'tap-oic-release'} --config {tmp_path / 'tap.json'} | "
            f"{bin_dir / 'target-oracle-oic'} --config {tmp_path / 'target.json'}"
        )
        done = subprocess.run(
            ["bash", "-o", "pipefail", "-c", pipeline],
            capture_output=True,
            text=True,
            timeout=300,
            env={"ERP_PASSWORD": "erp-standalone-3310", "PATH": f"{bin_dir}:/usr/bin:/bin"},
        )
        assert done.returncode == 0, done.stderr[-3000:]
        assert "integration ORDERS|01.00.0000  activate  applied" in done.stderr
        assert "erp-standalone-3310" not in done.stdout + done.stderr
    finally:
        emulator.terminate()
        emulator.wait(timeout=30)
