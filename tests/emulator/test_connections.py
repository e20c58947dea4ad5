"""§4 connections: PATCH update of the documented fields only, test 200/409, write-only secrets."""

from __future__ import annotations

import pytest

from tests.http_api import detail


@pytest.fixture
def conn(api):
    api.import_iar("USES_CONN", "01.00.0000", connections=["REST_A"])
    return "REST_A"


def test_update_applies_only_documented_fields(api, conn):
    answer = api.patch(
        f"/connections/{conn}",
        {
            "name": "Renamed",
            "description": "ignored",
            "adapterType": {"name": "soap"},
            "securityPolicy": "OAUTH_CLIENT_CREDENTIALS",
            "agentGroupId": "AGENT_1",
            "connectionProperties": [{"propertyName": "connectionUrl", "propertyValue": "https://a.example"}],
            "securityProperties": [{"propertyName": "oauth.client.id", "propertyValue": "cid"}],
        },
    )
    assert answer.status_code == 200
    body = answer.json()
    assert (body["name"], body["description"], body["adapterType"]["name"]) == ("REST_A", "", "rest")
    assert (body["securityPolicy"], body["agentGroupId"]) == ("OAUTH_CLIENT_CREDENTIALS", "AGENT_1")
    props = {p["propertyName"]: p for p in body["connectionProperties"]}
    assert props["connectionUrl"]["propertyValue"] == "https://a.example"
    assert props["connectionUrl"]["requiredFlag"] is True
    assert props["connectionUrl"]["propertyType"] == "URL"
    assert props["connectionUrl"]["displayName"] == "Connection URL"
    assert props["connectionType"]["acceptableKeys"][0]["keyName"] == "restUrl"
    assert "propertyValue" not in props["connectionType"]
    secs = {p["propertyName"]: p for p in body["securityProperties"]}
    assert secs["oauth.client.id"]["propertyValue"] == "cid"
    assert {"oauth.client.secret", "oauth.access.token.uri"} <= set(secs)
    assert secs["oauth.client.secret"]["propertyType"] == "PASSWORD"
    assert all(p["hasAttachment"] is False for p in body["securityProperties"])
    assert all(p["propertyGroup"] == "CREDENTIALS" for p in body["securityProperties"])
    assert (body["status"], body["testStatus"]) == ("INPROGRESS", "NOTTESTED")


def test_updates_merge_by_property_name(api, conn):
    api.patch(
        f"/connections/{conn}",
        {
            "securityPolicy": "BASIC_AUTH",
            "securityProperties": [{"propertyName": "username", "propertyValue": "u1"}],
        },
    )
    api.patch(
        f"/connections/{conn}",
        {
            "connectionProperties": [
                {"propertyName": "connectionUrl", "propertyValue": "https://b"},
                {"propertyName": "tlsVersion", "propertyValue": "TLSv1.2"},
            ]
        },
    )
    body = api.get(f"/connections/{conn}").json()
    assert {p["propertyName"]: p.get("propertyValue") for p in body["securityProperties"]}["username"] == "u1"
    props = {
        p["propertyName"]: p.get("propertyValue")
        for p in body["connectionProperties"]
        if "propertyValue" in p
    }
    assert props == {"connectionUrl": "https://b", "tlsVersion": "TLSv1.2"}


def test_test_is_409_until_complete_then_200_configured(api, conn):
    answer = api.post(f"/connections/{conn}/test")
    assert answer.status_code == 409
    assert "securityPolicy" in detail(answer)
    assert api.get(f"/connections/{conn}").json()["testStatus"] == "FAILED"
    api.patch(
        f"/connections/{conn}",
        {
            "securityPolicy": "BASIC_AUTH",
            "securityProperties": [{"propertyName": "username", "propertyValue": "svc"}],
        },
    )
    answer = api.post(f"/connections/{conn}/test")
    assert answer.status_code == 409
    assert "connectionUrl" in detail(answer)
    assert "password" in detail(answer)
    answer = api.configure_connection(conn)
    assert answer.status_code == 200
    assert (answer.json()["status"], answer.json()["testStatus"]) == ("CONFIGURED", "SUCCESS")
    api.patch(f"/connections/{conn}", {"agentGroupId": "AG"})
    assert (api.get(f"/connections/{conn}").json()["status"]) == "INPROGRESS"


@pytest.mark.parametrize(
    ("policy", "properties"),
    [
        ("NONE", {}),
        (
            "OAUTH_CLIENT_CREDENTIALS",
            {"oauth.client.id": "c", "oauth.client.secret": "s", "oauth.access.token.uri": "https://idp/t"},
        ),
    ],
)
def test_required_properties_per_policy(api, conn, policy, properties):
    api.patch(
        f"/connections/{conn}",
        {
            "securityPolicy": policy,
            "connectionProperties": [{"propertyName": "connectionUrl", "propertyValue": "https://x"}],
            "securityProperties": [{"propertyName": k, "propertyValue": v} for k, v in properties.items()],
        },
    )
    assert api.post(f"/connections/{conn}/test").status_code == 200


