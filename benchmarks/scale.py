"""Scale of one run: a release of N artifacts (N/2 lookups of 10 rows + N/2 integrations, all activated)
to an emulator (its own process) answering every API request 20 ms late and keeping each activation in
progress 1 s, 8 requests in flight. Measured for N = 200 and 2,000: the first deploy's wall time and
peak memory (each deploy in its own process, `ru_maxrss`), an unchanged re-run's reads and wall time,
and a bare `requests` loop doing the same writes, activations and status polls (writes 8 at a time,
then the activations, then the listing polled until every integration is ACTIVATED). Also the CLI's
start-up: `target-oracle-oic --about`, and a run with a config and empty input.

Goals (issue 23): first deploy of 2,000 <= 1.3 x the loop; wall growth 200 -> 2,000 <= 10.5 x; unchanged
re-run of 2,000 <= 25 reads and <= 2 s; peak memory growth 200 -> 2,000 <= 64 MiB; `--about` <= 0.5 s.

Run: `.venv/bin/python benchmarks/scale.py [--sizes 200,2000]`
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
from harness import Emulator, emulator, table, verdict

LATENCY_MS = 20.0
ACTIVATION_S = 1.0
THREADS = 8
API = "/ic/api/integration/v1"
HERE = Path(__file__).resolve().parent


def write_release(folder: Path, size: int) -> Path:
    """The release as Singer lines in `folder/input.jsonl` (archives beside it)."""
    from airflow_provider_oracle_oic.emulator.builders import IntegrationArchiveSpec, build_iar
    from airflow_provider_oracle_oic.singer.schemas import schema_message

    lines = [json.dumps(schema_message("lookups")), json.dumps(schema_message("integrations"))]
    for n in range(size // 2):
        name = f"SCALE_{n:04d}"
        rows = [[f"k{r}", f"v{r}"] for r in range(10)]
        lines.append(
            json.dumps(
                {
                    "type": "RECORD",
                    "stream": "lookups",
                    "record": {"name": name, "columns": ["k", "v"], "rows": rows},
                }
            )
        )
        (folder / f"{name}.iar").write_bytes(build_iar(IntegrationArchiveSpec(name, "01.00.0000")))
        record = {"code": name, "version": "01.00.0000", "archive_path": f"{name}.iar", "activate": True}
        lines.append(json.dumps({"type": "RECORD", "stream": "integrations", "record": record}))
    path = folder / "input.jsonl"
    path.write_text("\n".join(lines) + "\n")
    return path


def deploy_config(server: Emulator, archives: Path, state: Path) -> dict:
    """The benchmark's target settings: archives in `archives`, ledger and backups in `state`."""
    return server.target_config(
        archive_directory=str(archives),
        state_path=str(state / "ledger.json"),
        backup_directory=str(state / "backups"),
        max_concurrency=THREADS,
        activation_poll_interval=0.5,
        activation_timeout=600,
    )


def child(config_path: str, input_path: str) -> None:
    """One deploy in this process; prints its wall time, peak memory and CPU seconds (start-up included) as
    JSON."""
    import logging

    from airflow_provider_oracle_oic.singer.inprocess import run_target

    logging.disable(logging.INFO)
    config = json.loads(Path(config_path).read_text())
    lines = Path(input_path).read_text().splitlines(keepends=True)
    started = time.perf_counter()
    result = run_target(config, lines)
    wall = time.perf_counter() - started
    assert result.ok, result.summary()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(
        json.dumps(
            {"wall": wall, "maxrss_mib": usage.ru_maxrss / 1024, "cpu": usage.ru_utime + usage.ru_stime}
        )
    )


