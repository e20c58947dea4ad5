"""Wall time of a deployment against a bare `requests` loop doing the same writes, side by side.

The release: 40 lookups of 20 rows and 20 `.iar` files, to an emulator (its own process) that answers
every API request 20 ms late. The loop gets one token, then per artifact makes one existence GET and one
write, with as many threads as the target's `max_concurrency`. Goals (issue 12): target / loop <= 1.10
in-process at k = 1 and k = 8, <= 1.20 through the CLI at k = 1 (the loop then runs as its own process
too). Each pair is measured alternately, best of `--repeat`.

Run: `.venv/bin/python benchmarks/wall_time.py [--repeat 3]`
"""

from __future__ import annotations

import argparse
import json
import logging
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bare_loop import INTEGRATIONS, LOOKUPS, ROWS, bare_loop
from harness import Emulator, emulator, table, verdict

from airflow_provider_oracle_oic.emulator.builders import IntegrationArchiveSpec, build_iar
from airflow_provider_oracle_oic.singer.inprocess import run_target
from airflow_provider_oracle_oic.singer.schemas import schema_message

LATENCY_MS = 20.0


def release(folder: Path) -> list[str]:
    """The Singer lines of the release; the `.iar` files are written to `folder`."""
    lines = [json.dumps(schema_message("lookups")), json.dumps(schema_message("integrations"))]
    for n in range(LOOKUPS):
        rows = [[f"k{r}", f"v{r}"] for r in range(ROWS)]
        record = {"name": f"WALL_{n:03d}", "columns": ["k", "v"], "rows": rows}
        lines.append(json.dumps({"type": "RECORD", "stream": "lookups", "record": record}))
    for n in range(INTEGRATIONS):
        code = f"WALL_{n:03d}"
        (folder / f"{code}.iar").write_bytes(build_iar(IntegrationArchiveSpec(code, "01.00.0000")))
        record = {"code": code, "version": "01.00.0000", "archive_path": f"{code}.iar"}
        lines.append(json.dumps({"type": "RECORD", "stream": "integrations", "record": record}))
    return lines


def timed(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def fresh(server: Emulator) -> None:
    server.control("POST", "/reset")
    server.latency(LATENCY_MS)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    rows = []
    with tempfile.TemporaryDirectory() as tmp, emulator() as server:
        folder = Path(tmp)
        lines = release(folder)
        config = server.target_config(archive_directory=str(folder))
        client_id, secret = config["oauth_client_id"], config["oauth_client_secret"]
        for k in (1, 8):
            target, loop = [], []
            for _ in range(args.repeat):
                fresh(server)
                loop.append(timed(lambda k=k: bare_loop(server.url, client_id, secret, folder, k)))
                fresh(server)
                result = None

                def deploy(k: int = k) -> None:
                    nonlocal result
                    result = run_target({**config, "max_concurrency": k}, lines)

                target.append(timed(deploy))
                if result is None or not result.ok:
                    raise SystemExit(f"the deployment failed:\n{result and result.summary()}")
            rows.append([f"in-process, k = {k}", min(target), min(loop), min(target) / min(loop), 1.10])
        config_path = folder / "config.json"
        config_path.write_text(json.dumps({**config, "max_concurrency": 1}))
        input_path = folder / "release.jsonl"
        input_path.write_text("\n".join(lines) + "\n")
        target, loop = [], []
        for _ in range(args.repeat):
            fresh(server)
            loop.append(timed(lambda: _loop_process(server, client_id, secret, folder)))
            fresh(server)
            target.append(timed(lambda: _target_process(config_path, input_path)))
        rows.append(["CLI, k = 1", min(target), min(loop), min(target) / min(loop), 1.20])
    table(
        f"Deploy {LOOKUPS} lookups ({ROWS} rows) + {INTEGRATIONS} .iar, {LATENCY_MS:.0f} ms per request "
        f"(best of {args.repeat})",
        ["run", "target s", "bare loop s", "ratio", "goal", "verdict"],
        [[*row[:4], f"<= {row[4]:.2f}", verdict(row[3] <= row[4])] for row in rows],
    )


def _target_process(config_path: Path, input_path: Path) -> None:
    with input_path.open() as lines:
        subprocess.run(
            [Path(sys.executable).with_name("target-oracle-oic"), "--config", str(config_path)],
            stdin=lines,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=True,
        )


def _loop_process(server: Emulator, client_id: str, secret: str, folder: Path) -> None:
    code = (
        "import sys; from pathlib import Path; sys.path.insert(0, sys.argv[1]); import wall_time; "
        "wall_time.bare_loop(sys.argv[2], sys.argv[3], sys.argv[4], Path(sys.argv[5]), 1)"
    )
    here = str(Path(__file__).parent)
    subprocess.run([sys.executable, "-c", code, here, server.url, client_id, secret, str(folder)], check=True)


if __name__ == "__main__":
    main()
