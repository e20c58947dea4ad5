"""Tokens: one per expiry window across threads, refresh before expiry and after a 401, masking."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from airflow_provider_oracle_oic.emulator import EmulatorServer
from airflow_provider_oracle_oic.oic import (
    OICAuthenticationError,
    OICBadRequestError,
    OICClient,
    OICConfig,
    OICTransportError,
)
from tests.oic.conftest import make_config


def test_sixteen_threads_share_one_token(client, oic_emulator):
    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(lambda _: [len(client.integrations.list()) for _ in range(50)], range(16)))
    assert sum(len(r) for r in results) == 800
    stats = oic_emulator.stats()
    assert stats["token_requests"] == 1
    assert stats["requests"]["GET /ic/api/integration/v1/integrations"] == 800


def test_short_ttl_refreshes_before_expiry():
    with (
        EmulatorServer(EmulatorServer().with_config(token_ttl=1.0)) as server,
        OICClient(make_config(server)) as oic,
    ):
        oic.integrations.list()
        time.sleep(1.2)
        oic.integrations.list()
        stats = server.stats()
        assert stats["token_requests"] == 2
        assert stats["statuses"].get("401") is None


def test_revoked_token_refreshes_once_then_succeeds(client, oic_emulator, masked):
    client.integrations.list()
    oic_emulator.revoke_tokens()
    assert client.integrations.list() == []
    stats = oic_emulator.stats()
    assert stats["token_requests"] == 2
    assert stats["statuses"]["401"] == 1
    assert len(masked.values) == 3


def test_secret_and_every_token_go_to_the_masker(client, oic_emulator, masked):
    client.connections.list()
    assert masked.values[0] == oic_emulator.config.client_secret
    assert masked.values[1].count(".") == 2


def test_wrong_secret_is_a_clear_error_without_the_secret(oic_emulator):
    config = make_config(oic_emulator, client_secret="wrong-secret-value")
    with OICClient(config) as oic, pytest.raises(OICAuthenticationError) as caught:
        oic.integrations.list()
    message = str(caught.value)
    assert "client id and secret" in message
    assert caught.value.status == 401
    assert "wrong-secret-value" not in message
    assert "wrong-secret-value" not in repr(config)


def test_unreachable_host_is_a_transport_error(oic_emulator):
    config = make_config(
        oic_emulator,
        base_url="http://127.0.0.1:9",
        token_url="http://127.0.0.1:9/oauth2/v1/token",
        max_retries=1,
    )
    with OICClient(config) as oic, pytest.raises(OICTransportError) as caught:
        oic.integrations.list()
    assert "Token request to http://127.0.0.1:9/oauth2/v1/token failed after 2 attempt(s)" in str(
        caught.value
    )
    assert "unreachable" in str(caught.value)


def test_default_scope_from_base_url():
    config = OICConfig(
        "https://abc.integration.ocp.oraclecloud.com", "id", "s", "https://idcs.example/oauth2/v1/token"
    )
    assert (
        config.effective_scope
        == "https://abc.integration.ocp.oraclecloud.com:443urn:opc:resource:consumer::all"
    )
    aud = OICConfig(
        "https://x.example", "id", "s", "https://i.example/t", client_aud="https://aud.example:443"
    )
    assert aud.effective_scope == "https://aud.example:443urn:opc:resource:consumer::all"
    explicit = OICConfig("https://x.example", "id", "s", "https://i.example/t", scope="custom")
    assert explicit.effective_scope == "custom"


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"base_url": "http://oic.example.com"}, "https://"),
        ({"client_secret": ""}, "client_secret"),
        ({"token_url": "ftp://x"}, "token_url"),
        ({"max_retries": -1}, "max_retries"),
        ({"client_key": "/k.pem"}, "client_cert"),
    ],
)
def test_bad_settings_are_refused_by_name(changes, words):
    settings = {
        "base_url": "https://x.example",
        "client_id": "id",
        "client_secret": "s",
        "token_url": "https://i.example/t",
        **changes,
    }
    with pytest.raises(ValueError, match=words):
        OICClient(OICConfig(**settings))


def test_instance_name_is_sent_on_every_call():
    with EmulatorServer(EmulatorServer().with_config(instance="oic-test")) as server:
        with OICClient(make_config(server, integration_instance="oic-test")) as oic:
            assert oic.integrations.list() == []
            assert oic.lookups.list() == []
        with (
            OICClient(make_config(server)) as oic,
            pytest.raises(OICBadRequestError, match="integrationInstance"),
        ):
            oic.integrations.list()
