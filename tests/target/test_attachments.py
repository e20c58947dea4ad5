"""Connection attachments through the target: a private key from a ${VAR} (or a file under
archive_directory) uploaded after the properties and before the test; re-runs upload only what changed;
bad attachments refused before any write; the key's bytes in no output and no file the run wrote."""

from __future__ import annotations

import base64
import json
import subprocess
import urllib.parse
from pathlib import Path

import pytest
import yaml
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from airflow_provider_oracle_oic.emulator.builders import (
    IntegrationArchiveSpec,
    ProjectArchiveSpec,
    build_iar,
)
from airflow_provider_oracle_oic.release.folder import ReleaseError, read_release
from airflow_provider_oracle_oic.singer.inprocess import run_target
from airflow_provider_oracle_oic.singer.tap import placeholder
from tests.http_api import Api
from tests.target.conftest import singer_lines
from tests.target.test_cli import run
from tests.target.test_tap_roundtrip import BIN, settings


def private_key() -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


OCI = {
    "securityPolicy": "OCI_SIGNATURE_VERSION1",
    "connectionProperties": {"connectionType": "restUrl"},
    "connectionUrl": "https://objectstorage.eu-frankfurt-1.oraclecloud.com",
    "securityProperties": {
        "TenancyOCID": "ocid1.tenancy.oc1..t",
        "UserOCID": "ocid1.user.oc1..u",
        "FingerPrint": "aa:bb",
    },
}


def bucket(attachments: dict, project: str | None = None) -> tuple[str, dict]:
    record = {"id": "BUCKET", **OCI, "attachments": attachments}
    if project:
        record["project"] = project
    return "connections", record


def release(archives, attachments: dict) -> list[str]:
    iar = archives.iar("UPLOADER", connections=["BUCKET"])
    return singer_lines(
        [
            (
                "integrations",
                {"code": "UPLOADER", "version": "01.00.0000", "archive_path": iar, "activate": True},
            ),
            bucket(attachments),
        ]
    )


def attached(server, project: str | None = None) -> dict[str, str]:
    state = server.state()
    space = next(p for p in state["projects"] if p["id"] == project) if project else state
    (conn,) = [c for c in space["connections"] if c["id"] == "BUCKET"]
    return {p["propertyName"]: p["attachment"] for p in conn["securityProperties"] if p.get("attachment")}


def forms(key: str) -> list[str]:
    """The key as it could leak: plain, base64, URL-encoded, and its base64 body line."""
    body = key.splitlines()[1]
    return [key, base64.b64encode(key.encode()).decode(), urllib.parse.quote(key), body]


def assert_nowhere(key: str, texts: list[str], folder: Path) -> None:
    for text in texts:
        for form in forms(key):
            assert form not in text
    for path in folder.rglob("*"):
        if path.is_file() and "archives" not in path.parts:
            written = path.read_bytes()
            for form in forms(key):
                assert form.encode() not in written, path


def test_a_private_key_from_a_secret_configures_and_tests_the_connection(
    config, archives, oic_emulator, tmp_path
):
    key = private_key()
    secrets = {"OCI_KEY": key}
    records = release(archives, {"PrivateKey": {"secret": "${OCI_KEY}"}})
    first = run_target(config, records, secrets=secrets)
    assert first.ok, first.summary()
    assert set(attached(oic_emulator)) == {"PrivateKey"}
    (conn,) = [c for c in oic_emulator.state()["connections"] if c["id"] == "BUCKET"]
    assert conn["status"] == "CONFIGURED"

    oic_emulator.reset_stats()
    again = run_target(config, records, secrets=secrets)
    assert again.ok, again.summary()
    assert oic_emulator.stats()["writes"] == 0

    other = private_key()
    oic_emulator.reset_stats()
    changed = run_target(config, records, secrets={"OCI_KEY": other})
    assert changed.ok, changed.summary()
    routes = oic_emulator.stats()["requests"]
    writes = {route: n for route, n in routes.items() if not route.startswith("GET")}
    assert writes == {
        "POST /ic/api/integration/v1/connections/{ident}/attachments/{name}": 1,
        "POST /ic/api/integration/v1/connections/{ident}/test": 1,
    }
    step = next(r for r in changed.results if r.artifact == "connection BUCKET")
    assert step.action == "upload"
    assert_nowhere(key, [first.summary(), again.summary(), json.dumps(first.to_dict())], tmp_path)
    assert_nowhere(other, [changed.summary(), json.dumps(changed.to_dict())], tmp_path)


