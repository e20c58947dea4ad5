"""A release promoted to a fleet: ten OIC instances (ten emulator processes, as ten OICs are ten servers)
deployed at once, each deploy in its own process (as ten Airflow workers would run the fleet DAG's
mapped tasks), against the same release to one instance. Every API request answers 20 ms late, each
activation takes 1 s, 8 requests in flight per deploy; the release is N/2 lookups of 10 rows and N/2
integrations, activated (`scale.py`'s release).

Goal (issue 23): the fleet's wall time <= 1.5 x one instance's. On this 2-core machine the ten emulators
and ten deploys share the cores, so the figure includes that contention; the per-deploy median says
how much of it each instance felt.

Run: `.venv/bin/python benchmarks/fleet.py [--instances 10] [--size 100]`
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import psutil
from harness import Emulator, emulator, table, verdict
from scale import ACTIVATION_S, LATENCY_MS, THREADS, deploy_config, write_release

HERE = Path(__file__).resolve().parent


def start(folder: Path, server: Emulator, release: Path, name: str) -> subprocess.Popen[str]:
    """One deploy of `release` to `server` in its own process, its ledger in `folder/name`."""
    state = folder / name
    state.mkdir()
    server.latency(LATENCY_MS)
    config = deploy_config(server, folder, state)
    config_path = state / "config.json"
    config_path.write_text(json.dumps(config))
    command = [sys.executable, str(HERE / "scale.py"), "--child", str(config_path), str(release)]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(process: subprocess.Popen[str]) -> dict[str, float]:
    """The deploy's own wall time and CPU seconds, once its process ends."""
    out, err = process.communicate()
    if process.returncode != 0:
        raise SystemExit(err[-3000:])
    return json.loads(out.strip().splitlines()[-1])


@dataclass
class Fleet:
    """One promotion to `instances` OICs at once: its wall time, each deploy's, and the CPU it all took."""

    instances: int
    wall: float
    deploys: list[float]
    cpu: float


def run(instances: int, size: int) -> Fleet:
    """Deploy the release to `instances` OICs at once."""
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        folder = Path(tmp)
        release = write_release(folder, size)
        servers = [
            stack.enter_context(emulator("--activation-delay", str(ACTIVATION_S))) for _ in range(instances)
        ]
        before = sum(_cpu(s) for s in servers)
        started = time.perf_counter()
        processes = [start(folder, s, release, f"oic-{n}") for n, s in enumerate(servers)]
        results = [finish(p) for p in processes]
        wall = time.perf_counter() - started
        cpu = sum(r["cpu"] for r in results) + sum(_cpu(s) for s in servers) - before
        return Fleet(instances, wall, [r["wall"] for r in results], cpu)


def _cpu(server: Emulator) -> float:
    times = psutil.Process(server.process.pid).cpu_times()
    return times.user + times.system


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=10)
    parser.add_argument("--size", type=int, default=100)
    args = parser.parse_args()
    runs = [run(1, args.size), run(args.instances, args.size)]
    cores = os.cpu_count() or 1
    table(
        f"fleet: {args.size} artifacts to 1 and to {args.instances} OIC instances at once, "
        f"{LATENCY_MS:.0f} ms a request, {ACTIVATION_S:.0f} s an activation, {THREADS} in flight each",
        ("instances", "wall s", "deploy s (median)", "deploy s (slowest)", "CPU s (deploys + emulators)"),
        [(f.instances, f.wall, statistics.median(f.deploys), max(f.deploys), f.cpu) for f in runs],
    )
    one, fleet = runs
    ratio = fleet.wall / one.wall
    # With every core busy the fleet cannot end sooner than its CPU seconds spread over the cores.
    floor = max(one.wall, fleet.cpu / cores) / one.wall
    table(
        "fleet goal (issue 23)",
        ("figure", "measured", "goal", "verdict"),
        [
            (f"{args.instances}-instance fleet / one instance, wall", ratio, "<= 1.5", verdict(ratio <= 1.5)),
            (f"the same, lowest {cores} core(s) allow", floor, "", ""),
        ],
    )


if __name__ == "__main__":
    main()
