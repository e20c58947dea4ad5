"""`oic-emulator`: serve a local OIC until SIGINT or SIGTERM."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from pathlib import Path

from .. import __version__
from .config import EmulatorConfig
from .errors import APIError
from .server import EmulatorServer
from .snapshot import load


def build_parser() -> argparse.ArgumentParser:
    defaults = EmulatorConfig()
    parser = argparse.ArgumentParser(
        prog="oic-emulator",
        description="A local Oracle Integration Cloud REST API for tests and demos (loopback only by default).",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument(
        "--port", type=int, default=8080, help="port to bind; 0 picks a free one (default 8080)"
    )
    names = parser.add_mutually_exclusive_group()
    names.add_argument("--instance", help="OIC 3 service instance name; then integrationInstance is required")
    names.add_argument(
        "--instances",
        help="several OIC 3 service instances in one process, comma-separated (e.g. dev,test,prod); "
        "integrationInstance picks one, the control plane takes ?instance=",
    )
    parser.add_argument(
        "--client-id", default=defaults.client_id, help="OAuth client id the token endpoint accepts"
    )
    parser.add_argument(
        "--client-secret",
        default=defaults.client_secret,
        help="OAuth client secret the token endpoint accepts",
    )
    parser.add_argument(
        "--token-ttl", type=float, default=defaults.token_ttl, help="token lifetime in seconds"
    )
    parser.add_argument(
        "--activation-delay",
        type=float,
        default=defaults.activation_delay,
        help="seconds an activation or deactivation stays in progress",
    )
    parser.add_argument(
        "--state-file", type=Path, help="persist state here (atomically) and restore it at start"
    )
    parser.add_argument("--seed", type=Path, help="JSON file of artifacts to load at start")
    parser.add_argument(
        "--max-archive-mb",
        type=int,
        default=defaults.max_archive_bytes >> 20,
        help="largest upload accepted, in MiB",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    config = EmulatorConfig(
        client_id=args.client_id,
        client_secret=args.client_secret,
        instance=args.instance,
        token_ttl=args.token_ttl,
        activation_delay=args.activation_delay,
        state_file=args.state_file,
        max_archive_bytes=args.max_archive_mb << 20,
    )
    try:
        instances = [n.strip() for n in args.instances.split(",")] if args.instances else None
        server = EmulatorServer(config, host=args.host, port=args.port, instances=instances)
        if args.seed is not None:
            with server.app.emu.store.write() as store:
                load(store, json.loads(args.seed.read_text()))
        server.start()
    except (APIError, OSError, ValueError) as exc:
        print(f"oic-emulator: cannot start: {exc}", file=sys.stderr)
        return 2
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    serving = f" (instances {', '.join(server.instances)})" if server.instances else ""
    print(f"oic-emulator listening on {server.url}{serving}", flush=True)
    stop.wait()
    server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
