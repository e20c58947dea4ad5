"""Offline checks of certificate, library and connection attachment files: what OIC would refuse,
refused before any write. Messages never quote a file's content (it may be key material)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.serialization import load_pem_private_key, pkcs12

from ..model.issues import IssueError

# docs/oic-reference.md §7: the categories Oracle's certificate upload page allows per type.
CATEGORIES = {
    "X509": ("TRUST", "IDENTITY"),
    "PGP": ("PRIVATE", "PUBLIC"),
    "SIGNKEY": ("PRIVATE", "PUBLIC"),
    "SAML": ("OWSM",),
}
LIBRARY_TYPES = ("API",)
# A connection attachment is a key, a WSDL or a keystore: a few KiB to a few MiB.
MAX_ATTACHMENT_BYTES = 10 << 20
JKS_MAGIC = b"\xfe\xed\xfe\xed"
ZIP_MAGIC = b"PK\x03\x04"
# PKCS#12 is DER: an ASN.1 SEQUENCE.
DER_SEQUENCE = b"\x30"


def check_category(kind: str, category: str | None) -> str:
    """The certificate's category, which OIC requires and which must suit its type."""
    allowed = CATEGORIES[kind]
    if category is None:
        raise IssueError("category", f"is required for a {kind} certificate; use {' or '.join(allowed)}")
    if category not in allowed:
        raise IssueError(
            "category", f"'{category}' does not suit a {kind} certificate; use {' or '.join(allowed)}"
        )
    return category


def is_pkcs12_candidate(data: bytes) -> bool:
    """A keystore that is not Java's JKS is taken as PKCS#12 (the other format OIC accepts)."""
    return not data.startswith(JKS_MAGIC)


def check_certificate_file(
    path: Path, field: str, kind: str, category: str, keystore_password: str | None
) -> None:
    """The file must be what its type and category say: an X.509 certificate, or a keystore that opens."""
    data = path.read_bytes()
    if not data:
        raise IssueError(field, "is empty; give the certificate file")
    if kind == "X509" and category == "IDENTITY":
        if not keystore_password:
            raise IssueError(
                "keystorePassword", "is required for an IDENTITY keystore; give it (a ${VAR} placeholder)"
            )
        if is_pkcs12_candidate(data):
            try:
                pkcs12.load_key_and_certificates(data, keystore_password.encode())
            except ValueError:
                raise IssueError(
                    field,
                    "is not a PKCS#12 keystore that opens with keystorePassword; check the file and password",
                ) from None
        return
    if kind in ("X509", "SAML"):
        try:
            if b"-----BEGIN CERTIFICATE-----" in data:
                x509.load_pem_x509_certificate(data)
            else:
                x509.load_der_x509_certificate(data)
        except ValueError:
            raise IssueError(field, "is not an X.509 certificate (PEM or DER); check the file") from None


def check_library_file(path: Path, field: str, file_name: str) -> None:
    """A `.jar` must be a zip, a `.js` UTF-8 text; neither may be empty."""
    data = path.read_bytes()
    if not data:
        raise IssueError(field, f"'{file_name}' is empty; give the library file")
    if file_name.lower().endswith(".jar"):
        if not zipfile.is_zipfile(path):
            raise IssueError(field, f"'{file_name}' is not a valid .jar (zip) file; rebuild it")
        return
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        raise IssueError(field, f"'{file_name}' is not UTF-8 JavaScript; give the .js source") from None


def keystore_password_property(name: str) -> tuple[str, ...]:
    """The security properties that may hold the password of the keystore attached as `name`."""
    return (f"{name}Password", "KeyStorePassword", "WalletPassword")


def check_attachment(data: bytes, field: str, pass_phrase: str | None, keystore_password: str | None) -> None:
    """A connection attachment must be non-empty, within bounds, and, when it is a PEM key or
    certificate, a PKCS#12 keystore or a wallet (a zip holding `ewallet.p12`), one that opens."""
    if not data:
        raise IssueError(field, "is empty; give the file's content")
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise IssueError(field, f"is {len(data)} bytes, over the limit of {MAX_ATTACHMENT_BYTES}")
    head = data.lstrip()[:64]
    if head.startswith(b"-----BEGIN"):
        _check_pem(data, head, field, pass_phrase)
    elif data.startswith(ZIP_MAGIC):
        _check_wallet(data, field, keystore_password)
    elif data.startswith(DER_SEQUENCE) and is_pkcs12_candidate(data):
        _check_keystore(data, field, keystore_password)


def _check_pem(data: bytes, head: bytes, field: str, pass_phrase: str | None) -> None:
    if b"PRIVATE KEY" in head:
        try:
            load_pem_private_key(data, pass_phrase.encode() if pass_phrase else None)
        except TypeError:
            raise IssueError(
                field,
                "is an encrypted private key; give its pass phrase in securityProperties.PassPhrase"
                if not pass_phrase
                else "is not encrypted, but a PassPhrase is given; remove it",
            ) from None
        except ValueError:
            raise IssueError(
                field, "is not a readable PEM private key (or its pass phrase is wrong); export it again"
            ) from None
    elif b"CERTIFICATE" in head:
        try:
            x509.load_pem_x509_certificate(data)
        except ValueError:
            raise IssueError(field, "is not a readable PEM certificate; export it again") from None


def _check_keystore(data: bytes, field: str, password: str | None) -> None:
    """A PKCS#12 keystore opens with the password the record gives for it."""
    try:
        pkcs12.load_key_and_certificates(data, password.encode() if password else None)
    except ValueError:
        fix = "check the file and the password" if password else "give its password"
        raise IssueError(
            field,
            f"is a PKCS#12 keystore that does not open{' with the password given' if password else ''}; "
            f"{fix} (securityProperties.<property>Password, KeyStorePassword or WalletPassword)",
        ) from None


def _check_wallet(data: bytes, field: str, password: str | None) -> None:
    """An Oracle wallet (zip): its `ewallet.p12` opens with the wallet password, when one is given
    (a wallet may also log in by itself through `cwallet.sso`)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as wallet:
            names = {info.filename.rsplit("/", 1)[-1]: info for info in wallet.infolist()}
            if "ewallet.p12" not in names or password is None:
                return
            if names["ewallet.p12"].file_size > MAX_ATTACHMENT_BYTES:
                raise IssueError(field, "holds an ewallet.p12 over the size limit")
            keystore = wallet.read(names["ewallet.p12"])
    except zipfile.BadZipFile:
        raise IssueError(field, "is not a readable zip (a wallet); download it again") from None
    _check_keystore(keystore, field, password)
