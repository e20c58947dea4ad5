"""Writes docs/release.schema.json from the one declaration the release-folder reader enforces."""

from __future__ import annotations

import json
from pathlib import Path

from airflow_provider_oracle_oic.release.manifest import MANIFEST_SCHEMA

TARGET = Path(__file__).resolve().parent.parent / "docs" / "release.schema.json"

if __name__ == "__main__":
    TARGET.write_text(json.dumps(MANIFEST_SCHEMA, indent=2) + "\n")
    print(f"wrote {TARGET}")
