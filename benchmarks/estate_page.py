"""The estate page's answer time: 500 integrations (all deployed by this tool, so each has a ledger
entry the drift rule reads) and 100 lookups on each of 5 OIC instances, served by one emulator process
(`--instances`). Measured: a cold read (every instance read at once, listings plus one read per ledger
entry) through building the matrix and rendering the page; then a warm one (the 30 s cache).
Goal (issue 25): the page answers within 2 s.

Run: `.venv/bin/python benchmarks/estate_page.py [--integrations 500] [--instances 5]`
"""

from __future__ import annotations

import argparse
import time

from harness import emulator, table, verdict

from airflow_provider_oracle_oic.emulator.config import EmulatorConfig
from airflow_provider_oracle_oic.estate.model import Instance, build_estate
from airflow_provider_oracle_oic.estate.page import render
from airflow_provider_oracle_oic.estate.reader import EstateReader
from airflow_provider_oracle_oic.oic import OICClient, OICConfig

GOAL_S = 2.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--integrations", type=int, default=500)
    parser.add_argument("--instances", type=int, default=5)
    args = parser.parse_args()
    names = [f"oic-{n}" for n in range(1, args.instances + 1)]
    defaults = EmulatorConfig()
    with emulator("--instances", ",".join(names)) as oic:
        configs, ledgers = {}, {}
        for name in names:
            oic.control(
                "POST",
                f"/seed?instance={name}",
                {
                    "integrations": [
                        {"code": f"INT_{n:04d}", "version": "01.00.0000", "status": "ACTIVATED"}
                        for n in range(args.integrations)
                    ],
                    "lookups": [
                        {"name": f"LOOKUP_{n:03d}", "columns": ["k", "v"], "rows": [["1", "x"]]}
                        for n in range(100)
                    ],
                },
            )
            configs[name] = OICConfig(
                base_url=oic.url,
                client_id=defaults.client_id,
                client_secret=defaults.client_secret,
                token_url=oic.token_url,
                integration_instance=name,
            )
            with OICClient(configs[name]) as client:
                entries = {
                    f"integrations:{i.id}": {
                        "fingerprint": "sha256:bench",
                        "last_updated": i.last_updated,
                        "status": "ACTIVATED",
                        "dag_id": "promote",
                        "dag_run_id": "scheduled__2026-12-03",
                        "task_id": "deploy",
                        "deployed_at": "2026-12-03T10:00:00+00:00",
                    }
                    for i in client.integrations.list()
                }
            ledgers[name] = {"instances": {name: entries}}
        instances = [Instance(oic.url, name, (f"oic_{name}",)) for name in names]
        reader = EstateReader(ttl=30)
        rows = []
        for label in ("cold (every instance read)", "warm (cached answers)"):
            started = time.perf_counter()
            states = reader.read(instances, lambda i: configs[i.key], lambda i: ledgers[i.key])
            estate = build_estate(instances, states)
            page = render(estate)
            elapsed = time.perf_counter() - started
            assert not [s.error for s in states.values() if s.error], states
            rows.append(
                (label, len(estate.rows), len(page) // 1024, elapsed, GOAL_S, verdict(elapsed <= GOAL_S))
            )
    table(
        f"estate page: {args.integrations} integrations + 100 lookups on each of {args.instances} instances",
        ("read", "rows", "page KiB", "seconds", "goal s", "verdict"),
        rows,
    )


if __name__ == "__main__":
    main()
