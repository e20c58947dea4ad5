"""A wrong URL is named with its setting and the fix; an API path in base_url never reads as an empty OIC."""

from __future__ import annotations

import json
import socket

import pytest

from tests.target.test_cli import run


def write_config(tmp_path, config) -> str:
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config))
    return str(path)


def records_file(tmp_path) -> str:
    path = tmp_path / "input.jsonl"
    lines = [
        {
            "type": "SCHEMA",
            "stream": "lookups",
            "schema": {"type": "object", "properties": {}},
            "key_properties": ["name"],
        },
        {
            "type": "RECORD",
            "stream": "lookups",
            "record": {"name": "CODES", "columns": ["a", "b"], "rows": []},
        },
    ]
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    return str(path)


def dry_run(tmp_path, config):
    """The CLI's dry run of one lookup with `config`."""
    return run(["--config", write_config(tmp_path, config), "--dry-run", "--input", records_file(tmp_path)])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize("suffix", ["/ic/api/integration/v1", "/ic/api/integration/v1/", "/ic/home"])
def test_an_api_path_in_base_url_is_refused_before_any_request(config, tmp_path, oic_emulator, suffix):
    oic_emulator.reset_stats()
    done = dry_run(tmp_path, {**config, "base_url": config["base_url"] + suffix})
    assert done.returncode == 2, done.stderr
    last = done.stderr.splitlines()[-1]
    assert "'base_url' must be the instance URL without OIC's path" in last
    assert f"use {config['base_url']}" in last
    assert oic_emulator.stats()["reads"] == 0


def test_a_dead_port_is_named_with_the_url_and_the_setting(config, tmp_path):
    dead = f"http://127.0.0.1:{free_port()}"
    done = dry_run(tmp_path, {**config, "base_url": dead, "max_retries": 0})
    assert done.returncode == 2, done.stderr
    assert "OIC could not be reached or read; nothing was written:" in done.stderr
    assert f"OIC at {dead} unreachable or the connection dropped; check base_url" in done.stderr
    assert "problem(s) in the input" not in done.stderr


def test_a_dead_token_endpoint_is_named(config, tmp_path):
    dead = f"http://127.0.0.1:{free_port()}/oauth2/v1/token"
    done = dry_run(tmp_path, {**config, "oauth_token_url": dead, "max_retries": 0})
    assert done.returncode == 2, done.stderr
    assert f"Token request to {dead} failed" in done.stderr
    assert "check the token URL setting" in done.stderr


def test_a_collection_answering_404_is_a_configuration_error_not_an_empty_oic(config, tmp_path, oic_emulator):
    # A gateway prefix that leads nowhere: every route 404s.
    done = dry_run(tmp_path, {**config, "base_url": config["base_url"] + "/gateway"})
    assert done.returncode == 2, done.stderr
    assert "absent in OIC" not in done.stderr
    assert "does not lead to OIC's REST API" in done.stderr or "unreachable" in done.stderr
