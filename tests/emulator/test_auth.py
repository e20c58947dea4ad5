"""§1 authentication and §2 conventions: tokens, bearer checks, integrationInstance."""

from __future__ import annotations

import time

import pytest
import requests

from airflow_provider_oracle_oic.emulator import EmulatorServer
from tests.http_api import Api, detail


def test_token_endpoint_issues_bearer_token(oic_emulator):
    answer = requests.post(
        oic_emulator.token_url,
        auth=(oic_emulator.config.client_id, oic_emulator.config.client_secret),
        data={"grant_type": "client_credentials", "scope": "https://x:443urn:opc:resource:consumer::all"},
        timeout=10,
    )
    assert answer.status_code == 200
    body = answer.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert body["access_token"].count(".") == 2
    assert oic_emulator.stats()["tokens_issued"] == 1


@pytest.mark.parametrize(
    ("auth", "form", "status", "error"),
    [
        (("oic-emulator-client", "wrong"), {"grant_type": "client_credentials"}, 401, "invalid_client"),
        (("nobody", "oic-emulator-secret"), {"grant_type": "client_credentials"}, 401, "invalid_client"),
        (None, {"grant_type": "client_credentials"}, 401, "invalid_client"),
        (
            ("oic-emulator-client", "oic-emulator-secret"),
            {"grant_type": "password"},
            400,
            "unsupported_grant_type",
        ),
    ],
)
def test_token_endpoint_refuses_bad_clients(oic_emulator, auth, form, status, error):
    answer = requests.post(oic_emulator.token_url, auth=auth, data=form, timeout=10)
    assert answer.status_code == status
    assert answer.json()["error"] == error
    assert "error_description" in answer.json()
    assert oic_emulator.stats()["tokens_issued"] == 0


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer not-a-token", "Basic b2ljOnNlY3JldA=="])
def test_api_refuses_missing_or_wrong_token(oic_emulator, header):
    headers = {"Authorization": header} if header else {}
    answer = requests.get(f"{oic_emulator.api_url}/integrations", headers=headers, timeout=10)
    assert answer.status_code == 401
    assert "token" in detail(answer).lower()
    assert answer.headers["WWW-Authenticate"].startswith("Bearer")


def test_expired_token_is_refused():
    with EmulatorServer(EmulatorServer().with_config(token_ttl=0.3)) as server:
        api = Api(server)
        assert api.get("/integrations").status_code == 200
        time.sleep(0.5)
        assert api.get("/integrations").status_code == 401
        assert api.get("/integrations", token=api.fetch_token()).status_code == 200


def test_revoked_tokens_are_refused(api, oic_emulator):
    assert api.get("/connections").status_code == 200
    assert oic_emulator.revoke_tokens() == 1
    assert api.get("/connections").status_code == 401


def test_instance_mode_requires_integration_instance():
    with EmulatorServer(EmulatorServer().with_config(instance="oic-dev")) as server:
        with_instance = Api(server, instance="oic-dev")
        assert with_instance.get("/integrations").status_code == 200
        without = Api(server)
        answer = without.get("/integrations")
        assert answer.status_code == 400
        assert "integrationInstance" in detail(answer)
        wrong = Api(server, instance="oic-prod")
        answer = wrong.get("/integrations")
        assert answer.status_code == 400
        assert "oic-prod" in detail(answer)
        answer = without.import_iar("HELLO", "01.00.0000")
        assert answer.status_code == 400
        assert with_instance.get("/integrations").json()["totalResults"] == 0


def test_openapi_document_is_public(oic_emulator):
    answer = requests.get(f"{oic_emulator.url}/openapi.json", timeout=10)
    assert answer.status_code == 200
    paths = answer.json()["paths"]
    assert "/ic/api/integration/v1/integrations/{ident}/activationStatus" in paths
    assert "/oauth2/v1/token" in paths
    assert "/_emulator/traffic" in paths


def test_unknown_route_and_method_use_error_body(api):
    answer = api.get("/nothing-here")
    assert answer.status_code == 404
    assert "/nothing-here" in detail(answer)
    answer = api.call("PATCH", "/integrations/X%7C01.00.0000")
    assert answer.status_code == 405
    assert "PATCH" in detail(answer)