def test_a_key_file_under_archive_directory(config, archives, oic_emulator):
    (archives.root / "keys").mkdir()
    (archives.root / "keys" / "oci_api_key.pem").write_text(private_key())
    result = run_target(config, release(archives, {"PrivateKey": {"archive_path": "keys/oci_api_key.pem"}}))
    assert result.ok, result.summary()
    assert set(attached(oic_emulator)) == {"PrivateKey"}


@pytest.mark.parametrize(
    ("attachments", "field", "words"),
    [
        (
            {"PrivateKey": {"archive_path": "keys/missing.pem"}},
            "attachments.PrivateKey.archive_path",
            "does not exist",
        ),
        (
            {"PrivateKey": {"secret": "${BROKEN_KEY}"}},
            "attachments.PrivateKey.secret",
            "not a readable PEM private key",
        ),
        (
            {"PrivateKey": {"secret": "${OCI_KEY}", "encoding": "base64"}},
            "attachments.PrivateKey.secret",
            "not valid base64",
        ),
        (
            {"PrivateKey": {"secret": "-----BEGIN PRIVATE KEY-----"}},
            "attachments.PrivateKey.secret",
            "must be a ${VAR} placeholder",
        ),
        ({"PrivateKey": {"secret": "${EMPTY}"}}, "attachments.PrivateKey.secret", "is empty"),
        ({"PrivateKey": {}}, "attachments.PrivateKey", "give exactly one of"),
        (
            {"TenancyOCID": {"secret": "${OCI_KEY}"}},
            "attachments.TenancyOCID",
            "OIC takes no file for 'TenancyOCID'",
        ),
    ],
)
def test_a_bad_attachment_is_refused_by_name_before_any_write(
    config, archives, oic_emulator, tmp_path, attachments, field, words
):
    key = private_key()
    broken = key.replace(key.splitlines()[1], "bm90IGEga2V5")
    done = None
    config_path = tmp_path / "config.json"
    config_path.write_text(json.dumps(config))
    source = tmp_path / "input.jsonl"
    # The connection exists before the run, so OIC's catalogue is read before any write.
    first = run_target(
        config, release(archives, {"PrivateKey": {"secret": "${OCI_KEY}"}}), secrets={"OCI_KEY": key}
    )
    assert first.ok, first.summary()
    source.write_text("\n".join(release(archives, attachments)) + "\n")
    oic_emulator.reset_stats()
    done = run(
        ["--config", str(config_path), "--input", str(source)],
        env={"OCI_KEY": key, "BROKEN_KEY": broken, "EMPTY": ""},
    )
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    (line,) = [x for x in done.stderr.splitlines() if f"connection BUCKET: {field}" in x]
    assert words in line
    assert oic_emulator.stats()["writes"] == 0
    assert_nowhere(key, [done.stdout, done.stderr], tmp_path)
    assert_nowhere(broken, [done.stdout, done.stderr], tmp_path)


