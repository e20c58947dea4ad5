"""A raw HTTP caller for emulator tests: a token, the API base, and nothing clever."""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote

import requests

from airflow_provider_oracle_oic.emulator import EmulatorServer
from airflow_provider_oracle_oic.emulator.builders import IntegrationArchiveSpec, build_iar, build_par

PATCH = {"X-HTTP-Method-Override": "PATCH"}


def enc(ident: str) -> str:
    return quote(ident, safe="")


class Api:
    """Sends requests to one emulator with a bearer token (and `integrationInstance` when set)."""

    def __init__(self, server: EmulatorServer, instance: str | None = None) -> None:
        self.server = server
        self.instance = instance
        self.http = requests.Session()
        self.token = self.fetch_token()

    def fetch_token(self) -> str:
        answer = self.http.post(
            self.server.token_url,
            auth=(self.server.config.client_id, self.server.config.client_secret),
            data={"grant_type": "client_credentials", "scope": "test"},
            timeout=10,
        )
        answer.raise_for_status()
        return answer.json()["access_token"]

    def call(self, method: str, path: str, *, token: str | None = None, **kwargs: Any) -> requests.Response:
        headers = {"Authorization": f"Bearer {token or self.token}", **kwargs.pop("headers", {})}
        params = dict(kwargs.pop("params", {}))
        if self.instance is not None:
            params.setdefault("integrationInstance", self.instance)
        return self.http.request(
            method, f"{self.server.api_url}{path}", headers=headers, params=params, timeout=30, **kwargs
        )

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.call("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.call("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> requests.Response:
        return self.call("PUT", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> requests.Response:
        return self.call("DELETE", path, **kwargs)

    def patch(self, path: str, body: Any) -> requests.Response:
        return self.call("POST", path, json=body, headers=PATCH)

    def upload(self, method: str, path: str, data: bytes, file_name: str, **fields: str) -> requests.Response:
        return self.call(
            method, path, files={"file": (file_name, data, "application/octet-stream")}, data=fields
        )

    def configure_basic_auth(self, connection_path: str) -> None:
        """Give a connection a URL and basic-auth credentials, and test it (so it is CONFIGURED)."""
        self.patch(
            connection_path,
            {
                "connectionProperties": [{"propertyName": "connectionUrl", "propertyValue": "https://erp"}],
                "securityPolicy": "BASIC_AUTH",
                "securityProperties": [
                    {"propertyName": "username", "propertyValue": "u"},
                    {"propertyName": "password", "propertyValue": "p"},
                ],
            },
        )
        assert self.post(f"{connection_path}/test").status_code == 200

    def import_iar(self, code: str, version: str, *, replace: bool = False, **spec: Any) -> requests.Response:
        data = build_iar(IntegrationArchiveSpec(code, version, **spec))
        return self.upload(
            "PUT" if replace else "POST", "/integrations/archive", data, f"{code}_{version}.iar"
        )

    def import_par(
        self, name: str, specs: list[IntegrationArchiveSpec], *, replace: bool = False
    ) -> requests.Response:
        return self.upload("PUT" if replace else "POST", "/packages/archive", build_par(specs), f"{name}.par")

    def set_status(
        self, ident: str, status: str, project: str | None = None, **flags: Any
    ) -> requests.Response:
        scope = f"/projects/{project}" if project else ""
        return self.patch(f"{scope}/integrations/{enc(ident)}", {"status": status, **flags})

    def status(self, ident: str) -> str:
        answer = self.get(f"/integrations/{enc(ident)}/activationStatus")
        answer.raise_for_status()
        return answer.json()["activationStatus"]

    def wait_status(self, ident: str, wanted: str, timeout: float = 10.0) -> str:
        deadline = time.monotonic() + timeout
        while (current := self.status(ident)) != wanted:
            if time.monotonic() > deadline:
                raise AssertionError(f"{ident} stayed {current}, expected {wanted}")
            time.sleep(0.02)
        return current

    def configure_connection(self, conn_id: str, url: str = "https://api.example.com") -> requests.Response:
        """Make a connection complete (BASIC_AUTH) and test it."""
        answer = self.patch(
            f"/connections/{conn_id}",
            {
                "securityPolicy": "BASIC_AUTH",
                "connectionProperties": [{"propertyName": "connectionUrl", "propertyValue": url}],
                "securityProperties": [
                    {"propertyName": "username", "propertyValue": "svc"},
                    {"propertyName": "password", "propertyValue": "pw-secret-1", "propertyType": "PASSWORD"},
                ],
            },
        )
        answer.raise_for_status()
        return self.post(f"/connections/{conn_id}/test")


def detail(answer: requests.Response) -> str:
    """OIC's error detail, after checking the error body has the contract's shape."""
    body = answer.json()
    assert set(body) >= {"type", "title", "detail", "status"}, body
    assert body["status"] == f"HTTP {answer.status_code} {body['title']}"
    return body["detail"]


@contextmanager
def traffic(server: EmulatorServer, error_rates: dict[str, float], routing_lookup: str = "ORDERS_ROUTING"):
    """Simulated calls to ORDERS every 20 ms, split by the routing lookup, until the block ends."""
    stop = threading.Event()

    def pump() -> None:
        while not stop.is_set():
            server._http.post(
                f"{server.url}/_emulator/traffic",
                json={
                    "code": "ORDERS",
                    "requests": 40,
                    "routing_lookup": routing_lookup,
                    "error_rates": error_rates,
                },
                timeout=10,
            )
            stop.wait(0.02)

    thread = threading.Thread(target=pump, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=5)
