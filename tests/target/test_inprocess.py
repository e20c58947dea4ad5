"""The in-process entry points run quietly: no warning of ours or of singer-sdk's on a good run."""

from __future__ import annotations

import logging

from airflow_provider_oracle_oic.deploy.engine import Deployment
from airflow_provider_oracle_oic.singer.inprocess import run_deployment, run_target
from tests.target.conftest import singer_lines

RECORDS = [("lookups", {"name": "CODES", "columns": ["a", "b"], "rows": [["1", "2"]]})]


def test_a_configured_deployment_fed_singer_lines_logs_no_warning(config, oic_emulator, caplog):
    caplog.set_level(logging.WARNING)
    result = run_deployment(Deployment.from_target_config(config), singer_lines(RECORDS))
    assert result.ok, result.summary()
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []


def test_run_target_logs_no_warning(config, oic_emulator, caplog):
    caplog.set_level(logging.WARNING)
    assert run_target(config, singer_lines(RECORDS)).ok
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