def test_the_practitioners_oic3_flow(project_config, archives, oic_emulator, tmp_path):
    """One projects record and one project connection with OCI_SIGNATURE_VERSION1 and its key."""
    car = archives.car(
        ProjectArchiveSpec(
            "STORAGE",
            "Storage",
            integrations=[IntegrationArchiveSpec("UPLOAD_FILE", "01.00.0000", connections=["BUCKET"])],
            deployments=[("REL", "Release", [("UPLOAD_FILE", "01.00.0000")])],
        )
    )
    key = private_key()
    records = singer_lines(
        [
            (
                "projects",
                {
                    "id": "STORAGE",
                    "archive_path": car,
                    "deployment": {
                        "code": "REL",
                        "name": "Release",
                        "integrations": [{"code": "UPLOAD_FILE", "version": "01.00.0000"}],
                    },
                    "activate": True,
                },
            ),
            bucket({"PrivateKey": {"secret": "${OCI_KEY}"}}, project="STORAGE"),
        ]
    )
    result = run_target(project_config, records, secrets={"OCI_KEY": key})
    assert result.ok, result.summary()
    (project,) = oic_emulator.state()["projects"]
    assert {i["status"] for i in project["integrations"]} == {"ACTIVATED"}
    (conn,) = project["connections"]
    assert (conn["status"], conn["testStatus"]) == ("CONFIGURED", "SUCCESS")
    assert set(attached(oic_emulator, "STORAGE")) == {"PrivateKey"}
    oic_emulator.reset_stats()
    again = run_target(project_config, records, secrets={"OCI_KEY": key})
    assert again.ok, again.summary()
    assert oic_emulator.stats()["writes"] == 0
    assert_nowhere(key, [result.summary(), json.dumps(result.to_dict())], tmp_path)


def test_a_custom_two_legged_connection(config, archives, oic_emulator):
    iar = archives.iar("CALLS_PARTNER", connections=["PARTNER"])
    result = run_target(
        config,
        singer_lines(
            [
                ("integrations", {"code": "CALLS_PARTNER", "version": "01.00.0000", "archive_path": iar}),
                (
                    "connections",
                    {
                        "id": "PARTNER",
                        "securityPolicy": "CUSTOM_TWO_LEGGED",
                        "connectionUrl": "https://partner.example.com/api",
                        "securityProperties": {
                            "oauth.access.token.request": "-X POST https://idp.example.com/token -d grant_type=client_credentials",
                            "$access_token": "access.[tT]oken",
                        },
                    },
                ),
            ]
        ),
    )
    assert result.ok, result.summary()
    (conn,) = [c for c in oic_emulator.state()["connections"] if c["id"] == "PARTNER"]
    assert (conn["securityPolicy"], conn["status"]) == ("CUSTOM_TWO_LEGGED", "CONFIGURED")


