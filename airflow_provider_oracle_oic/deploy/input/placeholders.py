"""`${NAME}` placeholders, resolved from an explicit secrets mapping first, then the environment."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

PLACEHOLDER = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


class UnresolvedPlaceholder(KeyError):
    """A `${NAME}` with no value anywhere."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


class Placeholders:
    """Resolves placeholders; remembers every value it substituted so it can be treated as secret."""

    def __init__(
        self, secrets: Mapping[str, str] | None = None, environ: Mapping[str, str] | None = None
    ) -> None:
        self._secrets = dict(secrets or {})
        self._environ = os.environ if environ is None else environ

    def resolve(self, text: str) -> tuple[str, bool]:
        """The text with placeholders replaced, and whether it held any."""
        found = False

        def substitute(match: re.Match[str]) -> str:
            nonlocal found
            found = True
            name = match.group(1)
            if name in self._secrets:
                return self._secrets[name]
            if name in self._environ:
                return self._environ[name]
            raise UnresolvedPlaceholder(name)

        return PLACEHOLDER.sub(substitute, text), found
