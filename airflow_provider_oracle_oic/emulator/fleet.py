"""Several emulated OIC 3 service instances in one process (`oic-emulator --instances dev,test,prod`):
each keeps its own artifacts, faults and statistics and is chosen by the `integrationInstance` query
parameter, as one OIC 3 host tells its service instances apart; the control plane takes `?instance=`.
One token endpoint serves them all, so a ten-instance fleet test costs one process."""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from urllib.parse import parse_qs

from .app import create_app
from .config import EmulatorConfig
from .errors import error_body
from .gateway import Gateway, Receive, Scope, Send, send_json

CONTROL = "/_emulator/"


class Fleet:
    """The ASGI app of several instances: each request goes to the instance it names."""

    def __init__(self, config: EmulatorConfig, names: list[str]) -> None:
        if not names or len(set(names)) != len(names) or not all(n.strip() for n in names):
            raise ValueError("--instances needs distinct, non-empty names, e.g. dev,test,prod")
        self.instances: dict[str, Gateway] = {}
        for name in names:
            state_file = (
                config.state_file.with_name(f"{config.state_file.stem}.{name}{config.state_file.suffix}")
                if config.state_file
                else None
            )
            self.instances[name] = create_app(replace(config, instance=name, state_file=state_file))
        first = self.instances[names[0]]
        # One token endpoint: a token is valid on every instance, as on one OIC host.
        for app in self.instances.values():
            app.emu.tokens = first.emu.tokens
        self.first = first

    @property
    def emu(self) -> Any:
        """The first instance's state (what single-instance helpers reach)."""
        return self.first.emu

    def _named(self, scope: Scope) -> str | None:
        query = parse_qs(scope.get("query_string", b"").decode())
        key = "instance" if scope.get("path", "").startswith(CONTROL) else "integrationInstance"
        return (query.get(key) or [None])[0]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.first(scope, receive, send)
            return
        name = self._named(scope)
        path = scope.get("path", "")
        if name is None and not (path.startswith(CONTROL) or path.startswith(self.first.emu.config.api_base)):
            await self.first(scope, receive, send)
            return
        app = (
            self.instances.get(name) if name is not None else self.first if path.startswith(CONTROL) else None
        )
        if app is None:
            known = ", ".join(self.instances)
            detail = (
                f"integrationInstance '{name}' is unknown here; this OIC serves {known}"
                if name is not None
                else f"Query parameter integrationInstance is required (this OIC serves {known})"
            )
            await send_json(send, 400, error_body(400, detail))
            return
        await app(scope, receive, send)
