"""Certificates (docs/oic-reference.md §7); passwords go up, never come back."""

from __future__ import annotations

from pathlib import Path

from ..models import Certificate
from ..transport import Call, encode
from .base import ArtifactResource, Upload


class Certificates(ArtifactResource[Certificate]):
    """Trust certificates, identity keystores, PGP keys."""

    collection = "/certificates"
    noun = "certificate"
    plural = "certificates"
    model = Certificate

    def key_of(self, item: Certificate) -> str:
        return item.name

    def upload(
        self,
        path: Path,
        name: str,
        type: str,
        category: str | None = None,
        keystore_password: str | None = None,
        key_passwords: str | None = None,
        pass_phrase: str | None = None,
    ) -> None:
        """Upload a certificate or keystore under alias `name` (409 when it exists)."""
        fields = {
            "name": name,
            "type": type,
            "category": category,
            "keystorePassword": keystore_password,
            "keyPasswords": key_passwords,
            "passPhrase": pass_phrase,
        }
        with Upload(path, fields) as upload:
            self._call(
                Call(
                    "POST",
                    "/certificates",
                    f"Upload certificate {name}",
                    body=upload,
                    took_effect=lambda: self.find(name) is not None,
                )
            )

    def delete(self, name: str) -> None:
        self._call(Call("DELETE", f"/certificates/{encode(name)}", f"Delete certificate {name}"))
