"""`tap-oic-release`: a release folder kept in Git (docs/release-folder.md) as the target's streams.

`tap-oic-release --config tap.json | target-oracle-oic --config target.json`, with the target's
`archive_directory` set to the same folder: the records name their archives relative to it.
"""

from __future__ import annotations

import sys
import typing as t
from functools import cached_property
from pathlib import Path

from singer_sdk import Stream, Tap
from singer_sdk import typing as th

from ..release.folder import STREAM_ORDER, Release, ReleaseError, read_release
from .distribution import DISTRIBUTION
from .schemas import SCHEMAS


class ReleaseStream(Stream):
    """One of the target's streams, read from the release folder."""

    def __init__(self, tap: TapOICRelease, name: str) -> None:
        spec = SCHEMAS[name]
        super().__init__(tap, schema={"type": "object", "properties": spec["properties"]}, name=name)
        self.primary_keys = spec["key_properties"]
        self.release_tap = tap

    def get_records(self, context: t.Any) -> t.Iterable[dict[str, t.Any]]:
        return self.release_tap.release.of(self.name)


class TapOICRelease(Tap):
    """Reads integrations, packages, lookups, libraries, certificates and connections from a folder."""

    name = "tap-oic-release"
    package_name = DISTRIBUTION
    config_jsonschema = th.PropertiesList(
        th.Property(
            "release_dir",
            th.StringType,
            required=True,
            description="The release folder (integrations/, packages/, lookups/, libraries/, "
            "certificates/, connections/, release.yaml)",
        ),
    ).to_dict()

    @cached_property
    def release(self) -> Release:
        return read_release(Path(self.config["release_dir"]))

    def discover_streams(self) -> list[Stream]:
        return [ReleaseStream(self, name) for name in STREAM_ORDER]

    def sync_all(self) -> None:
        # The whole folder is read (and every problem named) before the first message goes out, so a
        # target never sees part of a release.
        _ = self.release
        super().sync_all()


def cli() -> None:
    """The `tap-oic-release` command, built only when it runs (singer-sdk sets up root logging); a bad
    folder ends it with exit status 2 and one line per problem, not a traceback."""
    try:
        TapOICRelease.cli()
    except ReleaseError as exc:
        print(
            f"tap-oic-release: error: the release folder has {len(exc.problems)} problem(s):", file=sys.stderr
        )
        for problem in exc.problems:
            print(f"  - {problem}", file=sys.stderr)
        sys.exit(2)