def test_passwords_are_never_returned(api, conn):
    api.configure_connection(conn)
    text = api.get(f"/connections/{conn}").text + api.get("/connections").text
    assert "pw-secret-1" not in text
    secs = {p["propertyName"]: p for p in api.get(f"/connections/{conn}").json()["securityProperties"]}
    assert "propertyValue" not in secs["password"]
    assert secs["username"]["propertyValue"] == "svc"
    api.patch(
        f"/connections/{conn}",
        {
            "securityPolicy": "OAUTH_CLIENT_CREDENTIALS",
            "securityProperties": [
                {"propertyName": "oauth.client.secret", "propertyValue": "k-secret-2"},
                {"propertyName": "oauth.access.token.uri", "propertyValue": "https://idp/token"},
            ],
        },
    )
    text = api.get(f"/connections/{conn}").text
    assert "k-secret-2" not in text
    secs = {p["propertyName"]: p for p in api.get(f"/connections/{conn}").json()["securityProperties"]}
    # Only the catalogue's propertyType decides: a URL whose name holds "token" is readable.
    assert secs["oauth.access.token.uri"]["propertyValue"] == "https://idp/token"


def test_bad_updates_are_400_and_change_nothing(api, conn):
    before = api.get(f"/connections/{conn}").json()
    for body in (
        ["not", "an", "object"],
        {"securityPolicy": "MAGIC"},
        {"connectionProperties": [{"propertyName": "timeout", "propertyValue": "30"}]},
        {
            "securityPolicy": "BASIC_AUTH",
            "securityProperties": [{"propertyName": "clientId", "propertyValue": "c"}],
        },
        {"connectionProperties": {"connectionUrl": "x"}},
        {"securityProperties": [{"propertyValue": "no name"}]},
        {"agentGroupId": 5},
    ):
        answer = api.patch(f"/connections/{conn}", body)
        assert answer.status_code == 400, body
        assert conn in detail(answer)
    assert api.get(f"/connections/{conn}").json() == before


def test_locked_connection_and_missing_connection(api, conn, oic_emulator):
    oic_emulator.lock("connection", conn)
    assert api.patch(f"/connections/{conn}", {"agentGroupId": "x"}).status_code == 412
    assert api.post(f"/connections/{conn}/test").status_code == 412
    assert api.delete(f"/connections/{conn}").status_code == 423
    oic_emulator.unlock("connection", conn)
    assert api.get("/connections/NOPE").status_code == 404
    assert api.patch("/connections/NOPE", {}).status_code == 404
    assert api.post("/connections/NOPE/test").status_code == 404
    assert api.post(f"/connections/{conn}", json={}).status_code == 405


def test_delete_refused_while_an_active_integration_uses_it(api, conn):
    api.configure_connection(conn)
    api.set_status("USES_CONN|01.00.0000", "ACTIVATED")
    body = api.get(f"/connections/{conn}").json()
    assert (body["usage"], body["usageActive"]) == (1, 1)
    answer = api.delete(f"/connections/{conn}")
    assert answer.status_code == 423
    assert "USES_CONN" in detail(answer)
    api.set_status("USES_CONN|01.00.0000", "CONFIGURED")
    assert api.delete(f"/connections/{conn}").status_code == 200
    assert api.get(f"/connections/{conn}").status_code == 404


def test_list_connections_with_q(api):
    api.import_iar("TWO", "01.00.0000", connections=["REST_A", "REST_B"])
    api.configure_connection("REST_B")
    listing = api.get("/connections", params={"q": "{status:'CONFIGURED'}"}).json()
    assert [c["id"] for c in listing["items"]] == ["REST_B"]
    assert api.get("/connections").json()["totalResults"] == 2


def test_the_adapter_catalogue_decides_policies_and_property_names(api, conn):
    body = api.get(f"/connections/{conn}").json()
    offered = {p["securityPolicy"]: p for p in body["securityPolicyInfo"]}
    assert {"BASIC_AUTH", "OAUTH_CLIENT_CREDENTIALS", "NONE"} <= set(offered)
    oauth = {p["propertyName"]: p for p in offered["OAUTH_CLIENT_CREDENTIALS"]["securityProperties"]}
    assert oauth["oauth.client.secret"]["propertyType"] == "PASSWORD"
    assert oauth["oauth.client.id"]["requiredFlag"] is True
    assert oauth["oauth.scope"]["requiredFlag"] is False
    answer = api.patch(f"/connections/{conn}", {"securityPolicy": "FTP_SERVER_ACCESS_POLICY"})
    assert answer.status_code == 400
    assert "not offered by the REST adapter" in detail(answer)
    assert "BASIC_AUTH" in detail(answer)
    answer = api.patch(
        f"/connections/{conn}",
        {
            "securityPolicy": "OAUTH_CLIENT_CREDENTIALS",
            "securityProperties": [{"propertyName": "clientId", "propertyValue": "c"}],
        },
    )
    assert answer.status_code == 400
    assert "no property 'clientId'" in detail(answer)
    assert "oauth.client.id" in detail(answer)


def test_an_import_creates_its_connections_with_the_adapter_type_the_archive_names(api):
    api.import_iar("MIXED", "01.00.0000", connections=["SOAP_ERP", "PLAIN"], adapters={"SOAP_ERP": "SOAP"})
    soap = api.get("/connections/SOAP_ERP").json()
    assert (soap["adapterType"]["name"], soap["adapterType"]["displayName"]) == ("soap", "SOAP")
    assert "targetWSDLURL" in {p["propertyName"] for p in soap["connectionProperties"]}
    assert api.get("/connections/PLAIN").json()["adapterType"]["name"] == "rest"
    answer = api.patch("/connections/SOAP_ERP", {"securityPolicy": "API_KEY_BASED_AUTHENTICATION"})
    assert answer.status_code == 400
    assert "not offered by the SOAP adapter" in detail(answer)