def deploy(config: dict, folder: Path, release: Path) -> dict:
    config_path = folder / "config.json"
    config_path.write_text(json.dumps(config))
    done = subprocess.run(
        [sys.executable, __file__, "--child", str(config_path), str(release)], capture_output=True, text=True
    )
    if done.returncode != 0:
        raise SystemExit(done.stderr[-3000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def bare_loop(server: Emulator, folder: Path, size: int) -> float:
    """The same writes, activations and status polls with nothing but `requests`."""
    session = requests.Session()
    session.mount("http://", requests.adapters.HTTPAdapter(pool_maxsize=THREADS))
    token = session.post(
        server.token_url,
        data={"grant_type": "client_credentials", "scope": "x"},
        auth=("oic-emulator-client", "oic-emulator-secret"),
        timeout=30,
    ).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    names = [f"SCALE_{n:04d}" for n in range(size // 2)]

    def lookup(name: str) -> None:
        body = {
            "name": name,
            "columns": ["k", "v"],
            "rows": [{"rowData": [f"k{r}", f"v{r}"]} for r in range(10)],
        }
        session.post(f"{server.url}{API}/lookups", json=body, headers=headers, timeout=60).raise_for_status()

    def integration(name: str) -> None:
        with (folder / f"{name}.iar").open("rb") as handle:
            session.post(
                f"{server.url}{API}/integrations/archive",
                files={"file": (f"{name}.iar", handle, "application/octet-stream")},
                headers=headers,
                timeout=60,
            ).raise_for_status()

    def activate(name: str) -> None:
        session.post(
            f"{server.url}{API}/integrations/{name}%7C01.00.0000",
            json={"status": "ACTIVATED"},
            headers={**headers, "X-HTTP-Method-Override": "PATCH"},
            timeout=60,
        ).raise_for_status()

    started = time.perf_counter()
    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(lookup, names))
        list(pool.map(integration, names))
        list(pool.map(activate, names))
    pending = set(names)
    while pending:
        offset = 0
        while True:
            page = session.get(
                f"{server.url}{API}/integrations",
                params={"limit": 100, "offset": offset},
                headers=headers,
                timeout=60,
            ).json()
            pending -= {i["code"] for i in page.get("items", []) if i.get("status") == "ACTIVATED"}
            if not page.get("hasMore"):
                break
            offset += 100
        if pending:
            time.sleep(0.5)
    return time.perf_counter() - started


def startup(*arguments: str) -> float:
    """The best of three wall times of `target-oracle-oic ARGUMENTS` with empty input."""
    target = Path(sys.executable).parent / "target-oracle-oic"
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        subprocess.run([str(target), *arguments], input=b"", capture_output=True, check=True)
        best = min(best, time.perf_counter() - started)
    return best


def empty_run() -> float:
    """A run of the CLI with a config and empty input (it deploys nothing)."""
    with tempfile.TemporaryDirectory() as tmp, emulator() as server:
        config = Path(tmp) / "config.json"
        config.write_text(json.dumps(deploy_config(server, Path(tmp), Path(tmp))))
        return startup("--config", str(config))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="200,2000")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    figures = {}
    for size in sizes:
        with (
            tempfile.TemporaryDirectory() as tmp,
            emulator("--activation-delay", str(ACTIVATION_S)) as server,
        ):
            folder = Path(tmp)
            release = write_release(folder, size)
            server.latency(LATENCY_MS)
            config = deploy_config(server, folder, folder)
            first = deploy(config, folder, release)
            server.control("POST", "/stats/reset")
            rerun = deploy(config, folder, release)
            stats = server.control("GET", "/stats")
            server.control("POST", "/reset")
            server.latency(LATENCY_MS)
            loop = bare_loop(server, folder, size)
        figures[size] = {
            **first,
            "loop": loop,
            "rerun_wall": rerun["wall"],
            "rerun_reads": stats["reads"],
            "rerun_writes": stats["writes"],
        }
        print(f"N={size}: {json.dumps(figures[size])}", flush=True)
    rows = [
        (
            n,
            f["wall"],
            f["loop"],
            f["wall"] / f["loop"],
            f["maxrss_mib"],
            f["rerun_reads"],
            f["rerun_writes"],
            f["rerun_wall"],
        )
        for n, f in figures.items()
    ]
    table(
        f"scale: N artifacts (N/2 lookups + N/2 integrations activated), {LATENCY_MS:.0f} ms a request, "
        f"{ACTIVATION_S:.0f} s an activation, {THREADS} in flight",
        ("N", "deploy s", "loop s", "ratio", "peak MiB", "re-run reads", "re-run writes", "re-run s"),
        rows,
    )
    small, large = figures[min(sizes)], figures[max(sizes)]
    about, empty = startup("--about"), empty_run()
    goals = [
        (
            "first deploy of the largest / bare loop",
            large["wall"] / large["loop"],
            "<= 1.3",
            large["wall"] / large["loop"] <= 1.3,
        ),
        (
            "wall growth smallest -> largest",
            large["wall"] / small["wall"],
            "<= 10.5",
            large["wall"] / small["wall"] <= 10.5,
        ),
        ("unchanged re-run of the largest: reads", large["rerun_reads"], "<= 25", large["rerun_reads"] <= 25),
        ("unchanged re-run of the largest: seconds", large["rerun_wall"], "<= 2", large["rerun_wall"] <= 2),
        (
            "peak memory growth, MiB",
            large["maxrss_mib"] - small["maxrss_mib"],
            "<= 64",
            large["maxrss_mib"] - small["maxrss_mib"] <= 64,
        ),
        ("target-oracle-oic --about, s", about, "<= 0.5", about <= 0.5),
        ("target-oracle-oic with empty input, s", empty, "", ""),
    ]
    table(
        "scale goals (issue 23)",
        ("figure", "measured", "goal", "verdict"),
        [(g[0], g[1], g[2], verdict(g[3]) if g[2] else "") for g in goals],
    )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        sys.path.insert(0, str(HERE))
        child(sys.argv[2], sys.argv[3])
    else:
        main()
