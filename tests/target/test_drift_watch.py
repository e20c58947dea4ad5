"""The drift watch sees inside OIC 3 projects, and a ledger it cannot use is an error, never "no drift"."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.http_api import Api, enc
from tests.target.conftest import singer_lines
from tests.target.test_cli import run
from tests.target.test_projects import CODES, HUB, V1, deploy, hub, records


def drift_check(config: dict, tmp_path: Path):
    path = tmp_path / "drift-config.json"
    path.write_text(json.dumps(config))
    return run(["--config", str(path), "--check-drift"], env={"ERP_PW": "x"})


def test_an_integration_deactivated_inside_a_project_is_drift(
    project_config, archives, oic_emulator, tmp_path
):
    assert deploy(project_config, records_lines(archives)).ok
    clean = drift_check(project_config, tmp_path)
    assert clean.returncode == 0, clean.stderr
    assert clean.stdout == ""
    answer = Api(oic_emulator).patch(
        f"/projects/{HUB}/integrations/{enc(f'{CODES[0]}|{V1}')}", {"status": "CONFIGURED"}
    )
    assert answer.status_code == 200, answer.text
    drifted = drift_check(project_config, tmp_path)
    assert drifted.returncode == 3, drifted.stderr
    assert drifted.stdout.splitlines() == [
        f"drift: integration {HUB}/{CODES[0]}|{V1}: deactivated in OIC "
        "(was ACTIVATED after the last deployment, now CONFIGURED)"
    ]


def test_a_project_deleted_in_oic_is_drift_of_everything_in_it(
    project_config, archives, oic_emulator, tmp_path
):
    assert deploy(project_config, records_lines(archives)).ok
    api = Api(oic_emulator)
    for code in CODES:
        api.patch(f"/projects/{HUB}/integrations/{enc(f'{code}|{V1}')}", {"status": "CONFIGURED"})
    answer = api.delete(f"/projects/{HUB}")
    assert answer.status_code in (200, 204), answer.text
    drifted = drift_check(project_config, tmp_path)
    assert drifted.returncode == 3, drifted.stderr
    lines = drifted.stdout.splitlines()
    assert f"drift: project {HUB}: deleted in OIC since the last deployment" in lines
    assert f"drift: integration {HUB}/{CODES[0]}|{V1}: deleted in OIC since the last deployment" in lines


def records_lines(archives) -> list[str]:
    return singer_lines(records(archives.car(hub())))


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "does not exist"),
        ('{"hmac_key": "ab', "is not valid JSON"),
        ('{"instances": []}', "'instances' is not an object"),
        (b"\xff\xfe\x00garbage", "is not UTF-8 text"),
        ("[]", "is not a ledger"),
        ('{"instances": {}}', "holds nothing deployed to"),
    ],
)
def test_a_missing_or_unreadable_ledger_is_an_error_naming_the_file(config, tmp_path, content, expected):
    ledger = tmp_path / "ledger.json"
    if isinstance(content, bytes):
        ledger.write_bytes(content)
    elif content is not None:
        ledger.write_text(content)
    done = drift_check({**config, "state_path": str(ledger)}, tmp_path)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    errors = [line for line in done.stderr.splitlines() if str(ledger) in line]
    assert errors, done.stderr
    assert expected in errors[0]
    assert done.stdout == ""
