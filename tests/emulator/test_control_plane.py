"""The test-only control plane: faults, seed, state, stats, persistence."""

from __future__ import annotations

import json
import time

import pytest
import requests

from airflow_provider_oracle_oic.emulator import EmulatorServer
from tests.http_api import Api, detail

SEED = {
    "connections": [
        {
            "id": "REST_ERP",
            "securityPolicy": "BASIC_AUTH",
            "status": "CONFIGURED",
            "connectionProperties": {"connectionUrl": "https://erp"},
            "securityProperties": {"username": "u", "password": "seeded-pw"},
        },
    ],
    "integrations": [
        {
            "code": "ORDERS",
            "version": "01.00.0000",
            "name": "Orders",
            "connections": ["REST_ERP"],
            "status": "ACTIVATED",
            "package": "com.example",
        },
        {"code": "BILLING", "version": "01.02.0003", "connections": ["REST_NEW"]},
    ],
    "lookups": [{"name": "CODES", "columns": ["a", "b"], "rows": [["1", "2"]]}],
}


def test_seed_and_state(api, oic_emulator):
    counts = oic_emulator.seed(SEED)
    assert (counts["integrations"], counts["connections"], counts["packages"]) == (2, 2, 1)
    assert api.status("ORDERS|01.00.0000") == "ACTIVATED"
    assert api.get("/connections/REST_NEW").json()["status"] == "INPROGRESS"
    assert api.get("/packages/com.example").json()["countOfIntegrations"] == 1
    assert api.get("/lookups/CODES").json()["rows"] == [{"rowData": ["1", "2"]}]
    state = oic_emulator.state()
    password = next(
        p for p in state["connections"][0]["securityProperties"] if p["propertyName"] == "password"
    )
    assert password["propertyValue"].startswith("sha256:")
    assert "seeded-pw" not in json.dumps(state)


@pytest.mark.parametrize(
    "bad",
    [
        {"integrations": [{"code": "x", "version": "01.00.0000"}]},
        {"integrations": [{"code": "OK", "version": "01.00.0000", "status": "RUNNING"}]},
        {"connections": [{"name": "no id"}]},
        {"lookups": [{"name": "L", "columns": ["only"]}]},
        {"widgets": []},
        ["not", "an", "object"],
    ],
)
def test_bad_seed_is_400_and_keeps_state(api, oic_emulator, bad):
    oic_emulator.seed(SEED)
    before = oic_emulator.state()
    answer = requests.post(f"{oic_emulator.url}/_emulator/seed", json=bad, timeout=10)
    assert answer.status_code == 400
    assert detail(answer)
    assert oic_emulator.state() == before


def test_stats_count_reads_writes_and_routes(api, oic_emulator):
    oic_emulator.reset_stats()
    api.import_iar("STATS", "01.00.0000")
    api.get("/integrations/STATS%7C01.00.0000")
    api.get("/integrations/STATS%7C01.00.0000")
    stats = oic_emulator.stats()
    assert stats["reads"] == 2
    assert stats["writes"] == 1
    assert stats["requests"]["GET /ic/api/integration/v1/integrations/{ident}"] == 2
    assert stats["requests"]["POST /ic/api/integration/v1/integrations/archive"] == 1
    assert stats["statuses"] == {"200": 2, "204": 1}


def test_latency_with_jitter(api, oic_emulator):
    oic_emulator.set_faults([{"route": "/ic/api/*/lookups", "latency_ms": 1000, "jitter_ms": 100}])
    started = time.monotonic()
    assert api.get("/lookups").status_code == 200
    assert time.monotonic() - started >= 0.9
    started = time.monotonic()
    assert api.get("/connections").status_code == 200
    assert time.monotonic() - started < 0.9


