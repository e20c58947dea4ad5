"""At DEBUG, each OIC request is one line a support engineer can use: method, path, status,
milliseconds, attempt; never a token, a query or a body."""

from __future__ import annotations

import logging
import re

import pytest

from airflow_provider_oracle_oic.oic import OICNotFoundError

LINE = re.compile(
    r"^(GET|POST|PUT|PATCH|DELETE) /\S* -> (\d{3}|[A-Za-z]+) in \d+ ms \(attempt \d+(, request id \S+)?\)$"
)


def test_each_request_is_one_debug_line(client, caplog, oic_emulator):
    caplog.set_level(logging.DEBUG, logger="airflow_provider_oracle_oic.oic.transport")
    client.lookups.create("CODES", ("a", "b"), (("1", "one"),))
    with pytest.raises(OICNotFoundError):
        client.integrations.get("MISSING|01.00.0000")
    lines = [r.getMessage() for r in caplog.records if r.name == "airflow_provider_oracle_oic.oic.transport"]
    assert "POST /lookups -> 200" in "\n".join(lines) or "POST /lookups -> 201" in "\n".join(lines)
    assert any(line.startswith("GET /integrations/MISSING%7C01.00.0000 -> 404 in ") for line in lines)
    assert all(LINE.match(line) for line in lines), lines
    assert oic_emulator.config.client_secret not in "\n".join(lines)


def test_a_retried_request_says_which_attempt_it_was(client, caplog, oic_emulator):
    caplog.set_level(logging.DEBUG, logger="airflow_provider_oracle_oic.oic.transport")
    oic_emulator.set_faults(
        [{"route": "/ic/api/integration/v1/lookups/CODES", "methods": ["GET"], "p503": 1.0, "times": 1}]
    )
    client.lookups.find("CODES")
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("GET /lookups/CODES")]
    assert [line.split(" -> ")[1].split(" ")[0] for line in lines] == ["503", "404"]
    assert lines[-1].endswith("(attempt 2)")
