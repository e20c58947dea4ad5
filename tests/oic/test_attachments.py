"""`connections.upload_attachment`: streamed, in any scope, retried safely when its answer is lost."""

from __future__ import annotations

from tests.emulator.test_attachments import KEY, OCI
from tests.http_api import Api


def test_a_private_key_is_uploaded_and_the_connection_tests(client, oic_emulator, tmp_path):
    api = Api(oic_emulator)
    api.import_iar("USES_BUCKET", "01.00.0000", connections=["BUCKET"])
    assert api.patch("/connections/BUCKET", OCI).status_code == 200
    key = tmp_path / "oci_api_key.pem"
    key.write_bytes(KEY)
    # The first upload takes effect and its answer is lost: the retry must not fail.
    oic_emulator.set_faults(
        [{"route": "*/attachments/*", "methods": ["POST"], "after": True, "pdrop": 1.0, "times": 1}]
    )
    try:
        conn = client.connections.upload_attachment("BUCKET", "PrivateKey", key)
    finally:
        oic_emulator.clear_faults()
    prop = next(p for p in conn.security_properties if p.name == "PrivateKey")
    assert prop.has_attachment
    assert prop.takes_file
    assert client.connections.test("BUCKET").status == "CONFIGURED"


def test_inside_a_project(client, oic_emulator, tmp_path):
    oic_emulator.seed({"projects": [{"id": "HUB", "name": "Hub", "connections": [{"id": "BUCKET"}]}]})
    space = client.project("HUB")
    space.connections.update(
        "BUCKET",
        connection_properties={"connectionUrl": "https://objectstorage.example.com"},
        security_properties={"TenancyOCID": "t", "UserOCID": "u", "FingerPrint": "f"},
        security_policy="OCI_SIGNATURE_VERSION1",
    )
    key = tmp_path / "key.pem"
    key.write_bytes(KEY)
    conn = space.connections.upload_attachment("BUCKET", "PrivateKey", key)
    assert any(p.has_attachment for p in conn.security_properties)
    assert space.connections.test("BUCKET").status == "CONFIGURED"
