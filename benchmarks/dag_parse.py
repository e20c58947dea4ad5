"""What parsing an example DAG costs on top of `import airflow.sdk`, median of fresh processes.

Each probe imports `airflow.sdk` and what every scheduled DAG file touches (`DAG`, `BaseOperator`,
`BaseSensorOperator`, `Param`, the timetables), then times running the DAG file: our provider
modules plus building the DAG. Goal (issue 12): < 50 ms. The import of each provider module alone is listed too.

Run: `.venv/bin/python benchmarks/dag_parse.py [--repeat 5]`
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
from pathlib import Path

from harness import table, verdict

DAGS = sorted((Path(__file__).parent.parent / "example_dags").glob("*.py"))
MODULES = [
    "airflow_provider_oracle_oic.hooks.oic",
    "airflow_provider_oracle_oic.operators.activate",
    "airflow_provider_oracle_oic.operators.canary",
    "airflow_provider_oracle_oic.operators.deployment",
    "airflow_provider_oracle_oic.operators.drift",
    "airflow_provider_oracle_oic.operators.restore",
    "airflow_provider_oracle_oic.operators.singer_to_oic",
    "airflow_provider_oracle_oic.sensors.activation",
    "airflow_provider_oracle_oic.triggers.activation",
]
WARM = (
    "import time; t0 = time.perf_counter(); import airflow.sdk; "
    "from airflow.sdk import DAG, BaseOperator, BaseSensorOperator, Param; "
    "import airflow.timetables.base, airflow.sdk.definitions.timetables.interval; "
    "import airflow.sdk.definitions.timetables.trigger; t1 = time.perf_counter(); "
)
PARSE = WARM + "import runpy; runpy.run_path({path!r}); print(t1 - t0, time.perf_counter() - t1)"
IMPORT = WARM + "import {module}; print(t1 - t0, time.perf_counter() - t1)"


def median_cost(code: str, repeat: int) -> float:
    costs = []
    for _ in range(repeat):
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        costs.append(float(done.stdout.split()[-1]))
    return statistics.median(costs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    rows = []
    for dag in DAGS:
        ms = median_cost(PARSE.format(path=str(dag)), args.repeat) * 1000
        rows.append([f"parse {dag.name}", ms, "< 50", verdict(ms < 50)])
    for module in MODULES:
        ms = median_cost(IMPORT.format(module=module), args.repeat) * 1000
        rows.append([f"import {module}", ms, "", ""])
    table(
        f"On top of airflow.sdk, ms (median of {args.repeat} fresh processes)",
        ["what", "ms", "goal", "verdict"],
        rows,
    )


if __name__ == "__main__":
    main()
