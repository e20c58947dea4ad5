"""Every resource method of the client against the emulator, happy and unhappy paths."""

from __future__ import annotations

import zipfile

import pytest

from airflow_provider_oracle_oic.emulator import EmulatorServer
from airflow_provider_oracle_oic.emulator.builders import (
    IntegrationArchiveSpec,
    build_certificate_pem,
    build_jar_library,
    build_js_library,
    build_pkcs12_keystore,
)
from airflow_provider_oracle_oic.oic import (
    OICActivationError,
    OICArchiveError,
    OICBadRequestError,
    OICClient,
    OICConflictError,
    OICLockedError,
    OICNotFoundError,
    OICPreconditionFailedError,
    OICRateLimitedError,
    OICTimeoutError,
    read_archive,
)
from airflow_provider_oracle_oic.oic.models import LookupUser
from tests.oic.conftest import make_config

HELLO = "HELLO|01.00.0000"


def configure(client: OICClient, conn_id: str) -> None:
    client.connections.update(
        conn_id, {"connectionUrl": "https://x"}, {"username": "u", "password": "p"}, "BASIC_AUTH"
    )
    client.connections.test(conn_id)


def test_integration_lifecycle(client, iar, tmp_path):
    path = iar("HELLO", connections=["REST_A"], name="Hello")
    created = client.integrations.import_archive(path)
    assert created.id == HELLO
    assert created.location.endswith("/integrations/HELLO%7C01.00.0000")
    with pytest.raises(OICConflictError) as caught:
        client.integrations.import_archive(path)
    assert caught.value.status == 409
    assert "already exists" in caught.value.detail
    assert client.integrations.import_or_replace(path).replaced is True
    item = client.integrations.get(HELLO)
    assert (item.code, item.version, item.name, item.status, item.connection_ids) == (
        "HELLO",
        "01.00.0000",
        "Hello",
        "CONFIGURED",
        ("REST_A",),
    )
    assert [i.id for i in client.integrations.list(q="{code:'HELLO'}")] == [HELLO]
    assert client.integrations.find("NOPE|01.00.0000") is None
    with pytest.raises(OICNotFoundError):
        client.integrations.get("NOPE|01.00.0000")
    download = client.integrations.export(HELLO, tmp_path / "out" / "hello.iar")
    assert download.sha256 == read_archive(tmp_path / "out" / "hello.iar").sha256
    assert download.size == (tmp_path / "out" / "hello.iar").stat().st_size


def test_replace_absent_and_active(client, iar):
    path = iar("HELLO")
    with pytest.raises(OICNotFoundError):
        client.integrations.replace_archive(path)
    client.integrations.import_archive(path)
    client.integrations.activate(HELLO)
    client.integrations.wait_for_status(HELLO, "ACTIVATED", timeout=5, poll_interval=0.05)
    with pytest.raises(OICPreconditionFailedError):
        client.integrations.replace_archive(path)
    with pytest.raises(OICLockedError):
        client.integrations.delete(HELLO)
    assert client.integrations.deactivate(HELLO).status == "DEACTIVATION_INPROGRESS"
    assert (
        client.integrations.wait_for_status(HELLO, "CONFIGURED", timeout=5, poll_interval=0.05)
        == "CONFIGURED"
    )
    client.integrations.delete(HELLO)
    assert client.integrations.find(HELLO) is None


def test_activation_failure_carries_activation_errors(client, iar):
    client.integrations.import_archive(iar("HELLO", connections=["REST_A"]))
    assert client.integrations.activate(HELLO, tracing=True).status == "ACTIVATION_INPROGRESS"
    with pytest.raises(OICActivationError) as caught:
        client.integrations.wait_for_status(HELLO, "ACTIVATED", timeout=5, poll_interval=0.05)
    assert "REST_A" in caught.value.activation_errors
    assert caught.value.ident == HELLO
    errors = client.integrations.activation_errors(HELLO)
    assert errors.has_errors
    configure(client, "REST_A")
    item = client.integrations.activate(HELLO, tracing=True, payload_tracing=False, record_enabled=True)
    assert (item.status, item.tracing, item.payload_tracing, item.record_enabled) == (
        "ACTIVATION_INPROGRESS",
        True,
        False,
        True,
    )
    assert client.integrations.activation_status(HELLO) == "ACTIVATED"


