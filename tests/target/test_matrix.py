"""import_mode by conflict_resolution on new / existing-identical / existing-different artifacts."""

from __future__ import annotations

import io
import zipfile

import pytest

from airflow_provider_oracle_oic.singer.inprocess import run_target
from tests.http_api import Api
from tests.target.conftest import singer_lines

EXPECTED = {
    # (import_mode, conflict_resolution): (new, identical, different)
    ("create_only", "skip"): ("create", "skip", "skip"),
    ("create_only", "overwrite"): ("create", "skip", "skip"),
    ("create_only", "version"): ("create", "skip", "refuse"),
    ("update_only", "skip"): ("skip", "skip", "skip"),
    ("update_only", "overwrite"): ("skip", "skip", "replace"),
    ("update_only", "version"): ("skip", "skip", "refuse"),
    ("create_or_update", "skip"): ("create", "skip", "skip"),
    ("create_or_update", "overwrite"): ("create", "skip", "replace"),
    ("create_or_update", "version"): ("create", "skip", "refuse"),
}


def _payload(oic_emulator) -> bytes | None:
    answer = Api(oic_emulator).get("/integrations/HELLO%7C01.00.0000/archive")
    if answer.status_code != 200:
        return None
    with zipfile.ZipFile(io.BytesIO(answer.content)) as archive:
        return archive.read("icspackage/project/HELLO_01.00.0000/resources/payload.bin")


@pytest.mark.parametrize(("mode", "conflict"), list(EXPECTED))
@pytest.mark.parametrize("situation", ["new", "identical", "different"])
def test_integration_matrix(config, archives, oic_emulator, mode, conflict, situation):
    if situation != "new":
        first = archives.iar("HELLO", payload=b"v1")
        assert run_target(
            config,
            singer_lines(
                [("integrations", {"code": "HELLO", "version": "01.00.0000", "archive_path": first})]
            ),
        ).ok
    payload = b"v2" if situation == "different" else b"v1"
    path = archives.iar("HELLO", payload=payload)
    oic_emulator.reset_stats()
    record = {"code": "HELLO", "version": "01.00.0000", "archive_path": path}
    result = run_target(
        {**config, "import_mode": mode, "conflict_resolution": conflict},
        singer_lines([("integrations", record)]),
    )
    expected = EXPECTED[(mode, conflict)][["new", "identical", "different"].index(situation)]
    [step] = result.results
    assert step.action == expected, step.reason
    assert result.ok is (expected != "refuse")
    if expected == "refuse":
        assert "new version" in step.reason
    writes = oic_emulator.stats()["writes"]
    assert writes == (1 if expected in ("create", "replace") else 0)
    stored = _payload(oic_emulator)
    if expected in ("create", "replace"):
        assert stored == payload
    elif situation == "new":
        assert stored is None
    else:
        assert stored == b"v1"


@pytest.mark.parametrize(
    ("mode", "conflict", "expected"),
    [
        ("create_or_update", "version", "update"),
        ("create_or_update", "skip", "skip"),
        ("create_only", "overwrite", "skip"),
        ("update_only", "overwrite", "update"),
    ],
)
def test_lookups_have_no_version_to_refuse(config, oic_emulator, mode, conflict, expected):
    Api(oic_emulator).post(
        "/lookups", json={"name": "CODES", "columns": ["a", "b"], "rows": [{"rowData": ["1", "2"]}]}
    )
    record = {"name": "CODES", "columns": ["a", "b"], "rows": [["3", "4"]]}
    result = run_target(
        {**config, "import_mode": mode, "conflict_resolution": conflict}, singer_lines([("lookups", record)])
    )
    assert result.ok
    assert result.results[0].action == expected
    rows = Api(oic_emulator).get("/lookups/CODES").json()["rows"]
    assert rows == [{"rowData": ["3", "4"] if expected == "update" else ["1", "2"]}]
