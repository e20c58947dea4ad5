"""`target-oracle-oic --about`, answered from a snapshot singer-sdk rendered (`make docs`), so it does
not import singer-sdk: that import is most of the command's start-up (docs/performance.md).

The snapshot is used only while the installed versions are the ones it was rendered with; otherwise
singer-sdk renders `--about` as always. A test fails when the snapshot and singer-sdk disagree.
"""

from __future__ import annotations

import json
from importlib import metadata
from pathlib import Path
from typing import Any

SNAPSHOT = Path(__file__).with_name("about.json")
FORMATS = ("text", "json", "markdown")
SDK = "singer-sdk"


def requested_format(arguments: list[str]) -> str | None:
    """The format `arguments` ask `--about` for, or None when they ask for anything more or else."""
    if "--about" not in arguments:
        return None
    rest = [a for a in arguments if a != "--about"]
    if not rest:
        return "text"
    if len(rest) == 2 and rest[0] == "--format":
        wanted = rest[1]
    elif len(rest) == 1 and rest[0].startswith("--format="):
        wanted = rest[0].removeprefix("--format=")
    else:
        return None
    wanted = wanted.lower()
    # singer-sdk's `--format` takes these two; plain text is `--about` alone.
    return wanted if wanted in ("json", "markdown") else None


def versions() -> dict[str, str]:
    """What the rendering depends on besides this package's code: its version and Python range, and
    singer-sdk's version."""
    from .distribution import DISTRIBUTION

    ours = metadata.metadata(DISTRIBUTION)
    return {
        "version": ours["Version"],
        "requires_python": ours.get("Requires-Python") or "",
        "sdk_version": metadata.version(SDK),
    }


def saved(output_format: str) -> str | None:
    """The snapshot's rendering in `output_format`, or None when it was rendered for other versions."""
    try:
        snapshot = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
        current = versions()
    except (OSError, ValueError, metadata.PackageNotFoundError):
        return None
    if snapshot.get("versions") != current:
        return None
    return snapshot.get("formats", {}).get(output_format)


def rendered() -> dict[str, Any]:
    """`--about` in every format as singer-sdk renders it now, with the versions it depends on."""
    from singer_sdk.about import AboutFormatter

    from .target import TargetOracleOIC

    info = TargetOracleOIC._get_about_info()
    return {
        "versions": versions(),
        "formats": {name: AboutFormatter.get_formatter(name).format_about(info) for name in FORMATS},
    }


def write_snapshot() -> None:
    """Render the snapshot with the installed singer-sdk (`make docs`)."""
    SNAPSHOT.write_text(json.dumps(rendered(), indent=1, sort_keys=True) + "\n", encoding="utf-8")
