"""A release folder kept in Git, read by `tap-oic-release` and deployed by `target-oracle-oic`, both as
real processes against the emulator; and every way a folder can be wrong, named before anything runs."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from airflow_provider_oracle_oic.emulator.builders import (
    IntegrationArchiveSpec,
    build_certificate_pem,
    build_js_library,
    build_par,
)
from airflow_provider_oracle_oic.release.folder import ReleaseError, read_release
from airflow_provider_oracle_oic.release.manifest import MANIFEST_SCHEMA
from tests.http_api import Api
from tests.target.test_tap_roundtrip import pipeline, settings

BIN = Path(sys.executable).parent
SAMPLE = Path(__file__).resolve().parents[2] / "example_dags" / "data" / "release"
ERP_PASSWORD = "erp-password-from-env-8817"


@pytest.fixture
def release(tmp_path) -> Path:
    """The example release folder plus a package, a library and a certificate."""
    folder = tmp_path / "release"
    shutil.copytree(SAMPLE, folder)
    for sub in ("packages", "libraries", "certificates"):
        (folder / sub).mkdir()
    (folder / "packages" / "BILLING.par").write_bytes(
        build_par(
            [
                IntegrationArchiveSpec("INVOICE", "01.00.0000", package_name="BILLING"),
                IntegrationArchiveSpec("PAYMENT", "01.00.0000", package_name="BILLING"),
            ]
        )
    )
    (folder / "libraries" / "MATHLIB_01.00.0000.js").write_bytes(build_js_library())
    (folder / "certificates" / "erp_ca.pem").write_bytes(build_certificate_pem())
    manifest = yaml.safe_load((folder / "release.yaml").read_text())
    manifest["activate"] = True
    manifest["libraries"] = {"MATHLIB|01.00.0000": {"name": "Math helpers"}}
    manifest["connections"] = {"REST_ERP": {"test": True}}
    (folder / "release.yaml").write_text(yaml.safe_dump(manifest))
    return folder


def run_pipeline(release: Path, target: dict, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """`tap-oic-release --config A | target-oracle-oic --config B` as two processes."""
    tap_config, target_config = tmp_path / "tap.json", tmp_path / "target.json"
    tap_config.write_text(json.dumps({"release_dir": str(release)}))
    target_config.write_text(json.dumps(target))
    env = {**os.environ, "ERP_PASSWORD": ERP_PASSWORD}
    code, tap_stderr, done = pipeline(tap_config, target_config, env, tap="tap-oic-release")
    assert code == 0, tap_stderr
    return done


def test_release_folder_deploys_through_tap_and_target(oic_emulator, release, tmp_path):
    target = settings(
        oic_emulator,
        archive_directory=str(release),
        state_path=str(tmp_path / "ledger.json"),
        activation_poll_interval=0.05,
    )
    done = run_pipeline(release, target, tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    api = Api(oic_emulator)
    assert api.status("ORDERS|01.00.0000") == "ACTIVATED"
    assert api.status("INVOICE|01.00.0000") == "ACTIVATED"
    assert api.get("/connections/REST_ERP").json()["status"] == "CONFIGURED"
    rows = [r["rowData"] for r in api.get("/lookups/COUNTRY_CODES").json()["rows"]]
    assert rows == [["NL", "Netherlands"], ["FR", "France"], ["DE", "Germany"]]
    assert api.get("/libraries/MATHLIB%7C01.00.0000").json()["name"] == "Math helpers"
    assert api.get("/certificates/erp_ca").status_code == 200
    assert ERP_PASSWORD not in done.stdout + done.stderr

    oic_emulator.reset_stats()
    again = run_pipeline(release, target, tmp_path)
    assert again.returncode == 0, again.stderr[-3000:]
    assert oic_emulator.stats()["writes"] == 0


def test_records_carry_checksums_and_paths_inside_the_folder(release):
    found = read_release(release)
    integration = found.of("integrations")[0]
    assert integration["archive_path"] == "integrations/ORDERS_01.00.0000.iar"
    assert integration["checksum"].startswith("sha256:")
    assert integration["activate"] is True
    assert found.of("packages") == [
        {
            "name": "BILLING",
            "activate": True,
            "archive_path": "packages/BILLING.par",
            "checksum": found.of("packages")[0]["checksum"],
        }
    ]
    assert found.of("certificates") == [
        {"name": "erp_ca", "type": "X509", "category": "TRUST", "file_path": "certificates/erp_ca.pem"}
    ]
    assert [stream for stream, _ in found.records][:3] == ["certificates", "libraries", "lookups"]


def _problems(release: Path, manifest: dict) -> str:
    """Every problem reading `release` with `manifest` as its release.yaml names, one per line."""
    (release / "release.yaml").write_text(yaml.safe_dump(manifest))
    with pytest.raises(ReleaseError) as caught:
        read_release(release)
    return "\n".join(caught.value.problems)


def test_every_problem_of_a_folder_is_named_at_once(release):
    (release / "libraries" / "mathlib.js").write_bytes(build_js_library())
    (release / "lookups" / "OTHER.csv").write_text("DVM,COUNTRIES,,\na,b\n1,2\n")
    (release / "integrations" / "notes.txt").write_text("not an archive")
    (release / "integrations" / "BROKEN.iar").write_bytes(b"not a zip")
    (release / "connections" / "REST_CRM.yaml").write_text("id: REST_OTHER\n")
    manifest = yaml.safe_load((release / "release.yaml").read_text())
    manifest["integrations"]["GHOST|01.00.0000"] = {"activate": True}
    manifest["certificates"] = {"erp_ca": {"keystorePassword": "literal-secret"}}
    manifest["activate_all"] = True
    problems = _problems(release, manifest)
    for expected in (
        "release.yaml: (top level): Additional properties are not allowed ('activate_all'",
        "release.yaml: certificates.erp_ca.keystorePassword",
    ):
        assert expected in problems, problems
    assert "literal-secret" not in problems

    manifest.pop("activate_all")
    manifest["certificates"] = {}
    problems = _problems(release, manifest)
    for expected in (
        "libraries/mathlib.js: name it <CODE>_<VERSION>.js",
        "lookups/OTHER.csv: its first line names lookup COUNTRIES; name the file COUNTRIES.csv",
        "integrations/notes.txt: not a .iar file",
        "integrations/BROKEN.iar:",
        "connections/REST_CRM.yaml: id REST_OTHER differs from the file name",
        "release.yaml: integrations.GHOST|01.00.0000: no such artifact in integrations/",
    ):
        assert expected in problems, problems


def test_the_published_schema_is_the_enforced_one():
    published = Path(__file__).resolve().parents[2] / "docs" / "release.schema.json"
    assert json.loads(published.read_text()) == MANIFEST_SCHEMA, "run `make docs`"


def test_a_missing_folder_is_named(tmp_path):
    with pytest.raises(ReleaseError, match="is not a directory"):
        read_release(tmp_path / "nowhere")


def test_tap_exits_non_zero_on_a_bad_folder(tmp_path):
    folder = tmp_path / "bad"
    (folder / "integrations").mkdir(parents=True)
    (folder / "integrations" / "X.iar").write_bytes(b"junk")
    config = tmp_path / "tap.json"
    config.write_text(json.dumps({"release_dir": str(folder)}))
    done = subprocess.run(
        [str(BIN / "tap-oic-release"), "--config", str(config)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2
    assert "the release folder has 1 problem(s):\n  - integrations/X.iar:" in done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout == "", "nothing of a bad release reaches the target"
