"""target-oracle-oic as a command: exit codes, flags, STATE after apply, --about, env-var config."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from airflow_provider_oracle_oic.singer.settings_schema import CONFIG_SCHEMA
from tests.target.conftest import singer_lines

SCRIPT = shutil.which("target-oracle-oic", path=str(Path(sys.executable).parent))


def run(args: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    assert SCRIPT is not None, "target-oracle-oic is not installed in this environment"
    return subprocess.run(
        [SCRIPT, *args], capture_output=True, text=True, timeout=120, env={**os.environ, **(env or {})}
    )


@pytest.fixture
def files(tmp_path, config, archives):
    config_path = tmp_path / "config.json"
    config_path.write_text(json.dumps(config))
    records = [
        ("lookups", {"name": "CODES", "columns": ["a", "b"], "rows": [["1", "2"]]}),
        ("integrations", {"code": "HELLO", "version": "01.00.0000", "archive_path": archives.iar("HELLO")}),
    ]
    input_path = tmp_path / "input.jsonl"
    input_path.write_text("\n".join(singer_lines(records, state={"position": 7})) + "\n")
    return config_path, input_path


def test_deploy_emits_state_after_apply(files, oic_emulator):
    config_path, input_path = files
    done = run(["--config", str(config_path), "--input", str(input_path)])
    assert done.returncode == 0, done.stderr
    assert [json.loads(line) for line in done.stdout.splitlines()] == [{"position": 7}]
    assert "deploy run" in done.stderr
    assert "lookup CODES" in done.stderr
    assert oic_emulator.stats()["writes"] == 2


def test_dry_run_prints_the_plan_and_writes_nothing(files, oic_emulator):
    config_path, input_path = files
    done = run(["--config", str(config_path), "--input", str(input_path), "--dry-run"])
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert "dry-run run" in done.stderr
    assert re.search(r"lookup CODES\s+create\s+planned\s", done.stderr)
    assert re.search(r"integration HELLO\|01\.00\.0000\s+create\s+planned\s", done.stderr)
    assert oic_emulator.stats()["writes"] == 0


def test_validate_only_contacts_only_the_token_endpoint(files, oic_emulator):
    config_path, input_path = files
    done = run(["--config", str(config_path), "--input", str(input_path), "--validate-only"])
    assert done.returncode == 0, done.stderr
    stats = oic_emulator.stats()
    assert (stats["token_requests"], stats["reads"], stats["writes"]) == (1, 0, 0)


def test_streams_and_archive_dir_flags(files, oic_emulator, tmp_path, archives):
    config_path, input_path = files
    config = json.loads(config_path.read_text())
    del config["archive_directory"]
    config_path.write_text(json.dumps(config))
    done = run(
        [
            "--config",
            str(config_path),
            "--input",
            str(input_path),
            "--streams",
            "integrations",
            "--archive-dir",
            str(archives.root),
        ]
    )
    assert done.returncode == 0, done.stderr
    assert "skipped 1 record(s) of stream lookups" in done.stderr
    state = oic_emulator.state()
    assert state["lookups"] == []
    assert [i["code"] for i in state["integrations"]] == ["HELLO"]


def test_bad_input_exits_2_naming_artifact_and_field(tmp_path, files, oic_emulator):
    config_path, _ = files
    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        "\n".join(
            singer_lines([("integrations", {"code": "HELLO", "version": "1", "archive_path": "x.iar"})])
        )
        + "\n"
    )
    done = run(["--config", str(config_path), "--input", str(bad)])
    assert done.returncode == 2
    assert "integration HELLO|1: version:" in done.stderr
    assert oic_emulator.stats()["writes"] == 0
    garbage = tmp_path / "garbage.jsonl"
    garbage.write_text("{not json\n")
    done = run(["--config", str(config_path), "--input", str(garbage)])
    assert done.returncode == 2
    assert "line 1: not valid JSON" in done.stderr


def test_failed_deployment_exits_1_listing_failures(tmp_path, files, archives, oic_emulator):
    config_path, _ = files
    oic_emulator.seed({"integrations": [{"code": "BUSY", "version": "01.00.0000", "locked": True}]})
    path = tmp_path / "locked.jsonl"
    path.write_text(
        "\n".join(
            singer_lines(
                [
                    (
                        "integrations",
                        {"code": "BUSY", "version": "01.00.0000", "archive_path": archives.iar("BUSY")},
                    )
                ]
            )
        )
        + "\n"
    )
    done = run(["--config", str(config_path), "--input", str(path)])
    assert done.returncode == 1
    assert "FAILED" in done.stderr
    assert "locked" in done.stderr
    assert done.stdout == ""


def test_about_markdown_documents_every_setting():
    done = run(["--about", "--format=markdown"])
    assert done.returncode == 0
    for setting in CONFIG_SCHEMA["properties"]:
        assert f"| {setting} " in done.stdout, setting


def test_config_from_environment(files, oic_emulator, config):
    _, input_path = files
    env = {f"TARGET_ORACLE_OIC_{k.upper()}": str(v) for k, v in config.items()}
    done = run(["--config", "ENV", "--input", str(input_path), "--dry-run"], env=env)
    assert done.returncode == 0, done.stderr
    assert "lookup CODES" in done.stderr


def test_importing_the_target_leaves_the_root_logger_alone():
    """A host process (an Airflow task) that imports the target must not get a second stderr handler:
    it made every INFO line of a task appear again as an ERROR line."""
    import subprocess
    import sys

    code = (
        "import logging\n"
        "import airflow_provider_oracle_oic.singer.inprocess\n"
        "import airflow_provider_oracle_oic.singer.tap\n"
        "print(len(logging.getLogger().handlers))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert done.stdout.strip() == "0"


def test_the_log_level_variable_turns_on_debug_messages_without_secrets(files, oic_emulator):
    config_path, input_path = files
    quiet = run(["--config", str(config_path), "--input", str(input_path), "--dry-run"])
    loud = run(
        ["--config", str(config_path), "--input", str(input_path), "--dry-run"],
        env={"TARGET_ORACLE_OIC_LOG_LEVEL": "debug"},
    )
    assert quiet.returncode == loud.returncode == 0
    assert "Fetched an OIC access token" not in quiet.stderr
    assert "Fetched an OIC access token" in loud.stderr
    assert oic_emulator.config.client_secret not in loud.stderr


def test_about_advertises_no_setting_that_does_nothing():
    done = run(["--about", "--format", "json"])
    settings = json.loads(done.stdout)["settings"]["properties"]
    for inert in ("load_method", "batch_size_rows", "add_record_metadata"):
        assert inert not in settings
    assert "stream_maps" in settings


@pytest.mark.parametrize(
    ("arguments", "output_format"),
    [
        (["--about"], "text"),
        (["--about", "--format=json"], "json"),
        (["--format", "MARKDOWN", "--about"], "markdown"),
    ],
)
def test_about_prints_what_singer_sdk_renders_now(arguments, output_format):
    """The command answers `--about` from its snapshot; what it prints is singer-sdk's rendering, exactly."""
    from airflow_provider_oracle_oic.singer import about

    done = run(arguments)
    assert done.returncode == 0, done.stderr
    assert done.stdout == about.rendered()["formats"][output_format] + "\n"


