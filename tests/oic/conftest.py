"""Client fixtures: an `OICClient` against the emulator, and a check that no secret reaches a log line."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from airflow_provider_oracle_oic.emulator.builders import IntegrationArchiveSpec, build_iar, build_par
from airflow_provider_oracle_oic.oic import OICClient, OICConfig


class TokenRecorder:
    """The secret masker a host would pass; remembers what it was asked to mask."""

    def __init__(self) -> None:
        self.values: list[str] = []

    def __call__(self, value: str) -> None:
        self.values.append(value)


@pytest.fixture
def masked() -> TokenRecorder:
    return TokenRecorder()


def make_config(server, **changes) -> OICConfig:
    settings = {
        "base_url": server.url,
        "client_id": server.config.client_id,
        "client_secret": server.config.client_secret,
        "token_url": server.token_url,
        "backoff_base": 0.01,
        "backoff_max": 0.05,
        "retry_after_cap": 0.05,
        **changes,
    }
    return OICConfig(**settings)


@pytest.fixture
def client(oic_emulator, masked, caplog) -> Iterator[OICClient]:
    """A client on a fresh emulator; afterwards no captured log line may hold the secret or a token."""
    caplog.set_level(logging.DEBUG)
    with OICClient(make_config(oic_emulator), secret_masker=masked) as oic:
        yield oic
    for value in [oic_emulator.config.client_secret, *masked.values]:
        assert value not in caplog.text


@pytest.fixture
def iar(tmp_path):
    """Write an `.iar` to disk and return its path."""

    def write(code: str, version: str = "01.00.0000", **spec) -> Path:
        path = tmp_path / f"{code}_{version}.iar"
        path.write_bytes(build_iar(IntegrationArchiveSpec(code, version, **spec)))
        return path

    return write


@pytest.fixture
def par(tmp_path):
    def write(name: str, specs: list[IntegrationArchiveSpec]) -> Path:
        path = tmp_path / f"{name}.par"
        path.write_bytes(build_par(specs))
        return path

    return write