def test_wait_for_status_times_out_with_the_last_status(iar):
    with (
        EmulatorServer(EmulatorServer().with_config(activation_delay=5)) as server,
        OICClient(make_config(server)) as oic,
    ):
        oic.integrations.import_archive(iar("HELLO"))
        oic.integrations.activate(HELLO)
        with pytest.raises(OICTimeoutError, match="still ACTIVATION_INPROGRESS"):
            oic.integrations.wait_for_status(HELLO, "ACTIVATED", timeout=0.3, poll_interval=0.05)


def test_locked_integration(client, iar, oic_emulator):
    client.integrations.import_archive(iar("HELLO"))
    oic_emulator.lock("integration", HELLO)
    assert client.integrations.get(HELLO).locked
    with pytest.raises(OICPreconditionFailedError, match="locked"):
        client.integrations.activate(HELLO)
    with pytest.raises(OICLockedError):
        client.integrations.export(HELLO, iar("X").with_name("x.iar"))


def test_clone_and_schedule(client, iar):
    client.integrations.import_archive(iar("NIGHTLY", scheduled=True))
    clone = client.integrations.clone(
        "NIGHTLY|01.00.0000", "NIGHTLY_COPY", "01.00.0000", "Copy", package_name="p"
    )
    assert (clone.id, clone.package_name) == ("NIGHTLY_COPY|01.00.0000", "p")
    with pytest.raises(OICConflictError):
        client.integrations.clone("NIGHTLY|01.00.0000", "NIGHTLY_COPY", "01.00.0000", "Copy")
    with pytest.raises(OICBadRequestError):
        client.integrations.clone("NIGHTLY|01.00.0000", "bad", "1", "Copy")
    client.integrations.activate("NIGHTLY|01.00.0000")
    assert client.integrations.schedule("NIGHTLY|01.00.0000", "start").status == "ACTIVATED"
    with pytest.raises(ValueError, match="schedule action"):
        client.integrations.schedule("NIGHTLY|01.00.0000", "explode")


def test_list_pages_past_one_hundred(client, oic_emulator):
    oic_emulator.seed(
        {"integrations": [{"code": f"BULK_{n:03d}", "version": "01.00.0000"} for n in range(230)]}
    )
    assert len(client.integrations.list()) == 230
    assert oic_emulator.stats()["requests"]["GET /ic/api/integration/v1/integrations"] == 3


def test_connections(client, iar):
    client.integrations.import_archive(iar("USES", connections=["REST_A"]))
    conn = client.connections.get("REST_A")
    assert (conn.status, conn.test_status, conn.security_policy) == ("INPROGRESS", "NOTTESTED", None)
    with pytest.raises(OICConflictError, match="securityPolicy"):
        client.connections.test("REST_A")
    updated = client.connections.update(
        "REST_A",
        connection_properties=[{"propertyName": "connectionUrl", "propertyValue": "https://erp"}],
        security_properties={"username": "svc", "password": "pw"},
        security_policy="BASIC_AUTH",
        agent_group_id="AGENTS",
    )
    assert updated.properties() == {"connectionUrl": "https://erp"}
    password = next(p for p in updated.security_properties if p.name == "password")
    assert password.withheld
    assert client.connections.test("REST_A").configured
    assert [c.id for c in client.connections.list()] == ["REST_A"]
    with pytest.raises(OICNotFoundError):
        client.connections.update("NOPE", {"connectionUrl": "x"})
    with pytest.raises(OICBadRequestError):
        client.connections.update("REST_A", security_policy="MAGIC")
    with pytest.raises(ValueError, match="propertyName"):
        client.connections.update("REST_A", connection_properties=[{"value": "x"}])
    client.integrations.delete("USES|01.00.0000")
    client.connections.delete("REST_A")
    with pytest.raises(OICNotFoundError):
        client.connections.get("REST_A")


def test_lookup_usage(client, iar):
    client.lookups.create("CODES", ["a", "b"], [])
    client.integrations.import_archive(iar("USES_LK", lookups=["CODES"]))
    assert client.lookups.usage("CODES") == [LookupUser("USES_LK|01.00.0000", "CONFIGURED")]


