"""Shared fixtures: the emulator served over real HTTP on a free loopback port."""

from __future__ import annotations

import pytest

from tests.http_api import Api

pytest_plugins = ["airflow_provider_oracle_oic.emulator.pytest_plugin"]


@pytest.fixture
def api(oic_emulator) -> Api:
    """A bearer-authenticated raw HTTP caller against a freshly reset emulator."""
    return Api(oic_emulator)
