"""TLS: the emulator over HTTPS with a self-signed CA; verification, verify_ssl: false, and mutual TLS."""

from __future__ import annotations

import datetime
import ipaddress
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from airflow_provider_oracle_oic.emulator import EmulatorServer
from airflow_provider_oracle_oic.emulator.server import TLSFiles
from airflow_provider_oracle_oic.oic import OICClient, OICConfig, OICTransportError


@dataclass(frozen=True)
class Pki:
    ca: Path
    server_cert: Path
    server_key: Path
    client_cert: Path
    client_key: Path


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def _issue(
    subject: str, key: ec.EllipticCurvePrivateKey, issuer: x509.Name, signer, *, ca: bool = False
) -> x509.Certificate:
    now = datetime.datetime.now(datetime.timezone.utc)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if not ca:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False
        )
    return builder.sign(signer, hashes.SHA256())


def _write(path: Path, cert: x509.Certificate, key: ec.EllipticCurvePrivateKey | None = None) -> Path:
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    if key is not None:
        path.with_suffix(".key").write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
    return path


@pytest.fixture(scope="module")
def pki(tmp_path_factory) -> Pki:
    root = tmp_path_factory.mktemp("pki")
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = _issue("oic-emulator test CA", ca_key, _name("oic-emulator test CA"), ca_key, ca=True)
    server_key, client_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    server = _issue("127.0.0.1", server_key, ca.subject, ca_key)
    client = _issue("deployer", client_key, ca.subject, ca_key)
    return Pki(
        _write(root / "ca.pem", ca),
        _write(root / "server.pem", server, server_key),
        root / "server.key",
        _write(root / "client.pem", client, client_key),
        root / "client.key",
    )


@pytest.fixture(scope="module")
def https_emulator(pki) -> Iterator[EmulatorServer]:
    with EmulatorServer(tls=TLSFiles(pki.server_cert, pki.server_key)) as server:
        yield server


@pytest.fixture(scope="module")
def mtls_emulator(pki) -> Iterator[EmulatorServer]:
    with EmulatorServer(tls=TLSFiles(pki.server_cert, pki.server_key, client_ca=pki.ca)) as server:
        yield server


pytestmark = pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")


def config(server: EmulatorServer, **changes) -> OICConfig:
    return OICConfig(
        base_url=server.url,
        client_id=server.config.client_id,
        client_secret=server.config.client_secret,
        token_url=server.token_url,
        max_retries=0,
        **changes,
    )


def test_a_self_signed_certificate_is_refused_by_default_with_a_message_naming_it(
    https_emulator, monkeypatch
):
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    with OICClient(config(https_emulator)) as client, pytest.raises(OICTransportError) as caught:
        client.integrations.list()
    message = str(caught.value)
    assert "certificate could not be verified" in message
    assert "self-signed" in message or "unable to get local issuer" in message
    assert "REQUESTS_CA_BUNDLE" in message
    assert "verify_ssl" in message


def test_the_ca_bundle_makes_it_trusted(https_emulator, pki, monkeypatch):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(pki.ca))
    with OICClient(config(https_emulator)) as client:
        assert client.integrations.list() == []


def test_verify_ssl_false_means_it_even_with_a_ca_bundle_in_the_environment(
    https_emulator, tmp_path, monkeypatch
):
    unrelated = tmp_path / "other-ca.pem"
    other_key = ec.generate_private_key(ec.SECP256R1())
    _write(unrelated, _issue("other CA", other_key, _name("other CA"), other_key, ca=True))
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(unrelated))
    monkeypatch.setenv("CURL_CA_BUNDLE", str(unrelated))
    with OICClient(config(https_emulator, verify_ssl=False)) as client:
        assert client.integrations.list() == []


def test_mutual_tls_needs_the_client_certificate(mtls_emulator, pki, monkeypatch):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(pki.ca))
    # Under TLS 1.3 the server's refusal arrives after the handshake as a closed connection.
    with OICClient(config(mtls_emulator)) as client, pytest.raises(OICTransportError):
        client.integrations.list()
    with OICClient(
        config(mtls_emulator, client_cert=str(pki.client_cert), client_key=str(pki.client_key))
    ) as client:
        assert client.integrations.list() == []
