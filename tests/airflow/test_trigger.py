"""IntegrationActivationTrigger: serialisation, and which events it yields while pending and when done."""

from __future__ import annotations

import asyncio
import time

import pytest

from airflow_provider_oracle_oic.emulator import EmulatorServer
from airflow_provider_oracle_oic.triggers.activation import IntegrationActivationTrigger
from tests.airflow.conftest import connection_json
from tests.http_api import Api


def make(
    target: str = "ACTIVATED", ident: str = "HELLO|01.00.0000", seconds: float = 10
) -> IntegrationActivationTrigger:
    return IntegrationActivationTrigger("oracle_oic_default", ident, target, 0.05, time.time() + seconds)


def first_event(trigger: IntegrationActivationTrigger, within: float = 15) -> dict:
    async def collect() -> dict:
        async for event in trigger.run():
            return event.payload
        raise AssertionError("the trigger ended without an event")

    return asyncio.run(asyncio.wait_for(collect(), within))


def test_serialize_round_trip():
    trigger = make()
    path, kwargs = trigger.serialize()
    assert path == "airflow_provider_oracle_oic.triggers.activation.IntegrationActivationTrigger"
    module, _, name = path.rpartition(".")
    cls = getattr(__import__(module, fromlist=[name]), name)
    again = cls(**kwargs)
    assert again.serialize() == (path, kwargs)


@pytest.fixture
def slow(monkeypatch):
    with EmulatorServer(EmulatorServer().with_config(activation_delay=0.5)) as server:
        monkeypatch.setenv("AIRFLOW_CONN_ORACLE_OIC_DEFAULT", connection_json(server))
        yield server


def test_pending_status_yields_nothing_until_terminal(slow):
    api = Api(slow)
    api.import_iar("HELLO", "01.00.0000")
    activated_at: list[float] = []

    async def activate_later() -> None:
        await asyncio.sleep(0.3)
        await asyncio.to_thread(api.set_status, "HELLO|01.00.0000", "ACTIVATED")
        activated_at.append(time.monotonic())

    async def scenario() -> tuple[dict, float]:
        activation = asyncio.create_task(activate_later())
        async for event in make().run():
            await activation
            return event.payload, time.monotonic()
        raise AssertionError("the trigger ended without an event")

    event, received_at = asyncio.run(asyncio.wait_for(scenario(), 15))
    assert event["status"] == "success"
    assert event["activation_status"] == "ACTIVATED"
    assert received_at - activated_at[0] >= 0.4
    polls = slow.stats()["requests"]["GET /ic/api/integration/v1/integrations/{ident}/activationStatus"]
    assert polls >= 4


def test_failed_activation_is_a_terminal_error_event(slow):
    api = Api(slow)
    api.import_iar("HELLO", "01.00.0000", connections=["REST_UNSET"])
    api.set_status("HELLO|01.00.0000", "ACTIVATED")
    event = first_event(make())
    assert event["status"] == "error"
    assert "REST_UNSET" in event["message"]


def test_timeout_event_and_deactivation_target(slow):
    api = Api(slow)
    api.import_iar("HELLO", "01.00.0000")
    assert first_event(make(seconds=0.2))["status"] == "timeout"
    assert first_event(make(target="CONFIGURED"))["status"] == "success"


def test_missing_integration_and_unreachable_oic_are_error_events(slow, monkeypatch):
    assert first_event(make(ident="NOPE|01.00.0000"))["status"] == "error"
    monkeypatch.setenv(
        "AIRFLOW_CONN_ORACLE_OIC_DEFAULT",
        '{"conn_type": "oracle_oic", "host": "http://127.0.0.1:9", '
        '"login": "a", "password": "b", "extra": {"token_url": "http://127.0.0.1:9/t", "max_retries": 0}}',
    )
    event = first_event(make())
    assert event["status"] == "error"
    assert "unreachable" in event["message"]
