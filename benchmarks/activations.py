"""Activations that overlap: 20 integrations activated in one run against one, each taking 2 s in OIC.

The emulator (its own process) keeps every activation in progress for 2 s. Goals (issue 12): a run that
activates 20 integrations takes <= 1.3 x a run that activates one, at any `max_concurrency`; and a
deploy step returns within 1 s of OIC reporting ACTIVATED (measured as a one-integration run with
activation, minus the same run without it, minus the 2 s OIC takes).

Run: `.venv/bin/python benchmarks/activations.py [--repeat 2]`
"""

from __future__ import annotations

import argparse
import json
import logging
import tempfile
import time
from pathlib import Path

from harness import Emulator, emulator, table, verdict

from airflow_provider_oracle_oic.emulator.builders import IntegrationArchiveSpec, build_iar
from airflow_provider_oracle_oic.singer.inprocess import run_target
from airflow_provider_oracle_oic.singer.schemas import schema_message

ACTIVATION_SECONDS = 2.0


def release(folder: Path, count: int, activate: bool) -> list[str]:
    lines = [json.dumps(schema_message("integrations"))]
    for n in range(count):
        code = f"ACT_{n:03d}"
        (folder / f"{code}.iar").write_bytes(build_iar(IntegrationArchiveSpec(code, "01.00.0000")))
        record = {"code": code, "version": "01.00.0000", "archive_path": f"{code}.iar", "activate": activate}
        lines.append(json.dumps({"type": "RECORD", "stream": "integrations", "record": record}))
    return lines


def deploy(server: Emulator, folder: Path, lines: list[str], concurrency: int) -> float:
    server.control("POST", "/reset")
    config = server.target_config(archive_directory=str(folder), max_concurrency=concurrency)
    started = time.perf_counter()
    result = run_target(config, lines)
    seconds = time.perf_counter() - started
    if not result.ok:
        raise SystemExit(f"the deployment failed:\n{result.summary()}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    rows, lag_rows = [], []
    with (
        tempfile.TemporaryDirectory() as tmp,
        emulator("--activation-delay", str(ACTIVATION_SECONDS)) as server,
    ):
        folder = Path(tmp)
        one, twenty = release(folder, 1, True), release(folder, 20, True)
        quiet = release(folder, 1, False)
        for k in (1, 4, 8):
            single = min(deploy(server, folder, one, k) for _ in range(args.repeat))
            many = min(deploy(server, folder, twenty, k) for _ in range(args.repeat))
            rows.append(
                [
                    f"max_concurrency {k}",
                    single,
                    many,
                    many / single,
                    "<= 1.30",
                    verdict(many / single <= 1.3),
                ]
            )
        without = min(deploy(server, folder, quiet, 4) for _ in range(args.repeat))
        single = min(deploy(server, folder, one, 4) for _ in range(args.repeat))
        lag = single - without - ACTIVATION_SECONDS
        lag_rows.append(["ACTIVATED to the step returning", lag, "<= 1.00", verdict(lag <= 1.0)])
    table(
        f"20 activations of {ACTIVATION_SECONDS:.0f} s against one (best of {args.repeat})",
        ["run", "1 activation s", "20 activations s", "ratio", "goal", "verdict"],
        rows,
    )
    table("Latency of the activation wait", ["figure", "seconds", "goal", "verdict"], lag_rows)


if __name__ == "__main__":
    main()
