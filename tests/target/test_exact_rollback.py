"""Rollbacks put back every attribute a run could change (file names too), and name what they cannot."""

from __future__ import annotations

import json

from airflow_provider_oracle_oic.deploy.model.specs import Kind
from airflow_provider_oracle_oic.deploy.recovery.rollback import Restorer
from airflow_provider_oracle_oic.deploy.state.journal import Undo, UndoAction
from airflow_provider_oracle_oic.emulator.builders import build_js_library
from airflow_provider_oracle_oic.oic import OICClient
from airflow_provider_oracle_oic.singer.inprocess import run_target
from tests.http_api import Api
from tests.oic.conftest import make_config
from tests.target.conftest import singer_lines

API = "/ic/api/integration/v1"


def register_library(api: Api, file_name: str, function_name: str) -> None:
    answer = api.upload(
        "POST",
        "/libraries/archive",
        build_js_library(function_name),
        file_name,
        code="MATHLIB",
        version="01.00.0000",
        name="Math",
        type="API",
    )
    assert answer.status_code in (200, 204), answer.text


def library_state(server) -> tuple[str, str]:
    (lib,) = server.state()["libraries"]
    return lib["file_name"], lib["archive_sha256"]


def failing_release(archives) -> list[str]:
    """A library replace, then an integration import that OIC refuses."""
    return singer_lines(
        [
            (
                "libraries",
                {
                    "code": "MATHLIB",
                    "version": "01.00.0000",
                    "name": "Math",
                    "archive_path": archives.js("mathlib-2.js", "after"),
                },
            ),
            (
                "integrations",
                {"code": "ORDERS", "version": "01.00.0000", "archive_path": archives.iar("ORDERS")},
            ),
        ]
    )


def test_a_rolled_back_library_comes_back_under_its_own_file_name(config, archives, oic_emulator):
    api = Api(oic_emulator)
    register_library(api, "mathlib.js", "before")
    before = library_state(oic_emulator)
    oic_emulator.set_faults([{"route": f"{API}/integrations/archive", "methods": ["POST"], "p500": 1.0}])
    try:
        result = run_target(config, failing_release(archives))
    finally:
        oic_emulator.clear_faults()
    assert not result.ok
    assert result.undo
    assert all(u.ok for u in result.undo)
    assert library_state(oic_emulator) == before
    assert result.not_restorable == []


def test_a_library_off_its_file_name_is_named_by_the_after_rollback_check(oic_emulator, tmp_path):
    register_library(Api(oic_emulator), "restore-library-0001.js", "before")
    undo = Undo(
        UndoAction.RESTORE_ARCHIVE,
        Kind.LIBRARY,
        "MATHLIB|01.00.0000",
        "restore library MATHLIB|01.00.0000 from its backup",
        str(tmp_path / "library-0001.lib"),
        before={"file_name": "mathlib.js"},
    )
    with OICClient(make_config(oic_emulator)) as client:
        problem = Restorer(client, 5, 0.05).problem(undo)
    assert problem == (
        "library MATHLIB|01.00.0000 holds file restore-library-0001.js; it held mathlib.js before the run"
    )


def test_a_certificate_whose_answer_was_lost_is_recognised_not_uploaded_twice(config, archives, oic_emulator):
    oic_emulator.set_faults(
        [{"route": f"{API}/certificates", "methods": ["POST"], "after": True, "p429": 1.0, "times": 1}]
    )
    try:
        result = run_target(
            config,
            singer_lines(
                [
                    (
                        "certificates",
                        {
                            "name": "trust_one",
                            "type": "X509",
                            "category": "TRUST",
                            "file_path": archives.pem(),
                        },
                    )
                ]
            ),
        )
    finally:
        injected = oic_emulator.faults()["injected"]
        oic_emulator.clear_faults()
    assert injected == 1
    assert result.ok, result.summary()
    assert [c["name"] for c in oic_emulator.state()["certificates"]] == ["trust_one"]


def test_an_unexpected_error_after_the_first_write_still_rolls_back_and_closes_the_journal(
    config, oic_emulator, monkeypatch, tmp_path
):
    from airflow_provider_oracle_oic.deploy.execute.applier import Applier

    real = Applier._lookup

    def breaks_on_the_second(self, step, spec):
        if spec.name == "SECOND":
            raise UnicodeEncodeError("utf-8", "\udcff", 0, 1, "surrogates not allowed")
        return real(self, step, spec)

    monkeypatch.setattr(Applier, "_lookup", breaks_on_the_second)
    lines = singer_lines(
        [
            ("lookups", {"name": "FIRST", "columns": ["a", "b"], "rows": [["1", "2"]]}),
            ("lookups", {"name": "SECOND", "columns": ["a", "b"], "rows": [["1", "2"]]}),
        ]
    )
    result = run_target({**config, "max_concurrency": 1}, lines)
    assert not result.ok
    (failed,) = result.failures
    assert failed.artifact == "lookup SECOND"
    assert "unexpected UnicodeEncodeError" in failed.detail
    assert [lk["name"] for lk in oic_emulator.state()["lookups"]] == []
    journals = list((tmp_path / "ledger.json.journals").glob("*"))
    assert journals
    events = [json.loads(line) for line in journals[0].read_text().splitlines()]
    assert events[-1]["event"] == "end"
    assert events[-1]["status"] == "rolled_back"
