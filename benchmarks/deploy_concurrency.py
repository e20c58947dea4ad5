"""Wall time of deploying 40 lookups with 100 ms of injected latency per request, at max_concurrency 1 vs 8.

Run: `.venv/bin/python benchmarks/deploy_concurrency.py [--lookups 40] [--latency-ms 100]`
"""

from __future__ import annotations

import argparse
import json
import logging
import time

from airflow_provider_oracle_oic.emulator import EmulatorServer
from airflow_provider_oracle_oic.singer.inprocess import run_target
from airflow_provider_oracle_oic.singer.schemas import schema_message


def lines(count: int) -> list[str]:
    records = [
        {
            "type": "RECORD",
            "stream": "lookups",
            "record": {"name": f"BENCH_{n:03d}", "columns": ["k", "v"], "rows": [[str(n), "x"]]},
        }
        for n in range(count)
    ]
    return [json.dumps(schema_message("lookups")), *(json.dumps(r) for r in records)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lookups", type=int, default=40)
    parser.add_argument("--latency-ms", type=float, default=100.0)
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    timings: dict[int, float] = {}
    with EmulatorServer() as server:
        config = {
            "base_url": server.url,
            "oauth_client_id": server.config.client_id,
            "oauth_client_secret": server.config.client_secret,
            "oauth_token_url": server.token_url,
        }
        for concurrency in (1, 8):
            server.reset()
            server.set_faults([{"route": "/ic/api/*", "latency_ms": args.latency_ms}])
            started = time.perf_counter()
            result = run_target({**config, "max_concurrency": concurrency}, lines(args.lookups))
            timings[concurrency] = time.perf_counter() - started
            if not result.ok or len(result.results) != args.lookups:
                raise SystemExit(f"deployment failed at max_concurrency {concurrency}:\n{result.summary()}")
            requests = sum(server.stats()["requests"].values())
            print(f"max_concurrency {concurrency}: {requests} API requests", flush=True)
    speedup = timings[1] / timings[8]
    print(f"{'max_concurrency':<16}{'lookups':>8}{'latency ms':>12}{'seconds':>10}")
    for concurrency, seconds in timings.items():
        print(f"{concurrency:<16}{args.lookups:>8}{args.latency_ms:>12.0f}{seconds:>10.2f}")
    print(f"speed-up 8 vs 1: {speedup:.1f}x (target >= 4x: {'met' if speedup >= 4 else 'NOT MET'})")


if __name__ == "__main__":
    main()
