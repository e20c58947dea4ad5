"""Peak RSS growth of the client process while it uploads a large `.iar` (target: < 50 MB for 200 MB).

The emulator runs in a separate process so only the client's memory is measured.
Run: `.venv/bin/python benchmarks/upload_memory.py [--size-mb 200]`
"""

from __future__ import annotations

import argparse
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from airflow_provider_oracle_oic.oic import OICClient, OICConfig

READY = re.compile(r"listening on (http://\S+)")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def start_emulator(max_mb: int) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "airflow_provider_oracle_oic.emulator.cli",
            "--port",
            "0",
            "--max-archive-mb",
            str(max_mb),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    match = READY.search(process.stdout.readline())
    if match is None:
        raise SystemExit("the emulator did not start")
    return process, match.group(1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        archive = Path(scratch) / "LARGE_01.00.0000.iar"
        subprocess.run(
            [
                sys.executable,
                "-c",
                "import sys; from pathlib import Path; from airflow_provider_oracle_oic.emulator.builders import "
                f"write_large_iar; write_large_iar(Path(sys.argv[1]), 'LARGE', '01.00.0000', {args.size_mb} << 20)",
                str(archive),
            ],
            check=True,
        )
        size_mb = archive.stat().st_size / (1 << 20)
        emulator, url = start_emulator(args.size_mb * 2)
        try:
            config = OICConfig(
                url,
                "oic-emulator-client",
                "oic-emulator-secret",
                f"{url}/oauth2/v1/token",
                request_timeout=600,
            )
            with OICClient(config) as client:
                client.integrations.list()
                baseline = peak_rss_mb()
                started = time.perf_counter()
                client.integrations.import_archive(archive)
                upload_s = time.perf_counter() - started
                after_upload = peak_rss_mb()
                started = time.perf_counter()
                client.integrations.export("LARGE|01.00.0000", Path(scratch) / "back.iar")
                export_s = time.perf_counter() - started
                after_export = peak_rss_mb()
        finally:
            emulator.terminate()
            emulator.wait(timeout=30)
    rows = [
        ("archive size (MB)", f"{size_mb:.1f}"),
        ("client peak RSS before (MB)", f"{baseline:.1f}"),
        ("peak RSS growth during upload (MB)", f"{after_upload - baseline:.1f}"),
        ("peak RSS growth during export (MB)", f"{after_export - after_upload:.1f}"),
        ("upload time (s)", f"{upload_s:.2f}"),
        ("export time (s)", f"{export_s:.2f}"),
        ("target: growth < 50 MB", "met" if after_export - baseline < 50 else "NOT MET"),
    ]
    width = max(len(name) for name, _ in rows)
    print(f"{'measure':<{width}}  value")
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


if __name__ == "__main__":
    main()
