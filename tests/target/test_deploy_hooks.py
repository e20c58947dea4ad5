"""deploy_hooks: pre_deploy before the first write (a raising one refuses the run), post_deploy after each."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from airflow_provider_oracle_oic.singer.inprocess import InputError, run_target
from tests.target import hook_samples
from tests.target.conftest import singer_lines
from tests.target.test_cli import run

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def cli_files(tmp_path, config, archives):
    """Runs the CLI on the two records with `deploy_hooks` set, from the repository root (so the test
    package imports)."""

    def call(hooks: list[str]):
        path = tmp_path / "config.json"
        path.write_text(json.dumps({**config, "deploy_hooks": hooks}))
        source = tmp_path / "input.jsonl"
        source.write_text("\n".join(singer_lines(records(archives))) + "\n")
        return run(["--config", str(path), "--input", str(source)], env={"PYTHONPATH": str(ROOT)})

    return call


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
    assert [(i.artifact, i.field) for i in result.issues] == [("lookup CODES", "pre_deploy")]
    assert "frozen until Monday (change ticket CHG-1234)" in result.issues[0].message
    assert oic_emulator.stats()["writes"] == 0


def test_a_refusing_pre_deploy_hook_exits_2_as_nothing_was_written(cli_files, oic_emulator):
    done = cli_files(["tests.target.hook_samples:refuse_lookups"])
    assert done.returncode == 2, done.stderr
    assert "lookup CODES: pre_deploy: hook tests.target.hook_samples:refuse_lookups refused it" in done.stderr
    assert oic_emulator.stats()["writes"] == 0


def test_a_slow_hook_is_said_and_one_past_its_timeout_refuses(config, archives, oic_emulator, caplog):
    caplog.set_level("WARNING")
    result = run_target(
        {**config, "deploy_hooks": ["tests.target.hook_samples:slow"], "deploy_hook_timeout": 1},
        singer_lines(records(archives)),
    )
    assert not result.ok
    assert {i.artifact for i in result.issues} == {"integration HELLO|01.00.0000", "lookup CODES"}
    assert all("did not return within 1 s (deploy_hook_timeout)" in i.message for i in result.issues)
    assert "pre_deploy hook tests.target.hook_samples:slow is still running" in caplog.text
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
