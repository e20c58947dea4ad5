"""Reading Singer lines from stdin in blocks (pure logic) and parsing them."""

from __future__ import annotations

import io

import pytest

from airflow_provider_oracle_oic.singer import reader
from airflow_provider_oracle_oic.singer.reader import InputLineError, SafeSingerReader, binary_lines


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
