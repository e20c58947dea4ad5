"""Certificates and keystores: upload, list, delete; passwords are write-only (§7)."""

from __future__ import annotations

from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.serialization import pkcs12

from ..errors import bad_request, conflict, not_found
from ..models import Certificate
from ..store import Store

# Oracle's "Upload a Certificate" page: TRUST/IDENTITY for X509, OWSM for SAML, PRIVATE/PUBLIC for PGP and SIGNKEY.
CATEGORIES: dict[str, tuple[str, ...]] = {
    "X509": ("TRUST", "IDENTITY"),
    "PGP": ("PRIVATE", "PUBLIC"),
    "SAML": ("OWSM",),
    "SIGNKEY": ("PRIVATE", "PUBLIC"),
}
SECRET_FIELDS = ("keystorePassword", "keyPasswords", "passPhrase")


def get(store: Store, name: str) -> Certificate:
    item = store.certificates.get(name)
    if item is None:
        raise not_found("Certificate", name)
    return item


def _read_x509(data: bytes, what: str) -> x509.Certificate:
    try:
        if b"-----BEGIN CERTIFICATE-----" in data:
            return x509.load_pem_x509_certificate(data)
        return x509.load_der_x509_certificate(data)
    except ValueError:
        raise bad_request(f"{what}: the file is not an X.509 certificate (PEM or DER)") from None


def _read_keystore(data: bytes, file_name: str, password: str | None, what: str) -> x509.Certificate | None:
    if not password:
        raise bad_request(f"{what}: keystorePassword is required for an IDENTITY keystore")
    if not file_name.lower().endswith((".p12", ".pfx")):
        return None
    try:
        _key, cert, _extra = pkcs12.load_key_and_certificates(data, password.encode())
    except ValueError:
        raise bad_request(f"{what}: the PKCS#12 keystore cannot be opened with keystorePassword") from None
    return cert


def upload(store: Store, staged: Path, file_name: str | None, fields: dict[str, str | None]) -> Certificate:
    """Upload a certificate (204); 409 when the alias exists; 400 when the file does not parse."""
    name = fields.get("name")
    if not name:
        raise bad_request("Certificate: name (the alias) is required")
    what = f"Certificate {name}"
    kind = fields.get("type")
    if kind not in CATEGORIES:
        raise bad_request(f"{what}: type {kind!r} is not supported; use one of {', '.join(CATEGORIES)}")
    category = fields.get("category")
    if category not in CATEGORIES[kind]:
        raise bad_request(
            f"{what}: category {category!r} is not valid for {kind}; use {' or '.join(CATEGORIES[kind])}"
        )
    if name in store.certificates:
        raise conflict(f"{what} already exists; delete it before uploading it again")
    data = staged.read_bytes()
    if not data:
        raise bad_request(f"{what}: the file is empty")
    cert: x509.Certificate | None = None
    if kind == "X509":
        if category == "IDENTITY":
            cert = _read_keystore(data, file_name or "", fields.get("keystorePassword"), what)
        else:
            cert = _read_x509(data, what)
    now = store.stamp()
    item = Certificate(
        name=name,
        type=kind,
        category=category,
        file_name=file_name or name,
        content=store.blobs.commit(staged),
        created=now,
        last_updated=now,
        secrets={k: v for k in SECRET_FIELDS if (v := fields.get(k))},
        subject=cert.subject.rfc4514_string() if cert else None,
        expiry=cert.not_valid_after_utc.timestamp() if cert else None,
    )
    store.certificates[name] = item
    return item


def delete(store: Store, name: str) -> None:
    get(store, name)
    del store.certificates[name]
