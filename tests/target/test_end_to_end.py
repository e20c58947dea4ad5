"""One JSONL with all six streams deploys end to end, and the emulator's state matches it field by field."""

from __future__ import annotations

import base64
import json
from pathlib import Path

from airflow_provider_oracle_oic.emulator.builders import IntegrationArchiveSpec, build_iar
from airflow_provider_oracle_oic.singer.inprocess import run_target
from tests.target.conftest import singer_lines


def test_all_six_streams(config, archives, oic_emulator, monkeypatch):
    monkeypatch.setenv("ERP_PASSWORD", "erp-pw-from-env")
    records = [
        (
            "integrations",
            {
                "code": "HELLO",
                "version": "01.00.0000",
                "activate": True,
                "tracing": True,
                "archive_path": archives.iar(
                    "HELLO", name="Hello", connections=["REST_ERP"], lookups=["COUNTRIES"]
                ),
            },
        ),
        (
            "integrations",
            {
                "code": "BATCH",
                "version": "01.00.0000",
                "archive_base64": base64.b64encode(
                    build_iar(IntegrationArchiveSpec("BATCH", "01.00.0000"))
                ).decode(),
            },
        ),
        (
            "connections",
            {
                "id": "REST_ERP",
                "securityPolicy": "BASIC_AUTH",
                "connectionUrl": "https://erp.example",
                "securityProperties": {"username": "svc", "password": "${ERP_PASSWORD}"},
            },
        ),
        (
            "connections",
            {
                "id": "REST_PKG",
                "securityPolicy": "NONE",
                "connectionProperties": [{"propertyName": "connectionUrl", "propertyValue": "https://p"}],
            },
        ),
        (
            "lookups",
            {
                "name": "COUNTRIES",
                "columns": ["iso2", "name"],
                "rows": [["NL", "Netherlands"], ["FR", "France"]],
            },
        ),
        (
            "packages",
            {
                "name": "com.example.orders",
                "activate": True,
                "archive_path": archives.par(
                    "com.example.orders",
                    [
                        IntegrationArchiveSpec("ORD_IN", "01.00.0000", connections=["REST_PKG"]),
                        IntegrationArchiveSpec("ORD_OUT", "01.00.0000"),
                    ],
                ),
            },
        ),
        (
            "libraries",
            {"code": "MATH", "version": "01.00.0000", "name": "Math", "archive_path": archives.js()},
        ),
        (
            "certificates",
            {"name": "partner", "type": "X509", "category": "TRUST", "file_path": archives.pem()},
        ),
    ]
    states: list[dict] = []
    result = run_target(config, singer_lines(records, state={"bookmark": 1}), state_sink=states.append)
    assert result.ok, result.summary()
    assert states == [{"bookmark": 1}]
    state = oic_emulator.state()
    integrations = {f"{i['code']}|{i['version']}": i for i in state["integrations"]}
    assert integrations["HELLO|01.00.0000"]["status"] == "ACTIVATED"
    assert integrations["HELLO|01.00.0000"]["tracing"] is True
    assert integrations["HELLO|01.00.0000"]["name"] == "Hello"
    assert integrations["BATCH|01.00.0000"]["status"] == "CONFIGURED"
    assert integrations["ORD_IN|01.00.0000"]["package"] == "com.example.orders"
    assert integrations["ORD_IN|01.00.0000"]["status"] == "ACTIVATED"
    assert integrations["ORD_OUT|01.00.0000"]["status"] == "ACTIVATED"
    connections = {c["id"]: c for c in state["connections"]}
    erp = connections["REST_ERP"]
    assert (erp["status"], erp["testStatus"], erp["securityPolicy"]) == (
        "CONFIGURED",
        "SUCCESS",
        "BASIC_AUTH",
    )
    props = {
        p["propertyName"]: p["propertyValue"] for p in erp["connectionProperties"] + erp["securityProperties"]
    }
    assert props["connectionUrl"] == "https://erp.example"
    assert props["username"] == "svc"
    assert props["password"].startswith("sha256:")
    assert connections["REST_PKG"]["status"] == "CONFIGURED"
    assert state["lookups"][0]["rows"] == [["NL", "Netherlands"], ["FR", "France"]]
    assert [(lib["code"], lib["name"]) for lib in state["libraries"]] == [("MATH", "Math")]
    assert [(c["name"], c["type"], c["category"]) for c in state["certificates"]] == [
        ("partner", "X509", "TRUST")
    ]
    assert [p["name"] for p in state["packages"]] == ["com.example.orders"]
    audit = [json.loads(line) for line in Path(config["audit_log"]).read_text().splitlines()]
    assert audit[-1]["type"] == "summary"
    assert audit[-1]["ok"] is True
    assert "erp-pw-from-env" not in Path(config["audit_log"]).read_text()
    assert "erp-pw-from-env" not in Path(config["state_path"]).read_text()
    assert "erp-pw-from-env" not in json.dumps(result.to_dict())


