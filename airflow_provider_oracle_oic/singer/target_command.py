"""The `target-oracle-oic` command: `--about` from its snapshot without importing singer-sdk, the rest
by the target (start-up time, docs/performance.md)."""

from __future__ import annotations

import sys

from . import about


def main() -> None:
    """Run `target-oracle-oic` with the command line's arguments."""
    wanted = about.requested_format(sys.argv[1:])
    text = about.saved(wanted) if wanted else None
    if text is not None:
        print(text)
        sys.exit(0)
    from .target import cli

    cli()
