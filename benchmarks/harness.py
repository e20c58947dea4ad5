"""What the benchmarks share: an emulator in its own process (so only the client side is measured),
target settings for it, and the table every benchmark prints."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from airflow_provider_oracle_oic.emulator.config import EmulatorConfig

READY = re.compile(r"listening on (http://\S+)")


@dataclass
class Emulator:
    """A running `oic-emulator` process and its control plane."""

    url: str
    process: subprocess.Popen[str]

    @property
    def token_url(self) -> str:
        return f"{self.url}/oauth2/v1/token"

    def control(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            f"{self.url}/_emulator{path}",
            data=data,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=60) as answer:
            return json.loads(answer.read() or b"null")

    def latency(self, milliseconds: float) -> None:
        """Every API request (not the token endpoint) answers `milliseconds` late."""
        self.control("PUT", "/faults", {"rules": [{"route": "/ic/api/*", "latency_ms": milliseconds}]})

    def requests(self) -> dict[str, int]:
        return self.control("GET", "/stats")["requests"]

    def target_config(self, **settings: Any) -> dict[str, Any]:
        defaults = EmulatorConfig()
        return {
            "base_url": self.url,
            "oauth_client_id": defaults.client_id,
            "oauth_client_secret": defaults.client_secret,
            "oauth_token_url": self.token_url,
            **settings,
        }


@contextmanager
def emulator(*options: str) -> Iterator[Emulator]:
    """`oic-emulator --port 0 OPTIONS` in a child process, stopped afterwards."""
    process = subprocess.Popen(
        [sys.executable, "-m", "airflow_provider_oracle_oic.emulator.cli", "--port", "0", *options],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        match = READY.search(process.stdout.readline())
        if match is None:
            raise SystemExit("the emulator did not start")
        yield Emulator(match.group(1), process)
    finally:
        process.terminate()
        process.wait(timeout=30)


def table(title: str, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Print `rows` under `header`, columns as wide as their widest cell."""
    cells = [list(map(str, header)), *([_cell(v) for v in row] for row in rows)]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    print(f"\n{title}")
    for n, row in enumerate(cells):
        print("  ".join(value.rjust(width) for value, width in zip(row, widths, strict=True)))
        if n == 0:
            print("  ".join("-" * width for width in widths))


def _cell(value: Any) -> str:
    return f"{value:.2f}" if isinstance(value, float) else str(value)


def verdict(met: bool) -> str:
    return "met" if met else "NOT MET"