def test_429_with_retry_after_and_5xx_repeat_under_a_seed(api, oic_emulator):
    def run() -> list[int]:
        oic_emulator.set_faults(
            [{"route": "*", "p429": 0.3, "p503": 0.1, "p500": 0.1, "retry_after": 2}], seed=42
        )
        answers = [api.get("/integrations") for _ in range(60)]
        for answer in answers:
            if answer.status_code == 429:
                assert answer.headers["Retry-After"] == "2"
                assert detail(answer)
        return [a.status_code for a in answers]

    first, second = run(), run()
    assert first == second
    assert {200, 429, 503, 500} <= set(first)
    assert 10 <= first.count(429) <= 30


def test_dropped_connection_before_and_after_processing(api, oic_emulator):
    oic_emulator.set_faults(
        [{"route": "*/integrations/archive", "methods": ["POST"], "pdrop": 1.0, "times": 1}]
    )
    with pytest.raises(requests.ConnectionError):
        api.import_iar("DROPPED", "01.00.0000")
    assert api.get("/integrations/DROPPED%7C01.00.0000").status_code == 404
    oic_emulator.set_faults(
        [{"route": "*/integrations/archive", "methods": ["POST"], "pdrop": 1.0, "after": True, "times": 1}]
    )
    with pytest.raises(requests.ConnectionError):
        api.import_iar("TOOK_EFFECT", "01.00.0000")
    assert api.get("/integrations/TOOK_EFFECT%7C01.00.0000").status_code == 200
    assert api.import_iar("NEXT", "01.00.0000").status_code == 204


def test_error_after_processing_and_times_limit(api, oic_emulator):
    oic_emulator.set_faults([{"route": "*/integrations/archive", "p503": 1.0, "after": True, "times": 2}])
    assert api.import_iar("A", "01.00.0000").status_code == 503
    assert api.import_iar("B", "01.00.0000").status_code == 503
    assert api.import_iar("C", "01.00.0000").status_code == 204
    assert api.get("/integrations").json()["totalResults"] == 3
    assert oic_emulator._control("GET", "faults")["injected"] == 2


def test_fault_rules_filter_by_method_and_bad_rules_are_400(api, oic_emulator):
    oic_emulator.set_faults([{"route": "*", "methods": ["DELETE"], "p500": 1.0}])
    assert api.get("/integrations").status_code == 200
    assert api.delete("/lookups/NOPE").status_code == 500
    for rule in ({"p429": 0.8, "p503": 0.5}, {"p429": "often"}, {"colour": "red"}, {"times": -1}):
        answer = requests.put(f"{oic_emulator.url}/_emulator/faults", json={"rules": [rule]}, timeout=10)
        assert answer.status_code == 400, rule
    oic_emulator.clear_faults()
    assert api.delete("/lookups/NOPE").status_code == 404


def test_token_endpoint_faults(oic_emulator):
    oic_emulator.set_faults([{"route": "/oauth2/v1/token", "p503": 1.0, "times": 1}])
    with pytest.raises(requests.HTTPError):
        Api(oic_emulator)
    assert Api(oic_emulator).token


def test_state_file_survives_restart(tmp_path):
    state_file = tmp_path / "state" / "oic.json"
    config = EmulatorServer().with_config(state_file=state_file)
    with EmulatorServer(config) as server:
        api = Api(server)
        api.import_iar("PERSIST", "01.00.0000", connections=["REST_P"])
        api.configure_connection("REST_P")
        api.set_status("PERSIST|01.00.0000", "ACTIVATED")
        api.post("/lookups", json={"name": "KEPT", "columns": ["a", "b"], "rows": [{"rowData": ["1", "2"]}]})
        exported = api.get("/integrations/PERSIST%7C01.00.0000/archive").content
        before = server.state()
    assert oct(state_file.stat().st_mode & 0o777) == "0o600"
    assert [p.name for p in state_file.parent.iterdir() if p.name.startswith(".")] == []
    with EmulatorServer(config) as server:
        api = Api(server)
        assert server.state() == before
        assert api.status("PERSIST|01.00.0000") == "ACTIVATED"
        assert api.get("/integrations/PERSIST%7C01.00.0000/archive").content == exported
        assert api.get("/connections/REST_P").json()["status"] == "CONFIGURED"
