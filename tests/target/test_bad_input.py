"""Bad input: a clear error naming artifact and field, a failed run, and zero writes on the emulator."""

from __future__ import annotations

import json
import os

import pytest

from airflow_provider_oracle_oic.singer.inprocess import InputError, run_target
from airflow_provider_oracle_oic.singer.schemas import schema_message
from tests.target.conftest import singer_lines


@pytest.fixture
def quiet_emulator(oic_emulator):
    yield oic_emulator
    stats = oic_emulator.stats()
    assert stats["writes"] == 0
    assert stats["token_requests"] == 0


@pytest.mark.parametrize(
    ("lines", "words"),
    [
        (['{"type": "SCHEMA", "stream": "lookups",'], "line 1: not valid JSON"),
        ([json.dumps(schema_message("lookups")), "not json at all"], "line 2: not valid JSON"),
        ([json.dumps({**schema_message("lookups"), "stream": "widgets"})], "Unknown stream 'widgets'"),
        (
            [json.dumps({"type": "RECORD", "stream": "lookups", "record": {"name": "X"}})],
            "before a corresponding schema",
        ),
        ([json.dumps({"type": "RECORD"})], "line 1: missing required key"),
        (["[1, 2]"], "line 1: a Singer message must be a JSON object"),
    ],
)
def test_unusable_singer_input(config, quiet_emulator, lines, words):
    with pytest.raises(InputError, match=words):
        run_target(config, lines)


def test_unknown_stream_names_the_six(config, quiet_emulator):
    with pytest.raises(InputError) as caught:
        run_target(config, [json.dumps({**schema_message("lookups"), "stream": "widgets"})])
    for stream in ("connections", "integrations", "lookups", "packages", "libraries", "certificates"):
        assert stream in str(caught.value)


def test_streams_setting_skips_and_counts_others(config, quiet_emulator):
    lines = [
        json.dumps({**schema_message("lookups"), "stream": "widgets"}),
        json.dumps({"type": "RECORD", "stream": "widgets", "record": {"name": "x"}}),
        *singer_lines(
            [("certificates", {"name": "c", "type": "X509", "category": "TRUST", "content_base64": "eA=="})]
        ),
    ]
    result = run_target({**config, "streams": ["lookups"], "validate_only": False, "dry_run": True}, lines)
    assert result.skipped_streams == {"widgets": 1, "certificates": 1}
    assert result.results == []


def _issue(result, artifact: str, field: str) -> str:
    assert not result.ok
    assert result.results == []
    matches = [i for i in result.issues if i.artifact == artifact and i.field == field]
    assert matches, [str(i) for i in result.issues]
    return matches[0].message


def test_missing_required_field(config, quiet_emulator):
    with pytest.raises(InputError, match="line 2: a record of stream lookups lacks its key field"):
        run_target(config, singer_lines([("lookups", {"columns": ["a", "b"], "rows": []})]))
    keyless = {**schema_message("lookups"), "key_properties": []}
    lines = [
        json.dumps(keyless),
        json.dumps({"type": "RECORD", "stream": "lookups", "record": {"columns": ["a", "b"], "rows": []}}),
    ]
    result = run_target(config, lines)
    assert "is required" in _issue(result, "lookup <no name>", "name")


def test_bad_version_format(config, archives, quiet_emulator):
    result = run_target(
        config,
        singer_lines(
            [("integrations", {"code": "HELLO", "version": "1.0", "archive_path": archives.iar("HELLO")})]
        ),
    )
    assert "NN.NN.NNNN" in _issue(result, "integration HELLO|1.0", "version")


def test_unresolved_placeholder(config, quiet_emulator, monkeypatch):
    monkeypatch.delenv("NOT_SET_ANYWHERE", raising=False)
    record = {"id": "REST_A", "securityProperties": {"password": "${NOT_SET_ANYWHERE}"}}
    result = run_target(config, singer_lines([("connections", record)]))
    message = _issue(result, "connection REST_A", "securityProperties.password")
    assert "NOT_SET_ANYWHERE" in message


@pytest.mark.parametrize(
    "where", ["../outside.iar", "/etc/passwd", "symlink.iar", "nested/../../outside.iar"]
)
def test_archive_path_must_stay_inside_archive_directory(config, archives, tmp_path, quiet_emulator, where):
    outside = tmp_path / "outside.iar"
    outside.write_bytes((archives.root / archives.iar("HELLO")).read_bytes())
    os.symlink(outside, archives.root / "symlink.iar")
    record = {"code": "HELLO", "version": "01.00.0000", "archive_path": where}
    result = run_target(config, singer_lines([("integrations", record)]))
    message = _issue(result, "integration HELLO|01.00.0000", "archive_path")
    assert "archive_directory" in message or "'..'" in message


def test_corrupt_archive(config, archives, quiet_emulator):
    (archives.root / "broken.iar").write_bytes(b"PK\x03\x04 this is not really a zip")
    record = {"code": "HELLO", "version": "01.00.0000", "archive_path": "broken.iar"}
    result = run_target(config, singer_lines([("integrations", record)]))
    assert "not a zip" in _issue(result, "integration HELLO|01.00.0000", "archive_path")


def test_checksum_mismatch(config, archives, quiet_emulator):
    record = {
        "code": "HELLO",
        "version": "01.00.0000",
        "archive_path": archives.iar("HELLO"),
        "checksum": "sha256:" + "0" * 64,
    }
    result = run_target(config, singer_lines([("integrations", record)]))
    assert "does not match" in _issue(result, "integration HELLO|01.00.0000", "checksum")


def test_archive_holding_another_integration(config, archives, quiet_emulator):
    record = {"code": "HELLO", "version": "01.00.0000", "archive_path": archives.iar("OTHER")}
    result = run_target(config, singer_lines([("integrations", record)]))
    assert "OTHER|01.00.0000" in _issue(result, "integration HELLO|01.00.0000", "archive")


def test_same_artifact_twice(config, quiet_emulator):
    record = {"name": "CODES", "columns": ["a", "b"], "rows": []}
    result = run_target(config, singer_lines([("lookups", record), ("lookups", record)]))
    assert "appears twice" in _issue(result, "lookup CODES", "record")


def test_every_problem_is_reported_at_once(config, archives, quiet_emulator):
    records = [
        ("lookups", {"name": "OK", "columns": ["a", "b"], "rows": []}),
        ("lookups", {"name": "BAD", "columns": ["a"], "rows": []}),
        ("integrations", {"code": "lower", "version": "01.00.0000", "archive_path": archives.iar("HELLO")}),
    ]
    result = run_target(config, singer_lines(records))
    assert {(i.artifact, i.field) for i in result.issues} == {
        ("lookup BAD", "columns"),
        ("integration lower|01.00.0000", "code"),
    }
    assert "nothing was written" in result.summary()


def test_secret_never_echoed_by_bad_input(config, quiet_emulator):
    record = {"id": "REST_A", "securityProperties": {"password": "hunter2-secret"}, "connectionProperties": 5}
    result = run_target(config, singer_lines([("connections", record)]))
    assert "hunter2-secret" not in result.summary()
    assert "hunter2-secret" not in json.dumps(result.to_dict())
    with pytest.raises(InputError) as caught:
        run_target(
            config, ['{"type": "RECORD", "stream": "connections", "record": {"password": "hunter2-secret"']
        )
    assert "hunter2-secret" not in str(caught.value)
