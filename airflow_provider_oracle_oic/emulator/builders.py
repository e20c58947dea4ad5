"""Archive and file builders for tests, demos and seeds: `.iar`, `.par`, libraries, certificates.

They write the layout of docs/oic-reference.md §3 and nothing more; real OIC exports carry much more.
"""

from __future__ import annotations

import csv
import datetime
import io
import os
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

from .car import CarLibrary, write_car

FIXED_DATE = (2020, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class IntegrationArchiveSpec:
    """What one integration folder in an `.iar` or `.par` holds."""

    code: str
    version: str
    name: str | None = None
    connections: Sequence[str] = ()
    lookups: Sequence[str] = ()
    scheduled: bool = False
    payload: bytes = b""
    extra_entries: dict[str, bytes] = field(default_factory=dict)
    package_name: str | None = None
    adapters: Mapping[str, str] = field(default_factory=dict)


def _entry(name: str) -> zipfile.ZipInfo:
    """A zip entry with a fixed date, so the same content always builds the same bytes (and sha256)."""
    info = zipfile.ZipInfo(name, date_time=FIXED_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def _write_integration(archive: zipfile.ZipFile, spec: IntegrationArchiveSpec) -> None:
    """Write one integration folder and its shared entries, skipping shared ones already present."""
    present = set(archive.namelist())

    def put(entry: str, data: str | bytes) -> None:
        if entry not in present:
            archive.writestr(_entry(entry), data)

    folder = f"icspackage/project/{spec.code}_{spec.version}"
    name = escape(spec.name or spec.code)
    package = f"<packageName>{escape(spec.package_name)}</packageName>" if spec.package_name else ""
    put(
        f"{folder}/PROJECT-INF/project.xml",
        f"<project><name>{name}</name><code>{spec.code}</code><version>{spec.version}</version>{package}</project>",
    )
    put(f"{folder}/resources/flow.xml", f"<flow code='{spec.code}' version='{spec.version}'/>")
    if spec.payload:
        put(f"{folder}/resources/payload.bin", spec.payload)
    for conn in spec.connections:
        adapter = spec.adapters.get(conn)
        instance = (
            f"<appinstance id='{conn}'><adapterType>{escape(adapter)}</adapterType></appinstance>"
            if adapter
            else f"<appinstance id='{conn}'/>"
        )
        put(f"icspackage/appinstances/{conn}.xml", instance)
    for lookup in spec.lookups:
        put(f"icspackage/dvms/{lookup}.xml", f"<dvm name='{lookup}'/>")
    if spec.scheduled:
        put(f"icspackage/schedule/{spec.code}_{spec.version}.xml", "<schedule frequency='hourly'/>")
    for entry, data in spec.extra_entries.items():
        put(entry, data)


def build_iar(spec: IntegrationArchiveSpec) -> bytes:
    """An integration archive (`.iar`) in the contract's layout."""
    return build_par([spec])


def build_par(specs: Sequence[IntegrationArchiveSpec]) -> bytes:
    """A package archive (`.par`) holding several integration folders."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for spec in specs:
            _write_integration(archive, spec)
    return out.getvalue()


@dataclass(frozen=True)
class ProjectArchiveSpec:
    """What a `.car` (OIC 3 project archive) holds, in the emulator's layout (`emulator.car`)."""

    id: str
    name: str | None = None
    description: str = ""
    integrations: Sequence[IntegrationArchiveSpec] = ()
    lookups: Mapping[str, tuple[Sequence[str], Sequence[Sequence[str]]]] = field(default_factory=dict)
    deployments: Sequence[tuple[str, str, Sequence[tuple[str, str]]]] = ()
    libraries: Sequence[tuple[str, str, str, bytes]] = ()


def build_car(spec: ProjectArchiveSpec) -> bytes:
    """A project archive: `deployments` as (code, name, [(code, version)]), `lookups` as name →
    (columns, rows), `libraries` as (code, version, file name, bytes)."""
    meta = {
        "id": spec.id,
        "code": spec.id,
        "name": spec.name or spec.id,
        "description": spec.description,
        "type": "DEVELOPED",
        "deployments": [
            {"code": code, "name": name, "integrations": [{"code": c, "version": v} for c, v in chosen]}
            for code, name, chosen in spec.deployments
        ],
    }
    lookups = {}
    for name, (columns, rows) in spec.lookups.items():
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerows([["DVM", name, "", ""], list(columns), *(list(r) for r in rows)])
        lookups[name] = out.getvalue()
    libraries = [CarLibrary(c, v, c, "API", "", f, data) for c, v, f, data in spec.libraries]
    return write_car(meta, [build_iar(i) for i in spec.integrations], lookups, libraries)


def write_large_iar(path: Path, code: str, version: str, size: int, chunk: int = 1 << 20) -> Path:
    """An `.iar` of about `size` bytes of incompressible payload, written without holding it in memory."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        _write_integration(archive, IntegrationArchiveSpec(code, version))
        with archive.open(
            f"icspackage/project/{code}_{version}/resources/large.bin", "w", force_zip64=True
        ) as out:
            remaining = size
            while remaining > 0:
                piece = min(chunk, remaining)
                out.write(os.urandom(piece))
                remaining -= piece
    return path


def build_js_library(function_name: str = "add") -> bytes:
    """A small JavaScript library file."""
    return f"function {function_name}(a, b) {{ return a + b; }}\n".encode()


def build_jar_library(class_name: str = "com/example/Util") -> bytes:
    """A minimal `.jar` (a zip with a manifest and one class entry)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(_entry("META-INF/MANIFEST.MF"), "Manifest-Version: 1.0\n")
        archive.writestr(_entry(f"{class_name}.class"), b"\xca\xfe\xba\xbe\x00\x00\x00\x34")
    return out.getvalue()


def _self_signed(common_name: str):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365))
        .sign(key, hashes.SHA256())
    )
    return key, cert


def build_certificate_pem(common_name: str = "oic-emulator.test") -> bytes:
    """A self-signed X.509 certificate in PEM, for TRUST uploads."""
    from cryptography.hazmat.primitives.serialization import Encoding

    _key, cert = _self_signed(common_name)
    return cert.public_bytes(Encoding.PEM)


def build_pkcs12_keystore(password: str, common_name: str = "oic-emulator.test") -> bytes:
    """A PKCS#12 identity keystore protected by `password`, for IDENTITY uploads."""
    from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12

    key, cert = _self_signed(common_name)
    return pkcs12.serialize_key_and_certificates(
        b"identity", key, cert, None, BestAvailableEncryption(password.encode())
    )
