"""The import_mode x conflict_resolution table (README, "How re-runs and conflicts are decided")."""

from __future__ import annotations

from pathlib import Path

import pytest

from airflow_provider_oracle_oic.deploy.model.settings import deploy_settings
from airflow_provider_oracle_oic.deploy.model.specs import ArchiveFile, IntegrationSpec, LookupSpec
from airflow_provider_oracle_oic.deploy.plan.planner import Action, decide

INTEGRATION = IntegrationSpec("ORDERS", "01.00.0000", ArchiveFile(Path("o.iar"), "0" * 64, "o.iar"))
LOOKUP = LookupSpec("CODES", ("a", "b"), ())


@pytest.mark.parametrize(
    ("mode", "conflict", "present", "same", "expected"),
    [
        ("create_or_update", "overwrite", False, False, Action.CREATE),
        ("create_or_update", "overwrite", True, True, Action.SKIP),
        ("create_or_update", "overwrite", True, False, Action.REPLACE),
        ("create_or_update", "skip", True, False, Action.SKIP),
        ("create_or_update", "version", True, False, Action.REFUSE),
        ("create_only", "overwrite", False, False, Action.CREATE),
        ("create_only", "overwrite", True, False, Action.SKIP),
        ("create_only", "version", True, False, Action.REFUSE),
        ("update_only", "overwrite", False, False, Action.SKIP),
        ("update_only", "overwrite", True, False, Action.REPLACE),
        ("update_only", "skip", True, True, Action.SKIP),
    ],
)
def test_the_table_for_a_versioned_artifact(mode, conflict, present, same, expected):
    settings = deploy_settings({"import_mode": mode, "conflict_resolution": conflict})
    action, reason = decide(INTEGRATION, present, same, "content differs", settings)
    assert action == expected
    assert reason


def test_version_does_not_refuse_what_has_no_version():
    settings = deploy_settings({"conflict_resolution": "version"})
    action, reason = decide(LOOKUP, True, False, "rows differ", settings)
    assert action == Action.UPDATE
    assert "rows differ" in reason
