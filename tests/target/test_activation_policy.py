"""`activation_policy`: auto, manual and scheduled, against the emulator over real HTTP."""

from __future__ import annotations

from airflow_provider_oracle_oic.singer.inprocess import run_target
from tests.http_api import Api
from tests.target.conftest import singer_lines


def _outcomes(result) -> list[tuple[str, str, str]]:
    return [(r.artifact, r.action, r.outcome.value) for r in result.results]


def test_manual_policy_activates_nothing_on_its_own(config, archives, oic_emulator):
    api = Api(oic_emulator)
    live = archives.iar("LIVE")
    oic_emulator.seed({"integrations": [{"code": "LIVE", "version": "01.00.0000", "status": "ACTIVATED"}]})
    fresh = archives.iar("FRESH")
    records = [
        ("integrations", {"code": "FRESH", "version": "01.00.0000", "archive_path": fresh, "activate": True}),
        ("integrations", {"code": "LIVE", "version": "01.00.0000", "archive_path": live}),
    ]
    result = run_target(
        {**config, "activation_policy": "manual", "activate_integrations": True}, singer_lines(records)
    )
    assert result.ok, result.summary()
    assert api.status("FRESH|01.00.0000") == "CONFIGURED"
    # LIVE existed without a ledger entry, so it was replaced: it was ACTIVATED before and is again.
    assert api.status("LIVE|01.00.0000") == "ACTIVATED"
    outcomes = _outcomes(result)
    assert ("integration FRESH|01.00.0000", "skip", "skipped") in outcomes
    assert ("integration LIVE|01.00.0000", "activate", "applied") in outcomes
    skipped = next(
        r for r in result.results if r.artifact == "integration FRESH|01.00.0000" and r.action == "skip"
    )
    assert "activation_policy is manual" in skipped.reason


def test_auto_policy_follows_the_records(config, archives, oic_emulator):
    fresh = archives.iar("FRESH")
    records = [
        ("integrations", {"code": "FRESH", "version": "01.00.0000", "archive_path": fresh, "activate": True})
    ]
    result = run_target({**config, "activation_policy": "auto"}, singer_lines(records))
    assert result.ok, result.summary()
    assert Api(oic_emulator).status("FRESH|01.00.0000") == "ACTIVATED"


def test_scheduled_policy_starts_the_schedule_of_scheduled_integrations(config, archives, oic_emulator):
    nightly = archives.iar("NIGHTLY", scheduled=True)
    plain = archives.iar("PLAIN")
    records = [
        ("integrations", {"code": "NIGHTLY", "version": "01.00.0000", "archive_path": nightly}),
        ("integrations", {"code": "PLAIN", "version": "01.00.0000", "archive_path": plain}),
    ]
    result = run_target(
        {**config, "activation_policy": "scheduled", "activate_integrations": True}, singer_lines(records)
    )
    assert result.ok, result.summary()
    api = Api(oic_emulator)
    assert api.get("/integrations/NIGHTLY%7C01.00.0000").json()["scheduleState"] == "STARTED"
    assert "scheduleState" not in api.get("/integrations/PLAIN%7C01.00.0000").json()
    nightly_result = next(
        r for r in result.results if r.id == "NIGHTLY|01.00.0000" and r.action == "activate"
    )
    assert nightly_result.detail == "schedule started"
