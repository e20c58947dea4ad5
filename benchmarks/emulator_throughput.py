"""How fast the emulator answers `GET /integrations` (a page of 100 of 300) to 8 client threads.

The emulator runs in its own process; each thread has its own `requests` session and token. Reported,
not judged (issue 12 asks for the figures): requests per second, median and 99th-percentile latency.

Run: `.venv/bin/python benchmarks/emulator_throughput.py [--seconds 10] [--threads 8]`
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time

import requests
from harness import emulator, table

API = "/ic/api/integration/v1"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    with emulator() as server:
        server.control(
            "POST",
            "/seed",
            {"integrations": [{"code": f"THRU_{n:03d}", "version": "01.00.0000"} for n in range(300)]},
        )
        config = server.target_config()
        latencies: list[list[float]] = [[] for _ in range(args.threads)]
        deadline = time.perf_counter() + args.seconds
        start = threading.Barrier(args.threads)

        def hammer(mine: list[float]) -> None:
            session = requests.Session()
            token = session.post(
                server.token_url,
                data={"grant_type": "client_credentials", "scope": "urn:opc:resource:consumer::all"},
                auth=(config["oauth_client_id"], config["oauth_client_secret"]),
                timeout=30,
            ).json()["access_token"]
            session.headers["Authorization"] = f"Bearer {token}"
            start.wait()
            while time.perf_counter() < deadline:
                sent = time.perf_counter()
                session.get(f"{server.url}{API}/integrations", timeout=30).raise_for_status()
                mine.append(time.perf_counter() - sent)

        threads = [threading.Thread(target=hammer, args=(mine,)) for mine in latencies]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    every = sorted(x for mine in latencies for x in mine)
    table(
        f"Emulator GET /integrations (300 held, pages of 100), {args.threads} client threads, "
        f"{args.seconds:.0f} s",
        ["requests", "req/s", "p50 ms", "p99 ms"],
        [
            [
                len(every),
                len(every) / args.seconds,
                statistics.median(every) * 1000,
                every[int(len(every) * 0.99) - 1] * 1000,
            ]
        ],
    )


if __name__ == "__main__":
    main()
