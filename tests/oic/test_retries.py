"""The one retry policy against injected faults: 429 with Retry-After, 5xx, dropped connections."""

from __future__ import annotations

import logging
import time
from email.utils import formatdate

import pytest

from airflow_provider_oracle_oic.emulator import EmulatorServer
from airflow_provider_oracle_oic.emulator.builders import IntegrationArchiveSpec, build_iar
from airflow_provider_oracle_oic.emulator.config import EmulatorConfig
from airflow_provider_oracle_oic.oic import (
    OICClient,
    OICConflictError,
    OICPreconditionFailedError,
    OICServerError,
    OICTransportError,
)
from airflow_provider_oracle_oic.oic.retry import RetryPolicy, parse_retry_after
from tests.oic.conftest import make_config


def test_two_hundred_calls_succeed_under_429_and_503(client, oic_emulator, iar, caplog):
    caplog.set_level(logging.INFO, logger="airflow_provider_oracle_oic")
    archives = [iar(f"RETRY_{n:02d}") for n in range(40)]
    oic_emulator.set_faults([{"route": "*", "p429": 0.3, "p503": 0.1, "retry_after": "0"}], seed=11)
    client_retries = make_config(oic_emulator, max_retries=10, backoff_base=0.001, backoff_max=0.002)
    with OICClient(client_retries) as oic:
        for path in archives:
            oic.integrations.import_archive(path)
        for n in range(80):
            assert oic.integrations.get(f"RETRY_{n % 40:02d}|01.00.0000").status == "CONFIGURED"
        for n in range(40):
            oic.lookups.create(f"LK_{n}", ["a", "b"], [["1", "2"]])
        for _ in range(40):
            assert len(oic.integrations.list(q="{code:/RETRY_/}")) == 40
    stats = oic_emulator.stats()
    assert stats["statuses"]["429"] > 20
    assert stats["statuses"]["503"] > 5
    assert "409" not in stats["statuses"]
    assert stats["statuses"]["204"] == 40
    oic_emulator.clear_faults()
    assert len(client.integrations.list()) == 40
    assert len(client.lookups.list()) == 40
    retries = [r.getMessage() for r in caplog.records if r.getMessage().startswith("Retrying")]
    assert any("HTTP 429" in line for line in retries)
    assert any("HTTP 503" in line for line in retries)
    assert all(r.levelno == logging.INFO for r in caplog.records if r.getMessage().startswith("Retrying"))


def test_always_503_fails_after_max_retries_naming_the_operation(client, oic_emulator):
    client.lookups.list()
    oic_emulator.set_faults([{"route": "/ic/api/*", "p503": 1.0}])
    with pytest.raises(OICServerError) as caught:
        client.lookups.get("ANY")
    assert "Get lookup ANY failed: HTTP 503" in str(caught.value)
    assert caught.value.status == 503
    assert caught.value.method == "GET"
    assert oic_emulator.stats()["requests"]["GET /ic/api/integration/v1/lookups/{name}"] == 4


def test_token_endpoint_down_is_a_server_error_not_bad_credentials(client, oic_emulator):
    oic_emulator.set_faults([{"route": "/oauth2/v1/token", "p503": 1.0}])
    with pytest.raises(OICServerError, match=r"token endpoint .* is unavailable"):
        client.lookups.list()


def test_lost_post_that_took_effect_is_not_repeated(client, oic_emulator, iar):
    path = iar("ONCE")
    oic_emulator.set_faults(
        [{"route": "*/integrations/archive", "methods": ["POST"], "pdrop": 1.0, "after": True, "times": 1}]
    )
    result = client.integrations.import_archive(path)
    assert result.id == "ONCE|01.00.0000"
    stats = oic_emulator.stats()
    assert stats["requests"]["POST /ic/api/integration/v1/integrations/archive"] == 1
    assert client.integrations.get("ONCE|01.00.0000").status == "CONFIGURED"