def test_the_about_snapshot_is_the_one_the_installed_versions_render():
    """`make docs` renders it; with other singer-sdk or package versions the command does not use it."""
    from airflow_provider_oracle_oic.singer import about

    snapshot = json.loads(about.SNAPSHOT.read_text(encoding="utf-8"))
    now = about.rendered()
    if snapshot["versions"] == now["versions"]:
        assert snapshot == now, "the --about snapshot is stale: run `make docs`"
        assert about.saved("json") == now["formats"]["json"]
    else:
        assert about.saved("json") is None


def test_about_from_the_snapshot_does_not_import_singer_sdk():
    code = (
        "import sys\n"
        "sys.argv = ['target-oracle-oic', '--about', '--format', 'json']\n"
        "from airflow_provider_oracle_oic.singer.target_command import main\n"
        "try:\n    main()\nexcept SystemExit as done:\n    assert done.code == 0, done.code\n"
        "print('singer_sdk' in sys.modules, file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    from airflow_provider_oracle_oic.singer import about

    uses_snapshot = about.saved("json") is not None
    assert done.stderr.strip() == str(not uses_snapshot)
    assert json.loads(done.stdout)["name"] == "target-oracle-oic"


def test_a_snapshot_of_other_versions_is_not_used(tmp_path, monkeypatch):
    from airflow_provider_oracle_oic.singer import about

    stale = json.loads(about.SNAPSHOT.read_text(encoding="utf-8"))
    stale["versions"]["sdk_version"] = "0.0.1"
    monkeypatch.setattr(about, "SNAPSHOT", tmp_path / "about.json")
    about.SNAPSHOT.write_text(json.dumps(stale))
    assert about.saved("text") is None
    about.SNAPSHOT.write_text("{not json")
    assert about.saved("text") is None


@pytest.mark.parametrize(
    ("arguments", "wanted"),
    [
        (["--about"], "text"),
        (["--about", "--format", "json"], "json"),
        (["--about", "--format=Markdown"], "markdown"),
        (["--about", "--format", "yaml"], None),
        (["--about", "--format", "text"], None),
        (["--about", "--config", "c.json"], None),
        (["--config", "c.json"], None),
        ([], None),
    ],
)
def test_only_a_plain_about_is_answered_from_the_snapshot(arguments, wanted):
    from airflow_provider_oracle_oic.singer.about import requested_format

    assert requested_format(arguments) == wanted
