"""§4 Attachments: a file uploaded to a file-valued connection property (a private key, a WSDL), in the
instance and inside an OIC 3 project; the practitioner's OCI-signature flow replayed."""

from __future__ import annotations

import pytest

from tests.http_api import detail

KEY = b"-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIG1ha2UtYmVsaWV2ZS1rZXktZm9yLXRlc3RzLTEyMzQ=\n-----END PRIVATE KEY-----\n"
OCI = {
    "securityPolicy": "OCI_SIGNATURE_VERSION1",
    "connectionProperties": [
        {
            "propertyGroup": "CONNECTION_PROPS",
            "propertyName": "connectionType",
            "propertyType": "CHOICE",
            "propertyValue": "restUrl",
        },
        {
            "propertyGroup": "CONNECTION_PROPS",
            "propertyName": "connectionUrl",
            "propertyType": "URL",
            "propertyValue": "https://objectstorage.eu-frankfurt-1.oraclecloud.com",
        },
    ],
    "securityProperties": [
        {
            "propertyGroup": "CREDENTIALS",
            "propertyName": "TenancyOCID",
            "propertyType": "STRING",
            "propertyValue": "ocid1.tenancy.oc1..aaaa",
        },
        {
            "propertyGroup": "CREDENTIALS",
            "propertyName": "UserOCID",
            "propertyType": "STRING",
            "propertyValue": "ocid1.user.oc1..bbbb",
        },
        {
            "propertyGroup": "CREDENTIALS",
            "propertyName": "FingerPrint",
            "propertyType": "STRING",
            "propertyValue": "aa:bb:cc",
        },
    ],
}


@pytest.fixture
def bucket(api):
    api.import_iar("USES_BUCKET", "01.00.0000", connections=["BUCKET"])
    answer = api.patch("/connections/BUCKET", OCI)
    assert answer.status_code == 200, detail(answer)
    return "BUCKET"


def attach(api, path: str, data: bytes, **fields: str):
    return api.call("POST", path, files={"file": ("key.pem", data, "application/octet-stream")}, data=fields)


def test_the_oci_signature_flow_needs_the_private_key(api, bucket):
    refused = api.post(f"/connections/{bucket}/test")
    assert refused.status_code == 409
    assert "PrivateKey" in detail(refused)
    answer = attach(
        api, f"/connections/{bucket}/attachments/PrivateKey", KEY, type="application/octet-stream"
    )
    assert answer.status_code == 200, detail(answer)
    secs = {p["propertyName"]: p for p in answer.json()["securityProperties"]}
    assert secs["PrivateKey"]["hasAttachment"] is True
    assert "propertyValue" not in secs["PrivateKey"]
    assert KEY.decode() not in answer.text
    tested = api.post(f"/connections/{bucket}/test")
    assert tested.status_code == 200, detail(tested)
    assert tested.json()["status"] == "CONFIGURED"
    assert KEY.decode() not in api.get(f"/connections/{bucket}").text


@pytest.mark.parametrize(
    ("prop", "data", "status", "words"),
    [
        ("TenancyOCID", KEY, 400, "takes no file"),
        ("NoSuchProperty", KEY, 400, "takes no file"),
        ("PrivateKey", b"", 400, "is empty"),
    ],
)
def test_what_takes_no_file_or_an_empty_file_is_refused(api, bucket, prop, data, status, words):
    answer = attach(api, f"/connections/{bucket}/attachments/{prop}", data)
    assert answer.status_code == status
    assert words in detail(answer)


def test_unknown_and_locked_connections(api, bucket, oic_emulator):
    assert attach(api, "/connections/NOPE/attachments/PrivateKey", KEY).status_code == 404
    oic_emulator.lock("connection", bucket)
    assert attach(api, f"/connections/{bucket}/attachments/PrivateKey", KEY).status_code == 412


def test_a_soap_connection_takes_an_uploaded_wsdl(api, oic_emulator):
    oic_emulator.seed({"connections": [{"id": "SOAP_ERP", "adapter": "soap"}]})
    answer = api.call(
        "POST",
        "/connections/SOAP_ERP/attachments/targetWSDLURL",
        files={"file": ("erp.wsdl", b"<definitions/>", "text/xml")},
    )
    assert answer.status_code == 200, detail(answer)
    props = {p["propertyName"]: p for p in answer.json()["connectionProperties"]}
    assert props["targetWSDLURL"]["hasAttachment"] is True


def test_custom_two_legged_is_offered_by_rest(api, oic_emulator):
    api.import_iar("USES_CUSTOM", "01.00.0000", connections=["REST_CUSTOM"])
    answer = api.patch(
        "/connections/REST_CUSTOM",
        {
            "securityPolicy": "CUSTOM_TWO_LEGGED",
            "connectionProperties": [
                {"propertyName": "connectionUrl", "propertyValue": "https://api.example.com"}
            ],
            "securityProperties": [
                {
                    "propertyName": "oauth.access.token.request",
                    "propertyValue": "-X POST https://idp.example.com/token",
                },
                {"propertyName": "$access_token", "propertyValue": "access.[tT]oken"},
            ],
        },
    )
    assert answer.status_code == 200, detail(answer)
    assert api.post("/connections/REST_CUSTOM/test").status_code == 200
    offered = {p["securityPolicy"] for p in answer.json()["securityPolicyInfo"]}
    assert {"CUSTOM_TWO_LEGGED", "CUSTOM_THREE_LEGGED"} <= offered


def test_attachments_inside_a_project(api, oic_emulator):
    oic_emulator.seed(
        {"projects": [{"id": "HUB", "name": "Hub", "connections": [{"id": "BUCKET", "adapter": "rest"}]}]}
    )
    assert api.patch("/projects/HUB/connections/BUCKET", OCI).status_code == 200
    answer = attach(api, "/projects/HUB/connections/BUCKET/attachments/PrivateKey", KEY)
    assert answer.status_code == 200, detail(answer)
    assert api.post("/projects/HUB/connections/BUCKET/test").status_code == 200
    assert attach(api, "/connections/BUCKET/attachments/PrivateKey", KEY).status_code == 404
