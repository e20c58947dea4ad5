"""No GET anywhere (OIC API or control plane) returns a password or keystore secret."""

from __future__ import annotations

import requests

from airflow_provider_oracle_oic.emulator.builders import build_certificate_pem, build_pkcs12_keystore

SECRETS = {
    "password": "S3cret-basic-pw",
    "oauth.client.secret": "S3cret-oauth-client",
    "apiKey": "S3cret-api-key",
    "keystorePassword": "S3cret-keystore",
    "keyPasswords": "S3cret-key-passwords",
    "passPhrase": "S3cret-pgp-phrase",
}


def _set_every_secret(api) -> None:
    api.import_iar("SECRETIVE", "01.00.0000", connections=["REST_BASIC", "REST_OAUTH"])
    api.patch(
        "/connections/REST_BASIC",
        {
            "securityPolicy": "BASIC_AUTH",
            "connectionProperties": [{"propertyName": "connectionUrl", "propertyValue": "https://x"}],
            "securityProperties": [
                {"propertyName": "username", "propertyValue": "svc"},
                {"propertyName": "password", "propertyValue": SECRETS["password"]},
            ],
        },
    )
    api.import_iar("KEYED", "01.00.0000", connections=["REST_KEY"])
    api.patch(
        "/connections/REST_KEY",
        {
            "securityPolicy": "API_KEY_BASED_AUTHENTICATION",
            "securityProperties": [{"propertyName": "apiKey", "propertyValue": SECRETS["apiKey"]}],
        },
    )
    api.patch(
        "/connections/REST_OAUTH",
        {
            "securityPolicy": "OAUTH_CLIENT_CREDENTIALS",
            "securityProperties": [
                {"propertyName": "oauth.client.id", "propertyValue": "cid"},
                {"propertyName": "oauth.client.secret", "propertyValue": SECRETS["oauth.client.secret"]},
            ],
        },
    )
    api.post("/connections/REST_BASIC/test")
    keystore = build_pkcs12_keystore(SECRETS["keystorePassword"])
    api.upload(
        "POST",
        "/certificates",
        keystore,
        "id.p12",
        name="identity",
        type="X509",
        category="IDENTITY",
        keystorePassword=SECRETS["keystorePassword"],
        keyPasswords=SECRETS["keyPasswords"],
    )
    api.upload(
        "POST",
        "/certificates",
        b"-----BEGIN PGP PRIVATE KEY BLOCK-----\n",
        "k.asc",
        name="pgp",
        type="PGP",
        category="PRIVATE",
        passPhrase=SECRETS["passPhrase"],
    )
    api.upload(
        "POST", "/certificates", build_certificate_pem(), "t.pem", name="trust", type="X509", category="TRUST"
    )


SAMPLES = {
    "/integrations/{ident}": "SECRETIVE|01.00.0000",
    "/connections/{ident}": "REST_BASIC",
    "/certificates/{ident}": "identity",
    "/libraries/{ident}": "NONE|01.00.0000",
    "/lookups/{name}": "NONE",
    "/packages/{name}": "NONE",
    "/projects/{project_id}": "NONE",
    "/projects/{ident}": "NONE",
    "/deployments/{code}": "NONE",
}


def _get_paths(openapi: dict) -> list[str]:
    """Every GET route, with its path parameter filled by an object that exists where one can."""
    paths = []
    for path, operations in openapi["paths"].items():
        if "get" not in operations:
            continue
        for template, sample in SAMPLES.items():
            path = path.replace(template, template.split("{")[0] + requests.utils.quote(sample, safe=""))
        paths.append(path)
    return paths


def test_no_get_returns_a_secret(api, oic_emulator):
    _set_every_secret(api)
    openapi = requests.get(f"{oic_emulator.url}/openapi.json", timeout=10).json()
    seen = []
    for path in _get_paths(openapi):
        assert "{" not in path, path
        answer = api.http.get(
            f"{oic_emulator.url}{path}", headers={"Authorization": f"Bearer {api.token}"}, timeout=10
        )
        seen.append((path, answer.status_code))
        for name, value in SECRETS.items():
            assert value not in answer.text, f"{name} leaked by GET {path}"
    ok_paths = {p for p, status in seen if status == 200}
    assert "/ic/api/integration/v1/connections/REST_BASIC" in ok_paths
    assert "/ic/api/integration/v1/certificates/identity" in ok_paths
    assert "/_emulator/state" in ok_paths
    assert len(ok_paths) >= 15
    secs = {p["propertyName"]: p for p in api.get("/connections/REST_OAUTH").json()["securityProperties"]}
    assert "propertyValue" not in secs["oauth.client.secret"]
    assert secs["oauth.client.id"]["propertyValue"] == "cid"
