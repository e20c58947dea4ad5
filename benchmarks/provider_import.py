"""Import cost of each provider module on top of `import airflow.sdk` (target: < 0.3 s), median of fresh processes.

Run: `.venv/bin/python benchmarks/provider_import.py [--repeat 5]`
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys

MODULES = [
    "airflow_provider_oracle_oic.hooks.oic",
    "airflow_provider_oracle_oic.operators.activate",
    "airflow_provider_oracle_oic.sensors.activation",
    "airflow_provider_oracle_oic.triggers.activation",
    "airflow_provider_oracle_oic.operators.singer_to_oic",
]
PROBE = (
    "import time; t0 = time.perf_counter(); import airflow.sdk; t1 = time.perf_counter(); "
    "import {module}; t2 = time.perf_counter(); print(t1 - t0, t2 - t1)"
)


def measure(module: str, repeat: int) -> tuple[float, float]:
    base, extra = [], []
    for _ in range(repeat):
        done = subprocess.run(
            [sys.executable, "-c", PROBE.format(module=module)], capture_output=True, text=True, check=True
        )
        sdk, cost = map(float, done.stdout.split())
        base.append(sdk)
        extra.append(cost)
    return statistics.median(base), statistics.median(extra)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(f"{'module (imported alone after airflow.sdk)':<55}{'airflow.sdk s':>14}{'on top s':>10}")
    worst = 0.0
    for module in MODULES:
        sdk, cost = measure(module, args.repeat)
        worst = max(worst, cost)
        print(f"{module:<55}{sdk:>14.3f}{cost:>10.3f}")
    print(
        f"worst on top of airflow.sdk: {worst:.3f} s (target < 0.3 s: {'met' if worst < 0.3 else 'NOT MET'})"
    )


if __name__ == "__main__":
    main()
