"""HTTP requests a deployment makes: a first deploy against the minimal set, and an unchanged re-run.

A release of N/2 lookups and N/2 integrations (none activated) goes to an empty emulator. The minimal
set: one token, one write per artifact, and the reads the contract makes necessary: the existence of
each family's artifacts (a listing page per 100) and, since an import answers 204 without the object,
the imported integrations' lastUpdated for the ledger (again a page per 100). The re-run of the same
input must write nothing. Goals (issue 12): first deploy / minimal <= 1.10; re-run reads
<= 2 x ceil(N/200) + 4, writes 0.

Run: `.venv/bin/python benchmarks/request_counts.py [--sizes 10,100,400]`
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import tempfile
from pathlib import Path

from harness import table, verdict

from airflow_provider_oracle_oic.emulator import EmulatorServer
from airflow_provider_oracle_oic.emulator.builders import IntegrationArchiveSpec, build_iar
from airflow_provider_oracle_oic.singer.inprocess import run_target
from airflow_provider_oracle_oic.singer.schemas import schema_message


def release(size: int, folder: Path) -> list[str]:
    lines = [json.dumps(schema_message("lookups")), json.dumps(schema_message("integrations"))]
    for n in range(size // 2):
        record = {"name": f"BENCH_{n:04d}", "columns": ["k", "v"], "rows": [[str(n), "x"]]}
        lines.append(json.dumps({"type": "RECORD", "stream": "lookups", "record": record}))
        code = f"BENCH_{n:04d}"
        (folder / f"{code}.iar").write_bytes(build_iar(IntegrationArchiveSpec(code, "01.00.0000")))
        record = {"code": code, "version": "01.00.0000", "archive_path": f"{code}.iar"}
        lines.append(json.dumps({"type": "RECORD", "stream": "integrations", "record": record}))
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,100,400")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    rows = []
    with EmulatorServer() as server:
        for size in (int(s) for s in args.sizes.split(",")):
            server.reset()
            with tempfile.TemporaryDirectory() as tmp:
                folder = Path(tmp)
                lines = release(size, folder)
                config = {
                    "base_url": server.url,
                    "oauth_client_id": server.config.client_id,
                    "oauth_client_secret": server.config.client_secret,
                    "oauth_token_url": server.token_url,
                    "archive_directory": str(folder),
                    "state_path": str(folder / "ledger.json"),
                }
                server.reset_stats()
                assert run_target(config, lines).ok
                first = server.stats()
                server.reset_stats()
                assert run_target(config, lines).ok
                again = server.stats()
            pages = math.ceil(size / 2 / 100)
            minimal = 1 + size + 3 * pages
            requests = first["reads"] + first["writes"] + first["token_requests"]
            goal = 2 * math.ceil(size / 200) + 4
            rows.append((size, requests, minimal, requests / minimal, again["reads"], goal, again["writes"]))
    table(
        "HTTP requests of a first deploy and of an unchanged re-run",
        ["N", "first deploy", "minimal", "ratio", "goal", "re-run reads", "goal", "re-run writes", "verdict"],
        [
            [
                size,
                requests,
                minimal,
                ratio,
                "<= 1.10",
                reads,
                f"<= {goal}",
                writes,
                verdict(ratio <= 1.10 and reads <= goal and writes == 0),
            ]
            for size, requests, minimal, ratio, reads, goal, writes in rows
        ],
    )


if __name__ == "__main__":
    main()