def test_lookups(client, tmp_path):
    created = client.lookups.create("CODES", ["a", "b"], [["1", "2"]], description="d")
    assert (created.columns, created.rows, created.description) == (("a", "b"), (("1", "2"),), "d")
    with pytest.raises(OICConflictError):
        client.lookups.create("CODES", ["a", "b"], [])
    assert client.lookups.create_or_update("CODES", ["a", "b"], [["3", "4"]]).rows == (("3", "4"),)
    with pytest.raises(OICNotFoundError):
        client.lookups.update("NOPE", ["a", "b"], [])
    with pytest.raises(OICBadRequestError):
        client.lookups.create("BAD", ["only"], [])
    csv = tmp_path / "cur.csv"
    csv.write_text("DVM,CURRENCIES,,\ncode,symbol\nEUR,e\n")
    client.lookups.import_csv(csv, "CURRENCIES")
    csv.write_text("DVM,CURRENCIES,,\ncode,symbol\nEUR,e\nUSD,d\n")
    client.lookups.replace_csv(csv, "CURRENCIES")
    assert len(client.lookups.get("CURRENCIES").rows) == 2
    exported = client.lookups.export_csv("CURRENCIES", tmp_path / "out.csv")
    assert (tmp_path / "out.csv").read_text() == csv.read_text()
    assert exported.size == len(csv.read_bytes())
    assert sorted(lk.name for lk in client.lookups.list()) == ["CODES", "CURRENCIES"]
    assert client.lookups.usage("CODES") == []
    client.lookups.delete("CODES")
    assert client.lookups.find("CODES") is None


def test_packages(client, par, tmp_path):
    specs = [
        IntegrationArchiveSpec("PKG_A", "01.00.0000", connections=["REST_P"]),
        IntegrationArchiveSpec("PKG_B", "01.00.0000"),
    ]
    path = par("com.example.orders", specs)
    assert client.packages.import_archive(path).id == "com.example.orders"
    with pytest.raises(OICConflictError):
        client.packages.import_archive(path)
    package = client.packages.get("com.example.orders")
    assert {m.id for m in package.integrations} == {"PKG_A|01.00.0000", "PKG_B|01.00.0000"}
    configure(client, "REST_P")
    client.integrations.activate("PKG_A|01.00.0000")
    with pytest.raises(OICPreconditionFailedError, match="PKG_A"):
        client.packages.replace_archive(path)
    client.integrations.deactivate("PKG_A|01.00.0000")
    assert client.packages.import_or_replace(path).replaced
    download = client.packages.export("com.example.orders", tmp_path / "export.par")
    assert len(read_archive(tmp_path / "export.par").integrations) == 2
    assert download.size > 0
    assert [p.name for p in client.packages.list()] == ["com.example.orders"]
    client.packages.delete("com.example.orders")
    assert client.packages.find("com.example.orders") is None
    wrong = tmp_path / "orders.zip"
    wrong.write_bytes(path.read_bytes())
    with pytest.raises(OICArchiveError, match=r"\.par"):
        client.packages.import_archive(wrong)


def test_libraries(client, tmp_path):
    js = tmp_path / "math.js"
    js.write_bytes(build_js_library())
    ident = client.libraries.register(js, "MATH", "01.00.0000", "Math")
    assert client.libraries.get(ident).name == "Math"
    with pytest.raises(OICConflictError):
        client.libraries.register(js, "MATH", "01.00.0000", "Math")
    jar = tmp_path / "math.jar"
    jar.write_bytes(build_jar_library())
    assert client.libraries.replace(ident, jar).code == "MATH"
    client.libraries.export(ident, tmp_path / "back.jar")
    assert (tmp_path / "back.jar").read_bytes() == jar.read_bytes()
    with pytest.raises(OICBadRequestError):
        client.libraries.register(js, "MATH", "1.0", "Math")
    assert [lib.id for lib in client.libraries.list()] == [ident]
    client.libraries.delete(ident)
    assert client.libraries.find(ident) is None


def test_certificates(client, tmp_path):
    pem = tmp_path / "trust.pem"
    pem.write_bytes(build_certificate_pem("partner"))
    client.certificates.upload(pem, "partner", "X509", "TRUST")
    assert client.certificates.get("partner").subject == "CN=partner"
    with pytest.raises(OICConflictError):
        client.certificates.upload(pem, "partner", "X509", "TRUST")
    keystore = tmp_path / "id.p12"
    keystore.write_bytes(build_pkcs12_keystore("ks-pass"))
    with pytest.raises(OICBadRequestError, match="keystorePassword"):
        client.certificates.upload(keystore, "identity", "X509", "IDENTITY", keystore_password="wrong")
    client.certificates.upload(keystore, "identity", "X509", "IDENTITY", keystore_password="ks-pass")
    assert {c.name for c in client.certificates.list()} == {"partner", "identity"}
    client.certificates.delete("partner")
    assert client.certificates.find("partner") is None