def test_lost_post_that_did_not_take_effect_is_repeated(client, oic_emulator, iar):
    path = iar("TWICE")
    oic_emulator.set_faults(
        [{"route": "*/integrations/archive", "methods": ["POST"], "p503": 1.0, "times": 1}]
    )
    client.integrations.import_archive(path)
    assert oic_emulator.stats()["requests"]["POST /ic/api/integration/v1/integrations/archive"] == 2
    with pytest.raises(OICConflictError):
        client.integrations.import_archive(path)


def test_lost_replace_that_took_effect_is_not_repeated(client, oic_emulator, iar):
    path = iar("REPLACED")
    client.integrations.import_archive(path)
    oic_emulator.set_faults(
        [{"route": "*/integrations/archive", "methods": ["PUT"], "p502": 1.0, "after": True, "times": 1}]
    )
    assert client.integrations.replace_archive(path).replaced is True
    assert oic_emulator.stats()["requests"]["PUT /ic/api/integration/v1/integrations/archive"] == 1


def test_dropped_connections_on_reads_are_retried(client, oic_emulator):
    oic_emulator.set_faults([{"route": "*/lookups", "pdrop": 1.0, "times": 2}])
    assert client.lookups.list() == []
    oic_emulator.set_faults([{"route": "*/lookups", "pdrop": 1.0}])
    with pytest.raises(OICTransportError, match="List lookups failed after 4 attempt"):
        client.lookups.list()


def test_retry_after_seconds_and_http_date():
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    future = parse_retry_after(formatdate(time.time() + 30, usegmt=True))
    assert future is not None
    assert 25 <= future <= 31
    assert parse_retry_after(formatdate(time.time() - 30, usegmt=True)) == 0.0
    policy = RetryPolicy(max_retries=3, backoff_base=1.0, backoff_max=4.0, retry_after_cap=10.0)
    assert policy.delay(1, "120") == 10.0
    assert 0.5 <= policy.delay(1) <= 1.0
    assert 2.0 <= policy.delay(3) <= 4.0
    assert 2.0 <= policy.delay(9) <= 4.0
    assert policy.is_retryable_status(500, "GET")
    assert not policy.is_retryable_status(500, "POST")
    assert not policy.is_retryable_status(404, "GET")


@pytest.mark.parametrize("change", ["activate", "deactivate"])
def test_a_status_change_whose_answer_was_lost_is_recognised_and_waited_for(change, tmp_path):
    """The retry of a lost activation finds it in progress (412); the client knows it as its own."""
    path = tmp_path / "slow.iar"
    path.write_bytes(build_iar(IntegrationArchiveSpec("SLOW", "01.00.0000")))
    with (
        EmulatorServer(EmulatorConfig(activation_delay=0.5)) as server,
        OICClient(make_config(server)) as oic,
    ):
        oic.integrations.import_archive(path)
        if change == "deactivate":
            oic.integrations.activate("SLOW|01.00.0000")
            oic.integrations.wait_for_status("SLOW|01.00.0000", "ACTIVATED", 10, 0.05)
        lost_answer = {
            "route": "/ic/api/integration/v1/integrations/*",
            "methods": ["POST"],
            "after": True,
            "pdrop": 1.0,
            "times": 1,
        }
        server.set_faults([lost_answer])
        getattr(oic.integrations, change)("SLOW|01.00.0000")
        wanted = "ACTIVATED" if change == "activate" else "CONFIGURED"
        assert oic.integrations.wait_for_status("SLOW|01.00.0000", wanted, 10, 0.05) == wanted
        assert server.stats()["statuses"].get("412") == 1
        assert server.faults()["injected"] == 1


def test_a_412_from_a_lock_is_still_an_error(client, oic_emulator, iar):
    client.integrations.import_archive(iar("HELD"))
    oic_emulator.lock("integration", "HELD|01.00.0000")
    with pytest.raises(OICPreconditionFailedError):
        client.integrations.activate("HELD|01.00.0000")
