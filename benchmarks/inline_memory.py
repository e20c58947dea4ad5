"""Peak memory of `target-oracle-oic` reading an `.iar` sent inline as `archive_base64`.

The target runs as its own process, once with a 64 MB archive inline and once with a tiny one; the
difference of their peak RSS is what the inline archive costs. Goal (issue 12): at most 3 x the
archive (the Singer line and its parsed string are unavoidable: about 2.7 x; the decoding itself goes
to disk in chunks).

Run: `.venv/bin/python benchmarks/inline_memory.py [--size-mb 64]`
"""

from __future__ import annotations

import argparse
import base64
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from harness import Emulator, emulator, table, verdict

from airflow_provider_oracle_oic.emulator.builders import IntegrationArchiveSpec, build_iar, write_large_iar
from airflow_provider_oracle_oic.singer.schemas import schema_message


def peak_rss_mb(server: Emulator, folder: Path, archive: bytes, code: str) -> float:
    """Peak RSS (MB) of one target process deploying `archive` inline."""
    config = folder / "config.json"
    config.write_text(json.dumps(server.target_config(request_timeout=600)))
    record = {"code": code, "version": "01.00.0000", "archive_base64": base64.b64encode(archive).decode()}
    lines = folder / "input.jsonl"
    with lines.open("w") as out:
        out.write(json.dumps(schema_message("integrations")) + "\n")
        out.write(json.dumps({"type": "RECORD", "stream": "integrations", "record": record}) + "\n")
    del record
    errors = folder / "stderr.txt"
    with lines.open() as stdin, errors.open("w") as stderr:
        process = subprocess.Popen(
            [Path(sys.executable).with_name("target-oracle-oic"), "--config", str(config)],
            stdin=stdin,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
        peak = 0
        # VmHWM, not the child's ru_maxrss: that one counts the pages the child shared with this
        # (large) process between fork and exec.
        while process.poll() is None:
            peak = max(peak, _high_water_kb(process.pid))
            time.sleep(0.02)
    if process.returncode != 0:
        raise SystemExit(f"the target failed: {errors.read_text()[-2000:]}")
    return peak / 1024


def _high_water_kb(pid: int) -> int:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    match = re.search(r"VmHWM:\s+(\d+)", status)
    return int(match.group(1)) if match else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=64)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, emulator("--max-archive-mb", str(args.size_mb * 2)) as server:
        folder = Path(tmp)
        large = write_large_iar(folder / "large.iar", "INLINE", "01.00.0000", args.size_mb << 20).read_bytes()
        small = build_iar(IntegrationArchiveSpec("INLINE", "01.00.0000"))
        baseline = peak_rss_mb(server, folder, small, "INLINE")
        server.control("POST", "/reset")
        peak = peak_rss_mb(server, folder, large, "INLINE")
    size = len(large) / (1 << 20)
    growth = peak - baseline
    table(
        f"Inline archive_base64 of {size:.0f} MB through the target CLI",
        ["figure", "MB", "goal", "verdict"],
        [
            ["peak RSS, tiny archive", baseline, "", ""],
            ["peak RSS, large archive", peak, "", ""],
            ["growth", growth, f"<= {3 * size:.0f} (3 x)", verdict(growth <= 3 * size)],
            ["growth / archive", growth / size, "", ""],
        ],
    )


if __name__ == "__main__":
    main()