def test_monitoring(client, oic_emulator, iar):
    client.integrations.import_archive(iar("ORDERS"))
    client.integrations.activate("ORDERS|01.00.0000")
    oic_emulator.traffic("ORDERS", 100, error_rates={"01.00.0000": 0.2}, seed=3)
    counts = client.monitoring.integration_counts("ORDERS|01.00.0000")
    assert counts.received == 100
    assert 0.1 < counts.error_rate < 0.3
    assert [c.code for c in client.monitoring.counts(code="ORDERS")] == ["ORDERS"]
    instances = client.monitoring.instances(code="ORDERS")
    assert len(instances) == 100
    failed = client.monitoring.errors()
    assert len(failed) == counts.errors
    client.monitoring.resubmit([failed[0].id])
    assert len(client.monitoring.errors()) == counts.errors - 1
    with pytest.raises(ValueError, match="window"):
        client.monitoring.counts(window="5m")


@pytest.mark.parametrize(
    ("entries", "words"),
    [
        ({"../evil": b"x"}, "escapes"),
        ({"/abs": b"x"}, "escapes"),
        ({"readme.txt": b"x"}, "no integration folder"),
        ({"icspackage/project/A_01.00.0000/x": b"x", "bomb": b"\0" * (30 << 20)}, "zip bomb"),
    ],
)
def test_unsafe_archives_are_refused_before_upload(client, oic_emulator, tmp_path, entries, words):
    path = tmp_path / "bad.iar"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    oic_emulator.reset_stats()
    with pytest.raises(OICArchiveError, match=words):
        client.integrations.import_archive(path)
    assert oic_emulator.stats()["writes"] == 0


def test_non_zip_and_missing_archive(client, tmp_path):
    text = tmp_path / "notes.iar"
    text.write_text("hello")
    with pytest.raises(OICArchiveError, match="not a zip"):
        client.integrations.import_archive(text)
    with pytest.raises(OICArchiveError, match="no such archive"):
        client.integrations.import_archive(tmp_path / "missing.iar")


def test_archive_facts(iar):
    facts = read_archive(
        iar("FACTS", "02.01.0003", name="The facts", connections=["C1", "C2"], lookups=["L1"])
    )
    assert facts.single.id == "FACTS|02.01.0003"
    assert facts.single.name == "The facts"
    assert (facts.connections, facts.lookups) == (("C1", "C2"), ("L1",))
    assert len(facts.sha256) == 64


MISSING = "NOPE|01.00.0000"


@pytest.mark.parametrize(
    "call",
    [
        lambda c, p: c.integrations.activation_status(MISSING),
        lambda c, p: c.integrations.activation_errors(MISSING),
        lambda c, p: c.integrations.export(MISSING, p / "x.iar"),
        lambda c, p: c.integrations.delete(MISSING),
        lambda c, p: c.integrations.deactivate(MISSING),
        lambda c, p: c.integrations.schedule(MISSING, "start"),
        lambda c, p: c.connections.test("NOPE"),
        lambda c, p: c.connections.delete("NOPE"),
        lambda c, p: c.lookups.delete("NOPE"),
        lambda c, p: c.lookups.export_csv("NOPE", p / "x.csv"),
        lambda c, p: c.packages.export("nope", p / "x.par"),
        lambda c, p: c.packages.delete("nope"),
        lambda c, p: c.libraries.export(MISSING, p / "x.js"),
        lambda c, p: c.libraries.delete(MISSING),
        lambda c, p: c.certificates.delete("nope"),
        lambda c, p: c.monitoring.integration_counts(MISSING),
    ],
)
def test_absent_artifacts_raise_not_found(client, tmp_path, call):
    with pytest.raises(OICNotFoundError) as caught:
        call(client, tmp_path)
    assert caught.value.status == 404
    assert caught.value.path
    assert not list(tmp_path.iterdir())


def test_in_use_lookup_is_locked_and_bad_resubmit_is_bad_request(client, iar, oic_emulator):
    client.lookups.create("USED", ["a", "b"], [])
    client.integrations.import_archive(iar("USER", lookups=["USED"]))
    client.integrations.activate("USER|01.00.0000")
    with pytest.raises(OICLockedError, match="USER"):
        client.lookups.delete("USED")
    with pytest.raises(OICBadRequestError):
        client.monitoring.resubmit(["not-an-error-instance"])


def test_persistent_429_is_rate_limited_error(client, oic_emulator):
    client.lookups.list()
    oic_emulator.set_faults([{"route": "/ic/api/*", "p429": 1.0, "retry_after": "0"}])
    with pytest.raises(OICRateLimitedError, match="List lookups failed: HTTP 429"):
        client.lookups.list()
    assert oic_emulator.stats()["statuses"]["429"] == 4