def test_same_input_twice_writes_nothing_the_second_time(config, archives, oic_emulator):
    records = [
        (
            "integrations",
            {
                "code": "HELLO",
                "version": "01.00.0000",
                "activate": True,
                "archive_path": archives.iar("HELLO", connections=["REST_A"]),
            },
        ),
        (
            "connections",
            {
                "id": "REST_A",
                "securityPolicy": "BASIC_AUTH",
                "connectionUrl": "https://a",
                "securityProperties": {"username": "u", "password": "${REST_A_PASSWORD}"},
            },
        ),
        ("lookups", {"name": "CODES", "columns": ["a", "b"], "rows": [["1", "2"]]}),
    ]
    secrets = {"REST_A_PASSWORD": "pw-e2e"}
    assert run_target(config, singer_lines(records), secrets=secrets).ok
    oic_emulator.reset_stats()
    second = run_target(config, singer_lines(records), secrets=secrets)
    assert second.ok
    assert {r.outcome.value for r in second.results} == {"skipped"}
    assert oic_emulator.stats()["writes"] == 0


def test_integration_id_forms(config, archives, oic_emulator):
    schema = {
        "type": "SCHEMA",
        "stream": "integrations",
        "key_properties": ["id"],
        "schema": {
            "type": "object",
            "properties": {
                "id": {"type": "string"},
                "version": {"type": "string"},
                "archive_path": {"type": "string"},
            },
        },
    }
    lines = [json.dumps(schema)] + [
        json.dumps({"type": "RECORD", "stream": "integrations", "record": record})
        for record in (
            {"id": "PIPE|01.00.0000", "archive_path": archives.iar("PIPE")},
            {"id": "SEED", "version": "02.00.0000", "archive_path": archives.iar("SEED", "02.00.0000")},
        )
    ]
    assert run_target(config, lines).ok
    ids = {f"{i['code']}|{i['version']}" for i in oic_emulator.state()["integrations"]}
    assert ids == {"PIPE|01.00.0000", "SEED|02.00.0000"}


def test_deployment_prefix_renames_integration_codes(config, archives, oic_emulator):
    record = {"code": "ORDERS", "version": "01.00.0000", "archive_path": archives.iar("ORDERS")}
    result = run_target({**config, "deployment_prefix": "GREEN_"}, singer_lines([("integrations", record)]))
    assert result.ok, result.summary()
    assert [r.id for r in result.results] == ["GREEN_ORDERS|01.00.0000"]
    ids = {f"{i['code']}|{i['version']}" for i in oic_emulator.state()["integrations"]}
    assert ids == {"GREEN_ORDERS|01.00.0000"}
    bad = run_target({**config, "deployment_prefix": "green-"}, singer_lines([("integrations", record)]))
    assert [(i.field, "upper-case" in i.message) for i in bad.issues] == [("code", True)]


def test_integration_id_form_with_the_standard_schema(config, archives, oic_emulator):
    """The stream's own SCHEMA keys on code and version; `id: "CODE|VERSION"` alone must still do."""
    records = [("integrations", {"id": "PIPE|01.00.0000", "archive_path": archives.iar("PIPE")})]
    result = run_target(config, singer_lines(records))
    assert result.ok, result.summary()
    assert [f"{i['code']}|{i['version']}" for i in oic_emulator.state()["integrations"]] == [
        "PIPE|01.00.0000"
    ]


def test_a_package_is_created_under_the_record_name_whatever_its_file_is_called(
    config, archives, oic_emulator
):
    path = archives.par("release-42", [IntegrationArchiveSpec("PKG_A", "01.00.0000")])
    records = [("packages", {"name": "com.example.orders", "archive_path": path})]
    assert run_target(config, singer_lines(records)).ok
    assert [p["name"] for p in oic_emulator.state()["packages"]] == ["com.example.orders"]
    oic_emulator.reset_stats()
    again = run_target(config, singer_lines(records))
    assert again.ok, again.summary()
    assert oic_emulator.stats()["writes"] == 0


def test_a_package_record_named_unlike_its_par_fails_validation_every_time(config, archives, oic_emulator):
    """OIC names a package after the packageName its integrations carry; a record naming it otherwise
    would import it under OIC's name once and then 409 on every later run."""
    path = archives.par(
        "anything", [IntegrationArchiveSpec("PKG_B", "01.00.0000", package_name="com.acme.real")]
    )
    records = [("packages", {"name": "com.acme.other", "archive_path": path})]
    for _ in range(2):
        result = run_target(config, singer_lines(records))
        assert not result.ok
        assert not result.wrote
        [issue] = result.issues
        assert (issue.artifact, issue.field) == ("package com.acme.other", "name")
        assert "name the record com.acme.real" in issue.message
    assert oic_emulator.state()["packages"] == []
    named = [("packages", {"name": "com.acme.real", "archive_path": path})]
    assert run_target(config, singer_lines(named)).ok
    assert [p["name"] for p in oic_emulator.state()["packages"]] == ["com.acme.real"]
    oic_emulator.reset_stats()
    assert run_target(config, singer_lines(named)).ok
    assert oic_emulator.stats()["writes"] == 0
