"""Run the emulator in-process on a free loopback port, and drive its control plane."""

from __future__ import annotations

import socket
import ssl
import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import requests
import uvicorn

from .app import create_app
from .config import EmulatorConfig
from .fleet import Fleet
from .gateway import Gateway

START_TIMEOUT = 15.0


@dataclass(frozen=True)
class TLSFiles:
    """Serve HTTPS: the server's certificate and key, and a CA bundle that client certificates must chain to."""

    certfile: Path
    keyfile: Path
    client_ca: Path | None = None


class EmulatorServer:
    """An emulator served by uvicorn in a background thread; a context manager."""

    def __init__(
        self,
        config: EmulatorConfig | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        tls: TLSFiles | None = None,
        instances: list[str] | None = None,
    ) -> None:
        self.config = config or EmulatorConfig()
        self.host = host
        self.port = port
        self.tls = tls
        # Several OIC 3 service instances in one process (see `fleet`), or one.
        self.instances = list(instances or [])
        self.app: Gateway | Fleet = (
            Fleet(self.config, self.instances) if instances else create_app(self.config)
        )
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._http = requests.Session()

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://{self.host}:{self.port}"

    @property
    def token_url(self) -> str:
        return f"{self.url}/oauth2/v1/token"

    @property
    def api_url(self) -> str:
        return f"{self.url}{self.config.api_base}"

    def start(self) -> EmulatorServer:
        """Bind (port 0 picks a free one), serve, and return once requests are accepted."""
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        self.port = sock.getsockname()[1]
        tls: dict[str, Any] = {}
        if self.tls is not None:
            tls = {"ssl_certfile": str(self.tls.certfile), "ssl_keyfile": str(self.tls.keyfile)}
            if self.tls.client_ca is not None:
                tls.update(ssl_ca_certs=str(self.tls.client_ca), ssl_cert_reqs=ssl.CERT_REQUIRED)
        config = uvicorn.Config(
            self.app, log_level="warning", lifespan="off", access_log=False, timeout_keep_alive=30, **tls
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, daemon=True, name=f"oic-emulator-{self.port}"
        )
        self._thread.start()
        deadline = time.monotonic() + START_TIMEOUT
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"oic-emulator did not start on {self.url}")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=10)
        self._http.close()

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def with_config(self, **changes: Any) -> EmulatorConfig:
        """This server's config with some fields changed, for starting a sibling server."""
        return replace(self.config, **changes)

    def _control(self, method: str, path: str, body: Any = None, instance: str | None = None) -> Any:
        params = {"instance": instance} if instance else None
        # A fresh connection each time: a kept-alive one idle as long as the server's keep-alive timeout
        # can be closed by the server just as it is reused (a reset that failed a test's setup in CI).
        response = self._http.request(
            method,
            f"{self.url}/_emulator/{path}",
            json=body,
            params=params,
            timeout=30,
            headers={"Connection": "close"},
        )
        if response.status_code >= 400:
            raise RuntimeError(
                f"oic-emulator control {method} {path} failed: {response.status_code} {response.text}"
            )
        return response.json()

    def reset(self, instance: str | None = None) -> None:
        """Empty the emulator (one instance of a fleet): state, tokens, stats and faults."""
        self._control("POST", "reset", instance=instance)

    def seed(self, data: dict[str, Any]) -> dict[str, int]:
        return self._control("POST", "seed", data)

    def state(self, instance: str | None = None) -> dict[str, Any]:
        """The artifacts of the emulator (of one instance of a fleet)."""
        return self._control("GET", "state", instance=instance)

    def stats(self, instance: str | None = None) -> dict[str, Any]:
        return self._control("GET", "stats", instance=instance)

    def reset_stats(self) -> None:
        self._control("POST", "stats/reset")

    def reset_stats_of(self, instance: str) -> None:
        """Zero one fleet instance's counts."""
        self._control("POST", "stats/reset", instance=instance)

    def set_faults(
        self, rules: list[dict[str, Any]], seed: int = 0, instance: str | None = None
    ) -> dict[str, Any]:
        return self._control("PUT", "faults", {"rules": rules, "seed": seed}, instance=instance)

    def faults(self) -> dict[str, Any]:
        """The fault rules and how many faults they injected."""
        return self._control("GET", "faults")

    def clear_faults(self) -> None:
        self._control("DELETE", "faults")

    def lock(self, kind: str, ident: str) -> None:
        self._control("POST", "lock", {"kind": kind, "id": ident})

    def unlock(self, kind: str, ident: str) -> None:
        self._control("POST", "unlock", {"kind": kind, "id": ident})

    def revoke_tokens(self) -> int:
        return self._control("POST", "tokens/revoke")["revoked"]

    def traffic(self, code: str, requests_count: int, **options: Any) -> dict[str, Any]:
        return self._control("POST", "traffic", {"code": code, "requests": requests_count, **options})
