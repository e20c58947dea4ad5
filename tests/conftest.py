"""Shared fixtures: the emulator served over real HTTP on a free loopback port.

Airflow reads its configuration when first imported, so the test session's own AIRFLOW_HOME (a
temporary folder with its own SQLite database and DAGs folder) is set here, before any test imports it.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from tests.http_api import Api

AIRFLOW_HOME = Path(tempfile.mkdtemp(prefix="oic-airflow-home-"))
os.environ["AIRFLOW_HOME"] = str(AIRFLOW_HOME)
os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(AIRFLOW_HOME / "dags")
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
os.environ["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] = f"sqlite:///{AIRFLOW_HOME / 'airflow.db'}"
os.environ["AIRFLOW__CORE__TEST_CONNECTION"] = "Enabled"
(AIRFLOW_HOME / "dags").mkdir()

pytest_plugins = ["airflow_provider_oracle_oic.emulator.pytest_plugin", "tests.object_storage"]


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    shutil.rmtree(AIRFLOW_HOME, ignore_errors=True)


@pytest.fixture
def api(oic_emulator) -> Api:
    """A bearer-authenticated raw HTTP caller against a freshly reset emulator."""
    return Api(oic_emulator)
