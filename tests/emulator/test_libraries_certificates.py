"""§7 libraries and certificates."""

from __future__ import annotations

from airflow_provider_oracle_oic.emulator.builders import (
    build_certificate_pem,
    build_jar_library,
    build_js_library,
    build_pkcs12_keystore,
)
from tests.http_api import detail

LIB = {"name": "Math utils", "code": "MATH_UTILS", "version": "01.00.0000", "type": "API"}


def test_library_register_get_replace_export_delete(api, oic_emulator):
    answer = api.upload("POST", "/libraries/archive", build_js_library(), "math.js", **LIB)
    assert answer.status_code == 204
    assert answer.headers["Location"] == f"{oic_emulator.api_url}/libraries/MATH_UTILS%7C01.00.0000"
    assert api.upload("POST", "/libraries/archive", build_js_library(), "math.js", **LIB).status_code == 409
    body = api.get("/libraries/MATH_UTILS%7C01.00.0000").json()
    assert (body["name"], body["type"], body["fileName"]) == ("Math utils", "API", "math.js")
    jar = build_jar_library()
    assert (
        api.upload("POST", "/libraries/MATH_UTILS%7C01.00.0000/archive", jar, "math.jar").status_code == 200
    )
    assert api.get("/libraries/MATH_UTILS%7C01.00.0000/archive").content == jar
    assert api.upload("POST", "/libraries/NOPE%7C01.00.0000/archive", jar, "x.jar").status_code == 404
    assert api.get("/libraries").json()["totalResults"] == 1
    assert api.delete("/libraries/MATH_UTILS%7C01.00.0000").status_code == 200
    assert api.get("/libraries/MATH_UTILS%7C01.00.0000").status_code == 404


def test_library_in_use_or_locked(api, oic_emulator):
    oic_emulator.seed(
        {
            "libraries": [{"code": "MATH_UTILS", "version": "01.00.0000", "name": "m"}],
            "integrations": [
                {
                    "code": "USES_LIB",
                    "version": "01.00.0000",
                    "libraries": ["MATH_UTILS|01.00.0000"],
                    "status": "ACTIVATED",
                }
            ],
        }
    )
    answer = api.delete("/libraries/MATH_UTILS%7C01.00.0000")
    assert answer.status_code == 423
    assert "USES_LIB" in detail(answer)
    oic_emulator.lock("library", "MATH_UTILS|01.00.0000")
    assert api.upload("POST", "/libraries/MATH_UTILS%7C01.00.0000/archive", b"x", "m.js").status_code == 412


def test_bad_libraries_are_400(api):
    cases = [
        (build_js_library(), "math.py", LIB),
        (b"not a zip", "math.jar", LIB),
        (b"", "math.js", LIB),
        (build_js_library(), "math.js", {**LIB, "code": "lower"}),
        (build_js_library(), "math.js", {**LIB, "version": "1"}),
        (build_js_library(), "math.js", {**LIB, "type": "JAVA"}),
        (build_js_library(), "math.js", {k: v for k, v in LIB.items() if k != "name"}),
        (build_js_library(), "math.js", {k: v for k, v in LIB.items() if k != "type"}),
    ]
    for data, file_name, fields in cases:
        answer = api.upload("POST", "/libraries/archive", data, file_name, **fields)
        assert answer.status_code == 400, (file_name, fields)
        assert "Library" in detail(answer)
    assert api.get("/libraries").json()["totalResults"] == 0


def test_trust_certificate_upload_list_delete(api, oic_emulator):
    pem = build_certificate_pem("partner.example.com")
    answer = api.upload(
        "POST", "/certificates", pem, "partner.pem", name="partner", type="X509", category="TRUST"
    )
    assert answer.status_code == 204
    assert answer.headers["Location"] == f"{oic_emulator.api_url}/certificates/partner"
    body = api.get("/certificates/partner").json()
    assert body["subject"] == "CN=partner.example.com"
    assert body["expiryDate"] is not None
    assert (
        api.upload(
            "POST", "/certificates", pem, "p.pem", name="partner", type="X509", category="TRUST"
        ).status_code
        == 409
    )
    assert api.get("/certificates").json()["totalResults"] == 1
    assert api.delete("/certificates/partner").status_code == 200
    assert api.get("/certificates/partner").status_code == 404
    assert api.delete("/certificates/partner").status_code == 404


def test_identity_keystore_checks_password_and_never_returns_it(api):
    store = build_pkcs12_keystore("ks-secret-3")
    wrong = api.upload(
        "POST",
        "/certificates",
        store,
        "id.p12",
        name="identity",
        type="X509",
        category="IDENTITY",
        keystorePassword="wrong",
    )
    assert wrong.status_code == 400
    assert "keystorePassword" in detail(wrong)
    missing = api.upload(
        "POST", "/certificates", store, "id.p12", name="identity", type="X509", category="IDENTITY"
    )
    assert missing.status_code == 400
    answer = api.upload(
        "POST",
        "/certificates",
        store,
        "id.p12",
        name="identity",
        type="X509",
        category="IDENTITY",
        keystorePassword="ks-secret-3",
        keyPasswords="kp-secret-4",
    )
    assert answer.status_code == 204
    text = api.get("/certificates/identity").text + api.get("/certificates").text
    assert "ks-secret-3" not in text
    assert "kp-secret-4" not in text


def test_bad_certificates_are_400(api):
    pem = build_certificate_pem()
    cases = [
        (b"garbage", {"name": "a", "type": "X509", "category": "TRUST"}),
        (pem, {"name": "a", "type": "RSA", "category": "TRUST"}),
        (pem, {"name": "a", "type": "X509", "category": "PRIVATE"}),
        (pem, {"type": "X509", "category": "TRUST"}),
        (b"", {"name": "a", "type": "PGP", "category": "PUBLIC"}),
    ]
    for data, fields in cases:
        answer = api.upload("POST", "/certificates", data, "c.pem", **fields)
        assert answer.status_code == 400, fields
    assert api.get("/certificates").json()["totalResults"] == 0


def test_categories_follow_oracles_upload_page(api):
    pem = build_certificate_pem()
    ok = [("SAML", "OWSM"), ("SIGNKEY", "PRIVATE"), ("SIGNKEY", "PUBLIC"), ("PGP", "PUBLIC")]
    for index, (kind, category) in enumerate(ok):
        answer = api.upload(
            "POST", "/certificates", pem, "c.pem", name=f"c{index}", type=kind, category=category
        )
        assert answer.status_code == 204, (kind, category)
    for kind, category in [("SAML", "TRUST"), ("SIGNKEY", "TRUST"), ("X509", "OWSM")]:
        answer = api.upload("POST", "/certificates", pem, "c.pem", name="bad", type=kind, category=category)
        assert answer.status_code == 400, (kind, category)
        assert category in detail(answer)
