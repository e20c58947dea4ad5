"""HTTP requests a deployment makes: a first deploy against the minimal set, and an unchanged re-run.

A release of N/2 lookups and N/2 integrations (none activated) goes to an empty emulator; the minimal set
is one token, one existence read and one write per artifact, and one read per imported integration (an
import answers 204 without the object, and the ledger needs its lastUpdated to notice drift later). The re-run of the same input must
write nothing; its reads are printed beside the goal of issue 12 (2 x ceil(N/200) + 4).

Run: `.venv/bin/python benchmarks/request_counts.py [--sizes 10,100]`
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import tempfile
from pathlib import Path

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
    parser.add_argument("--sizes", default="10,100")
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
            minimal = 1 + 2 * size + size // 2
            requests = first["reads"] + first["writes"] + first["token_requests"]
            goal = 2 * math.ceil(size / 200) + 4
            rows.append((size, requests, minimal, requests / minimal, again["reads"], goal, again["writes"]))
    print(
        f"{'N':>5} {'first deploy':>13} {'minimal':>8} {'ratio':>6} {'re-run reads':>13} {'goal':>5} {'re-run writes':>14}"
    )
    for size, requests, minimal, ratio, reads, goal, writes in rows:
        print(f"{size:>5} {requests:>13} {minimal:>8} {ratio:>6.2f} {reads:>13} {goal:>5} {writes:>14}")
    print("goals (issue 12): first deploy / minimal <= 1.10; re-run reads <= 2 x ceil(N/200) + 4; writes 0")


if __name__ == "__main__":
    main()
