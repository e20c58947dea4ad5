"""Integration ids: `CODE|VERSION` (docs/oic-reference.md, "Ids"), parsed and formatted in one place."""

from __future__ import annotations

import re
from dataclasses import dataclass

CODE = re.compile(r"^[A-Z][A-Z0-9_]{0,49}$")
VERSION = re.compile(r"^\d{2}\.\d{2}\.\d{4}$")
CODE_RULE = "upper-case letters, digits and '_' (e.g. HELLO_WORLD)"
VERSION_RULE = "NN.NN.NNNN (e.g. 01.00.0000)"


@dataclass(frozen=True)
class IntegrationId:
    """An integration version: its code and its `NN.NN.NNNN` version."""

    code: str
    version: str

    def __str__(self) -> str:
        return f"{self.code}|{self.version}"

    @property
    def major(self) -> str:
        return self.version.split(".", 1)[0]

    @classmethod
    def of(cls, text: str) -> IntegrationId:
        """The parts of an id OIC gave us (not checked: OIC is the authority on its own ids)."""
        code, _, version = text.partition("|")
        return cls(code, version)

    @classmethod
    def parse(cls, text: str) -> IntegrationId:
        """An id a user gave; `ValueError` saying what it must look like."""
        ident = cls.of(text)
        if not CODE.match(ident.code) or not VERSION.match(ident.version):
            raise ValueError(
                f"integration id {text!r} must look like CODE|NN.NN.NNNN, e.g. HELLO_WORLD|01.00.0000"
            )
        return ident
