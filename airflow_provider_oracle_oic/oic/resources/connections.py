"""Connections (docs/oic-reference.md §4): list, get, update with the PATCH override, test, delete."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ..models import Connection
from ..transport import Call, encode
from .base import ArtifactResource, Upload

PATCH = {"X-HTTP-Method-Override": "PATCH"}
Properties = Mapping[str, Any] | Sequence[Mapping[str, Any]]


def property_array(properties: Properties | None, field: str) -> list[dict[str, Any]]:
    """OIC's `[{propertyName, propertyValue}]` from a name→value map or an array already in that form."""
    if properties is None:
        return []
    if isinstance(properties, Mapping):
        return [
            {"propertyName": str(k), "propertyValue": None if v is None else str(v)}
            for k, v in properties.items()
        ]
    array = []
    for index, entry in enumerate(properties):
        if not isinstance(entry, Mapping) or not entry.get("propertyName"):
            raise ValueError(f"{field}[{index}] needs propertyName (and propertyValue)")
        array.append(dict(entry))
    return array


class Connections(ArtifactResource[Connection]):
    """Connections are created by imports; deploying one means updating and testing it."""

    collection = "/connections"
    noun = "connection"
    plural = "connections"
    model = Connection

    def key_of(self, item: Connection) -> str:
        return item.id

    def update(
        self,
        ident: str,
        connection_properties: Properties | None = None,
        security_properties: Properties | None = None,
        security_policy: str | None = None,
        agent_group_id: str | None = None,
    ) -> Connection:
        """Apply the documented fields only; OIC then needs a passing test before the connection is CONFIGURED."""
        body: dict[str, Any] = {}
        if connection_properties is not None:
            body["connectionProperties"] = property_array(connection_properties, "connectionProperties")
        if security_properties is not None:
            body["securityProperties"] = property_array(security_properties, "securityProperties")
        if security_policy is not None:
            body["securityPolicy"] = security_policy
        if agent_group_id is not None:
            body["agentGroupId"] = agent_group_id
        call = Call(
            "POST",
            f"{self.collection}/{encode(ident)}",
            f"Update connection {ident}{self.where}",
            json=body,
            headers=PATCH,
            idempotent=True,
        )
        return Connection.from_api(self._call(call))

    def upload_attachment(self, ident: str, prop: str, path: Path) -> Connection:
        """Upload the file at `path` to the file-valued property `prop` (a private key, a WSDL), streamed;
        sending the same file again leaves OIC as one upload does, so a lost answer is simply retried."""
        with Upload(path, {"type": "application/octet-stream"}) as upload:
            call = Call(
                "POST",
                f"{self.collection}/{encode(ident)}/attachments/{encode(prop)}",
                f"Upload the {prop} file of connection {ident}{self.where}",
                body=upload,
                idempotent=True,
            )
            answer = self._call(call)
        return Connection.from_api(answer) if answer else self.get(ident)

    def test(self, ident: str) -> Connection:
        """Test the connection; `OICConflictError` (409) when it is not fully configured."""
        call = Call(
            "POST",
            f"{self.collection}/{encode(ident)}/test",
            f"Test connection {ident}{self.where}",
            idempotent=True,
        )
        answer = self._call(call)
        if self.project is not None:
            # In a project the answer is a test report, not the connection (docs/oic-reference.md §12).
            return self.get(ident)
        return Connection.from_api(answer)

    def delete(self, ident: str) -> None:
        self._call(
            Call("DELETE", f"{self.collection}/{encode(ident)}", f"Delete connection {ident}{self.where}")
        )