def test_the_tap_emits_a_placeholder_per_attached_file_and_the_pipeline_fills_it(
    config, archives, oic_emulator, tmp_path
):
    key = private_key()
    assert run_target(
        config, release(archives, {"PrivateKey": {"secret": "${OCI_KEY}"}}), secrets={"OCI_KEY": key}
    ).ok
    tap_config = tmp_path / "tap.json"
    tap_config.write_text(json.dumps({**settings(oic_emulator), "streams": ["connections"]}))
    done = subprocess.run(
        [str(BIN / "tap-oracle-oic"), "--config", str(tap_config)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    records = [json.loads(line) for line in done.stdout.splitlines() if '"RECORD"' in line]
    (record,) = [
        r["record"] for r in records if r["stream"] == "connections" and r["record"]["id"] == "BUCKET"
    ]
    assert record["attachments"] == {"PrivateKey": {"secret": placeholder("BUCKET", "PrivateKey")}}
    assert placeholder("BUCKET", "PrivateKey") == "${BUCKET_PRIVATEKEY}"
    assert_nowhere(key, [done.stdout, done.stderr], tmp_path)


def test_a_release_folder_names_the_key_file_beside_the_connection(config, oic_emulator, tmp_path):
    folder = tmp_path / "release"
    (folder / "integrations").mkdir(parents=True)
    (folder / "connections").mkdir()
    (folder / "integrations" / "UPLOADER_01.00.0000.iar").write_bytes(
        build_iar(IntegrationArchiveSpec("UPLOADER", "01.00.0000", connections=["BUCKET"]))
    )
    (folder / "connections" / "oci_api_key.pem").write_text(private_key())
    (folder / "connections" / "stray.pem").write_text("not named")
    connection = {**OCI, "attachments": {"PrivateKey": {"file": "oci_api_key.pem"}}}
    (folder / "connections" / "BUCKET.yaml").write_text(yaml.safe_dump(connection))
    with pytest.raises(ReleaseError) as refused:
        read_release(folder)
    assert refused.value.problems == [
        "connections/stray.pem: no connection names it in its attachments; name it or remove it"
    ]
    (folder / "connections" / "stray.pem").unlink()
    records = read_release(folder).records
    (conn,) = [r for s, r in records if s == "connections"]
    assert conn["attachments"] == {"PrivateKey": {"archive_path": "connections/oci_api_key.pem"}}
    result = run_target({**config, "archive_directory": str(folder)}, singer_lines(records))
    assert result.ok, result.summary()
    assert set(attached(oic_emulator)) == {"PrivateKey"}


def test_a_rollback_names_the_file_oic_cannot_give_back(config, archives, oic_emulator):
    records = release(archives, {"PrivateKey": {"secret": "${OCI_KEY}"}})
    assert run_target(config, records, secrets={"OCI_KEY": private_key()}).ok
    Api(oic_emulator).set_status("UPLOADER|01.00.0000", "CONFIGURED")
    # The new key is uploaded, then the activation that follows it fails: the run rolls back.
    oic_emulator.set_faults(
        [{"route": "/ic/api/integration/v1/integrations/*", "methods": ["POST"], "p500": 1.0}]
    )
    try:
        failed = run_target({**config, "max_retries": 0}, records, secrets={"OCI_KEY": private_key()})
    finally:
        oic_emulator.clear_faults()
    assert not failed.ok
    assert any(
        "connection BUCKET: OIC cannot give its previous PrivateKey file back" in item
        for item in failed.not_restorable
    ), failed.summary()


def wallet(password: str) -> bytes:
    """An Oracle wallet as Autonomous Database hands it out: a zip with ewallet.p12 beside the rest."""
    import io
    import zipfile

    from airflow_provider_oracle_oic.emulator.builders import build_pkcs12_keystore

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as out:
        out.writestr("ewallet.p12", build_pkcs12_keystore(password))
        out.writestr("tnsnames.ora", "orders_high = (description=...)\n")
    return buffer.getvalue()


def atp_release(archives, password: str) -> list[str]:
    iar = archives.iar("ORDERS_DB", connections=["ATP"], adapters={"ATP": "atpdatabase"})
    record = {
        "id": "ATP",
        "securityPolicy": "JDBC_OVER_SSL",
        "connectionProperties": {"serviceName": "orders_high"},
        "securityProperties": {"username": "ADMIN", "password": "${DB_PASSWORD}", "WalletPassword": password},
        "attachments": {"Wallet": {"secret": "${WALLET}", "encoding": "base64"}},
    }
    return singer_lines(
        [
            ("integrations", {"code": "ORDERS_DB", "version": "01.00.0000", "archive_path": iar}),
            ("connections", record),
        ]
    )


@pytest.mark.parametrize(
    ("given", "opens"),
    [("${WALLET_PASSWORD}", True), ("${WRONG_PASSWORD}", False)],
)
def test_a_wallet_is_opened_with_its_password_before_any_write(config, archives, oic_emulator, given, opens):
    secrets = {
        "WALLET": base64.b64encode(wallet("wallet-pw-1")).decode(),
        "WALLET_PASSWORD": "wallet-pw-1",
        "WRONG_PASSWORD": "not-the-password",
        "DB_PASSWORD": "db-pw",
    }
    oic_emulator.reset_stats()
    result = run_target(config, atp_release(archives, given), secrets=secrets)
    if opens:
        assert result.ok, result.summary()
        (conn,) = [c for c in oic_emulator.state()["connections"] if c["id"] == "ATP"]
        assert conn["status"] == "CONFIGURED"
        assert any(p.get("attachment") for p in conn["securityProperties"] if p["propertyName"] == "Wallet")
        return
    assert not result.ok
    [issue] = result.issues
    assert str(issue).startswith(
        "connection ATP: attachments.Wallet.secret: is a PKCS#12 keystore that does not open"
    )
    assert oic_emulator.stats()["writes"] == 0
    assert "not-the-password" not in result.summary()
