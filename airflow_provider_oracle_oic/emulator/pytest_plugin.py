"""pytest fixtures for testing your own OIC code against the emulator.

Enable in a `conftest.py`: ``pytest_plugins = ["airflow_provider_oracle_oic.emulator.pytest_plugin"]``.
Override `oic_emulator_config` to change credentials, instance name or activation delay.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .config import EmulatorConfig
from .server import EmulatorServer


@pytest.fixture(scope="session")
def oic_emulator_config() -> EmulatorConfig:
    """The configuration of the session's emulator."""
    return EmulatorConfig()


@pytest.fixture(scope="session")
def oic_emulator_server(oic_emulator_config: EmulatorConfig) -> Iterator[EmulatorServer]:
    """One emulator for the test session, on a free loopback port."""
    with EmulatorServer(oic_emulator_config) as server:
        yield server


@pytest.fixture
def oic_emulator(oic_emulator_server: EmulatorServer) -> EmulatorServer:
    """The session's emulator, emptied (state, tokens, stats, faults) before the test."""
    oic_emulator_server.reset()
    return oic_emulator_server
