"""Dependency order across streams, and correct results with parallel requests under latency."""

from __future__ import annotations

import json
from pathlib import Path

from airflow_provider_oracle_oic.singer.inprocess import run_target
from tests.http_api import Api
from tests.target.conftest import singer_lines


def test_integrations_before_their_connections_still_deploy(config, archives, oic_emulator):
    records = [
        (
            "integrations",
            {
                "code": "FIRST",
                "version": "01.00.0000",
                "activate": True,
                "archive_path": archives.iar("FIRST", connections=["REST_LATE"]),
            },
        ),
        ("lookups", {"name": "AFTER", "columns": ["a", "b"], "rows": []}),
        (
            "connections",
            {
                "id": "REST_LATE",
                "securityPolicy": "BASIC_AUTH",
                "connectionUrl": "https://late",
                "securityProperties": {"username": "u", "password": "${LATE_PASSWORD}"},
            },
        ),
    ]
    result = run_target(config, singer_lines(records), secrets={"LATE_PASSWORD": "p-late"})
    assert result.ok, result.summary()
    order = [(r.kind, r.action) for r in result.results]
    assert order == [
        ("lookup", "create"),
        ("integration", "create"),
        ("connection", "update"),
        ("integration", "activate"),
    ]
    assert Api(oic_emulator).status("FIRST|01.00.0000") == "ACTIVATED"
    audit = [
        json.loads(line) for line in Path(config["audit_log"]).read_text().splitlines() if '"action"' in line
    ]
    tested = next(e for e in audit if e["kind"] == "connection")
    activated = next(e for e in audit if e["action"] == "activate")
    assert tested["time"] <= activated["time"]
    assert tested["status_after"] == "CONFIGURED"


def test_activation_waits_for_a_slow_activation():
    from airflow_provider_oracle_oic.emulator import EmulatorServer

    with EmulatorServer(EmulatorServer().with_config(activation_delay=0.3)) as server:
        config = {
            "base_url": server.url,
            "oauth_client_id": server.config.client_id,
            "oauth_client_secret": server.config.client_secret,
            "oauth_token_url": server.token_url,
            "activation_poll_interval": 0.05,
        }
        import base64

        from airflow_provider_oracle_oic.emulator.builders import IntegrationArchiveSpec, build_iar

        data = base64.b64encode(build_iar(IntegrationArchiveSpec("SLOW", "01.00.0000"))).decode()
        result = run_target(
            config,
            singer_lines(
                [
                    (
                        "integrations",
                        {"code": "SLOW", "version": "01.00.0000", "archive_base64": data, "activate": True},
                    )
                ]
            ),
        )
        assert result.ok, result.summary()
        assert Api(server).status("SLOW|01.00.0000") == "ACTIVATED"


def test_max_concurrency_eight_under_latency_is_correct(config, oic_emulator):
    oic_emulator.set_faults([{"route": "/ic/api/*", "latency_ms": 40, "jitter_ms": 20}], seed=3)
    records = [
        ("lookups", {"name": f"L{n:02d}", "columns": ["k", "v"], "rows": [[str(n), "x"]]}) for n in range(24)
    ]
    result = run_target({**config, "max_concurrency": 8}, singer_lines(records))
    assert result.ok
    oic_emulator.clear_faults()
    api = Api(oic_emulator)
    for n in range(24):
        assert api.get(f"/lookups/L{n:02d}").json()["rows"] == [{"rowData": [str(n), "x"]}]
    assert len({r.id for r in result.results}) == 24


def test_new_minor_version_reports_which_version_it_replaced(config, archives, oic_emulator):
    first = [
        (
            "integrations",
            {
                "code": "ORDERS",
                "version": "01.00.0000",
                "activate": True,
                "archive_path": archives.iar("ORDERS", "01.00.0000"),
            },
        )
    ]
    assert run_target(config, singer_lines(first)).ok
    second = [
        (
            "integrations",
            {
                "code": "ORDERS",
                "version": "01.01.0000",
                "activate": True,
                "archive_path": archives.iar("ORDERS", "01.01.0000"),
            },
        )
    ]
    result = run_target(config, singer_lines(second))
    assert result.ok
    activation = result.results[-1]
    assert activation.replaced_version == "ORDERS|01.00.0000"
    assert "replaces ORDERS|01.00.0000" in activation.reason
    api = Api(oic_emulator)
    assert api.status("ORDERS|01.00.0000") == "CONFIGURED"
    assert api.status("ORDERS|01.01.0000") == "ACTIVATED"
    third = [
        (
            "integrations",
            {
                "code": "ORDERS",
                "version": "02.00.0000",
                "activate": True,
                "archive_path": archives.iar("ORDERS", "02.00.0000"),
            },
        )
    ]
    result = run_target(config, singer_lines(third))
    assert result.results[-1].replaced_version is None
    assert api.status("ORDERS|01.01.0000") == "ACTIVATED"


def test_replace_of_an_active_integration_deactivates_then_reactivates(config, archives, oic_emulator):
    record = {
        "code": "LIVE",
        "version": "01.00.0000",
        "activate": True,
        "archive_path": archives.iar("LIVE", payload=b"v1"),
    }
    assert run_target(config, singer_lines([("integrations", record)])).ok
    changed = {**record, "activate": False, "archive_path": archives.iar("LIVE", payload=b"v2")}
    result = run_target(config, singer_lines([("integrations", changed)]))
    assert result.ok, result.summary()
    assert [r.action for r in result.results] == ["replace", "activate"]
    assert "reactivate" in result.results[1].reason
    assert Api(oic_emulator).status("LIVE|01.00.0000") == "ACTIVATED"


def test_changed_tracing_flags_reactivate_an_unchanged_integration(config, archives, oic_emulator):
    record = {
        "code": "TRACED",
        "version": "01.00.0000",
        "activate": True,
        "archive_path": archives.iar("TRACED"),
    }
    assert run_target(config, singer_lines([("integrations", record)])).ok
    oic_emulator.reset_stats()
    result = run_target(config, singer_lines([("integrations", {**record, "tracing": True})]))
    assert result.ok, result.summary()
    assert [(r.action, r.outcome.value) for r in result.results] == [
        ("skip", "skipped"),
        ("activate", "applied"),
    ]
    assert "tracing differ" in result.results[1].reason
    body = Api(oic_emulator).get("/integrations/TRACED%7C01.00.0000").json()
    assert (body["status"], body["tracingEnabledFlag"]) == ("ACTIVATED", True)
    assert oic_emulator.stats()["requests"]["POST /ic/api/integration/v1/integrations/{ident}"] == 2
    oic_emulator.reset_stats()
    again = run_target(config, singer_lines([("integrations", {**record, "tracing": True})]))
    assert [r.action for r in again.results] == ["skip"]
    assert oic_emulator.stats()["writes"] == 0
