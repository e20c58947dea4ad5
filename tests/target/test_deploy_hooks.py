"""deploy_hooks: pre_deploy before the first write (a raising one refuses the run), post_deploy after each."""

from __future__ import annotations

import pytest

from airflow_provider_oracle_oic.singer.inprocess import InputError, run_target
from tests.target import hook_samples
from tests.target.conftest import singer_lines


def records(archives):
    return [
        ("integrations", {"code": "HELLO", "version": "01.00.0000", "archive_path": archives.iar("HELLO")}),
        ("lookups", {"name": "CODES", "columns": ["a", "b"], "rows": [["1", "2"]]}),
    ]


def test_hooks_are_told_before_any_write_and_after_each(config, archives, oic_emulator):
    hook_samples.EVENTS.clear()
    result = run_target(
        {**config, "deploy_hooks": ["tests.target.hook_samples:record"]}, singer_lines(records(archives))
    )
    assert result.ok, result.summary()
    events = hook_samples.EVENTS
    pre = [a["artifact"] for e, a in events if e == "pre_deploy"]
    post = [(a["artifact"], a["outcome"]) for e, a in events if e == "post_deploy"]
    assert sorted(pre) == ["integration HELLO|01.00.0000", "lookup CODES"]
    assert sorted(post) == [("integration HELLO|01.00.0000", "applied"), ("lookup CODES", "applied")]
    assert [e for e, _ in events[:2]] == ["pre_deploy", "pre_deploy"]
    assert events[0][1]["action"] == "create"


def test_a_raising_pre_deploy_hook_refuses_the_run(config, archives, oic_emulator):
    hooks = ["tests.target.hook_samples:refuse_lookups"]
    result = run_target({**config, "deploy_hooks": hooks}, singer_lines(records(archives)))
    assert not result.ok
    refused = {r.artifact: r for r in result.results if r.outcome.value == "failed"}
    assert "frozen until Monday (change ticket CHG-1234)" in refused["lookup CODES"].reason
    assert oic_emulator.stats()["writes"] == 0


def test_a_failing_post_deploy_hook_is_a_warning(config, archives, oic_emulator):
    result = run_target(
        {**config, "deploy_hooks": ["tests.target.hook_samples:broken_after"]},
        singer_lines(records(archives)),
    )
    assert result.ok, result.summary()
    assert any("the chat webhook is down" in w for w in result.warnings)


@pytest.mark.parametrize(
    ("reference", "message"),
    [
        ("tests.target.hook_samples", "must look like package.module:function"),
        ("tests.target.nope:record", "cannot be imported"),
        ("tests.target.hook_samples:NOT_CALLABLE", "is not callable"),
    ],
)
def test_bad_hook_references_are_refused_before_anything(config, archives, oic_emulator, reference, message):
    with pytest.raises(InputError, match=message):
        run_target({**config, "deploy_hooks": [reference]}, singer_lines(records(archives)))
    assert oic_emulator.stats()["writes"] == 0
