"""Reading Singer lines from stdin in blocks (pure logic) and parsing them."""

from __future__ import annotations

import io
import json
import subprocess

import pytest

from airflow_provider_oracle_oic.singer import reader
from airflow_provider_oracle_oic.singer.reader import InputLineError, SafeSingerReader, binary_lines
from tests.target.test_cli import SCRIPT


@pytest.mark.parametrize("block", [1, 3, 7, 1 << 20])
def test_lines_split_across_blocks_come_back_whole(monkeypatch, block):
    monkeypatch.setattr(reader, "BLOCK", block)
    data = b'{"a": 1}\n{"b": "' + b"x" * 50 + b'"}\n\n{"c": 3}'
    lines = [bytes(line) for line in binary_lines(io.BytesIO(data))]
    assert lines == [b'{"a": 1}', b'{"b": "' + b"x" * 50 + b'"}', b"", b'{"c": 3}']


def test_lines_parse_from_bytes_and_name_the_line_on_error():
    parse = SafeSingerReader().deserialize_json
    assert parse(bytearray(b'{"type": "STATE", "value": {"n": NaN}}'))["type"] == "STATE"
    with pytest.raises(InputLineError, match="line 2: not valid JSON"):
        parse(b'{"type": ')
    with pytest.raises(InputLineError, match="line 3: is not UTF-8 text"):
        parse(b'{"type": "\xff"}')
    with pytest.raises(InputLineError, match="line 4: a Singer message must be a JSON object"):
        parse(b"[1]")


def test_an_empty_line_is_named():
    with pytest.raises(InputLineError, match="line 1: is empty"):
        SafeSingerReader().deserialize_json(b"  ")


@pytest.mark.parametrize("how", ["stdin", "--input"])
@pytest.mark.parametrize("garbage", [b"\xff\xfe\x00\x01binary", b'{"type": "STATE", "value": "\xc3("}'])
def test_input_that_is_not_utf8_is_refused_by_line_number(tmp_path, config, how, garbage):
    config_path = tmp_path / "config.json"
    config_path.write_text(json.dumps(config))
    data = b'{"type": "STATE", "value": {}}\n' + garbage + b"\n"
    source = tmp_path / "input.jsonl"
    source.write_bytes(data)
    args = ["--config", str(config_path)]
    if how == "--input":
        args += ["--input", str(source)]
    with source.open("rb") as stdin:
        done = subprocess.run([SCRIPT, *args], stdin=stdin, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stderr.splitlines()[-1] == (
        "target-oracle-oic: error: line 2: is not UTF-8 text; Singer input must be UTF-8"
    )
