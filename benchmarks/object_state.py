"""Run state in object storage against run state on the local disk: the first deploy and an unchanged
re-run of N artifacts (N/2 lookups of 10 rows + N/2 integrations, all activated), OIC answering every API
request 20 ms late with 1 s activations, 8 requests in flight; the storage is moto's S3 server on
127.0.0.1 answering every request 20 ms late too (a nearby region). Counts the storage's requests by kind.

Goal (ours, issue 23): a first deploy with `state_path` and `backup_directory` in object storage <= 1.5 x
the same run with both on the local disk.

Run: `.venv/bin/python benchmarks/object_state.py [--size 200]`
"""

from __future__ import annotations

import argparse
import collections
import os
import socket
import tempfile
import threading
import time
from pathlib import Path

from harness import emulator, table, verdict
from scale import ACTIVATION_S, LATENCY_MS, deploy, deploy_config, write_release

STORAGE_MS = 20.0
BUCKET = "oic-state"


class SlowS3:
    """moto's S3 server on a free loopback port, every request held `STORAGE_MS`, counted by kind."""

    def __init__(self) -> None:
        from moto.moto_server.werkzeug_app import (
            DomainDispatcherApplication,
            MotoRequestHandler,
            create_backend_app,
        )
        from werkzeug.serving import make_server

        app = DomainDispatcherApplication(create_backend_app)
        self.counts: collections.Counter[str] = collections.Counter()

        def slow(environ, start_response):
            time.sleep(STORAGE_MS / 1000)
            query = environ.get("QUERY_STRING", "")
            kind = (
                "LIST"
                if "list-type" in query
                else "DELETE"
                if "delete" in query
                else environ["REQUEST_METHOD"]
            )
            self.counts[kind] += 1
            return app(environ, start_response)

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.server = make_server("127.0.0.1", port, slow, threaded=True, request_handler=MotoRequestHandler)
        self.url = f"http://127.0.0.1:{port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def take(self) -> dict[str, int]:
        counts, self.counts = dict(self.counts), collections.Counter()
        return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=200)
    args = parser.parse_args()
    storage = SlowS3()
    os.environ.update(
        AWS_ACCESS_KEY_ID="bench",
        AWS_SECRET_ACCESS_KEY="bench-secret",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_ENDPOINT_URL=storage.url,
    )
    import boto3

    boto3.client("s3", endpoint_url=storage.url).create_bucket(Bucket=BUCKET)
    rows, figures = [], {}
    for where in ("local disk", "object storage"):
        with (
            tempfile.TemporaryDirectory() as tmp,
            emulator("--activation-delay", str(ACTIVATION_S)) as server,
        ):
            folder = Path(tmp)
            release = write_release(folder, args.size)
            server.latency(LATENCY_MS)
            config = deploy_config(server, folder, folder)
            if where == "object storage":
                config.update(
                    state_path=f"s3://{BUCKET}/prod/ledger.json", backup_directory=f"s3://{BUCKET}/backups"
                )
            storage.take()
            cpu = time.process_time()
            first = deploy(config, folder, release)
            storage_cpu = time.process_time() - cpu
            first_requests = storage.take()
            rerun = deploy(config, folder, release)
            rerun_requests = storage.take()
        figures[where] = first["wall"]
        rows.append(
            (
                where,
                first["wall"],
                first["cpu"],
                storage_cpu,
                _counts(first_requests),
                rerun["wall"],
                _counts(rerun_requests),
            )
        )
    table(
        f"run state: N={args.size} ({LATENCY_MS:.0f} ms an OIC request, {STORAGE_MS:.0f} ms a storage request)",
        (
            "state",
            "first deploy s",
            "its CPU s",
            "storage CPU s",
            "storage requests",
            "re-run s",
            "storage requests",
        ),
        rows,
    )
    ratio = figures["object storage"] / figures["local disk"]
    table(
        "object-storage state goal (ours)",
        ("figure", "measured", "goal", "verdict"),
        [("first deploy, object storage / local disk", ratio, "<= 1.5", verdict(ratio <= 1.5))],
    )


def _counts(counts: dict[str, int]) -> str:
    return " ".join(f"{k}:{v}" for k, v in sorted(counts.items())) or "none"


if __name__ == "__main__":
    main()
