"""Bad requests get 400 with a clear detail and change no state."""

from __future__ import annotations

import io
import os
import zipfile

import pytest

from airflow_provider_oracle_oic.emulator import EmulatorServer
from airflow_provider_oracle_oic.emulator.builders import IntegrationArchiveSpec, build_iar
from tests.http_api import PATCH, Api, detail

LAYOUT = "icspackage/project/EVIL_01.00.0000/PROJECT-INF/project.xml"


def zip_of(entries: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


BAD_ARCHIVES = {
    "not a zip": (b"this is plain text, not an archive", "not a zip archive"),
    "empty file": (b"", "empty"),
    "no layout": (zip_of({"readme.txt": b"hi"}), "icspackage/project/"),
    "bad folder name": (zip_of({"icspackage/project/lower_1.0/x": b"x"}), "icspackage/project/"),
    "dot-dot entry": (zip_of({LAYOUT: b"<name>x</name>", "../../etc/cron.d/evil": b"x"}), "escapes"),
    "absolute entry": (zip_of({LAYOUT: b"<name>x</name>", "/etc/passwd": b"x"}), "escapes"),
    "drive letter entry": (zip_of({LAYOUT: b"<name>x</name>", "C:/windows/x": b"x"}), "escapes"),
    "zip bomb": (zip_of({LAYOUT: b"<name>x</name>", "icspackage/bomb.bin": b"\0" * (40 << 20)}), "zip bomb"),
    "two integrations in an iar": (
        zip_of({LAYOUT: b"x", "icspackage/project/OTHER_01.00.0000/PROJECT-INF/project.xml": b"x"}),
        "package",
    ),
}


@pytest.fixture
def populated(api):
    api.import_iar("KEEP", "01.00.0000", connections=["REST_A"])
    api.post(
        "/lookups", json={"name": "KEEP_LOOKUP", "columns": ["a", "b"], "rows": [{"rowData": ["1", "2"]}]}
    )
    return api


@pytest.mark.parametrize("case", list(BAD_ARCHIVES))
@pytest.mark.parametrize("method", ["POST", "PUT"])
def test_bad_integration_archives(populated, oic_emulator, case, method):
    data, words = BAD_ARCHIVES[case]
    before = oic_emulator.state()
    answer = populated.upload(method, "/integrations/archive", data, "evil.iar")
    assert answer.status_code == 400
    assert words in detail(answer)
    assert oic_emulator.state() == before


@pytest.mark.parametrize("case", [c for c in BAD_ARCHIVES if c != "two integrations in an iar"])
def test_bad_package_archives(populated, oic_emulator, case):
    data, words = BAD_ARCHIVES[case]
    before = oic_emulator.state()
    answer = populated.upload("POST", "/packages/archive", data, "evil.par")
    assert answer.status_code == 400
    assert words in detail(answer)
    assert oic_emulator.state() == before


def test_missing_file_field(populated, oic_emulator):
    before = oic_emulator.state()
    for path in ("/integrations/archive", "/packages/archive", "/lookups/archive", "/libraries/archive"):
        answer = populated.post(path, data={"x": "y"})
        assert answer.status_code == 400, path
        assert "'file'" in detail(answer)
    assert oic_emulator.state() == before


def test_oversized_archive_is_refused():
    with EmulatorServer(EmulatorServer().with_config(max_archive_bytes=64 * 1024)) as server:
        api = Api(server)
        big = build_iar(IntegrationArchiveSpec("BIG", "01.00.0000", payload=os.urandom(256 * 1024)))
        answer = api.upload("POST", "/integrations/archive", big, "big.iar")
        assert answer.status_code == 400
        assert "limit" in detail(answer)
        assert api.get("/integrations").json()["totalResults"] == 0


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/integrations/KEEP%7C01.00.0000"),
        ("POST", "/connections/REST_A"),
        ("POST", "/lookups"),
        ("PUT", "/lookups/KEEP_LOOKUP"),
        ("POST", "/integrations/KEEP%7C01.00.0000/clone"),
        ("POST", "/monitoring/errors/resubmit"),
    ],
)
def test_malformed_json_is_400(populated, oic_emulator, method, path):
    before = oic_emulator.state()
    answer = populated.call(
        method, path, data=b'{"status": "ACTIVATED",', headers={**PATCH, "Content-Type": "application/json"}
    )
    assert answer.status_code == 400
    assert "not valid JSON" in detail(answer)
    assert oic_emulator.state() == before


def test_a_json_body_over_the_limit_is_refused_and_not_stored(api, oic_emulator):
    huge = "x" * (oic_emulator.config.max_json_bytes + 1)
    body = {"name": "LK_HUGE", "columns": ["a", "b"], "rows": [{"rowData": [huge, "y"]}]}
    answer = api.post("/lookups", json=body)
    assert answer.status_code == 413
    assert "larger than" in detail(answer)
    assert api.get("/lookups/LK_HUGE").status_code == 404


def test_a_chunked_json_body_over_the_limit_is_refused(api, oic_emulator):
    size = oic_emulator.config.max_json_bytes + 1

    def chunks():
        yield b'{"name": "LK_CHUNKED", "columns": ["a", "b"], "rows": [{"rowData": ["'
        for _ in range(size // (1 << 20) + 1):
            yield b"x" * (1 << 20)
        yield b'", "y"]}]}'

    answer = api.post("/lookups", data=chunks(), headers={"Content-Type": "application/json"})
    assert answer.status_code == 413
    assert api.get("/lookups/LK_CHUNKED").status_code == 404
