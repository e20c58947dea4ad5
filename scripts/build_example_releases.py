"""Writes the sample releases the example DAGs deploy into `example_dags/data/`: the release folder
`release/` (as a team keeps it in Git: OIC's own files, docs/release-folder.md) and JSONL files with the
archives inside. A generator of the repository, not part of what users copy: it builds the archives
with the emulator's builders.

Run from the repository root: `.venv/bin/python scripts/build_example_releases.py`
"""

from __future__ import annotations

import base64
import csv
import json
import shutil
from pathlib import Path

import yaml

from airflow_provider_oracle_oic.emulator.builders import (
    IntegrationArchiveSpec,
    ProjectArchiveSpec,
    build_car,
    build_iar,
)
from airflow_provider_oracle_oic.singer.schemas import schema_message

HERE = Path(__file__).resolve().parents[1] / "example_dags" / "data"


def archive(code: str, version: str, **spec: object) -> str:
    return base64.b64encode(build_iar(IntegrationArchiveSpec(code, version, **spec))).decode()


def write(name: str, records: list[tuple[str, dict]]) -> None:
    lines, seen = [], set()
    for stream, record in records:
        if stream not in seen:
            seen.add(stream)
            lines.append(json.dumps(schema_message(stream)))
        lines.append(json.dumps({"type": "RECORD", "stream": stream, "record": record}))
    (HERE / name).write_text("\n".join(lines) + "\n")


ERP = (
    "connections",
    {
        "id": "REST_ERP",
        "securityPolicy": "BASIC_AUTH",
        "connectionUrl": "https://erp.example.com/api",
        "securityProperties": {"username": "oic-integration", "password": "${ERP_PASSWORD}"},
    },
)
COUNTRIES = (
    "lookups",
    {
        "name": "COUNTRY_CODES",
        "columns": ["iso2", "name"],
        "rows": [["NL", "Netherlands"], ["FR", "France"], ["DE", "Germany"]],
    },
)

write(
    "release.jsonl",
    [
        (
            "integrations",
            {
                "code": "ORDERS",
                "version": "01.00.0000",
                "name": "Orders",
                "archive_base64": archive(
                    "ORDERS", "01.00.0000", name="Orders", connections=["REST_ERP"], lookups=["COUNTRY_CODES"]
                ),
            },
        ),
        ERP,
        COUNTRIES,
    ],
)
write(
    "canary_release.jsonl",
    [
        (
            "integrations",
            {
                "code": "ORDERS",
                "version": "02.00.0000",
                "name": "Orders v2",
                "activate": False,
                "archive_base64": archive(
                    "ORDERS",
                    "02.00.0000",
                    name="Orders v2",
                    connections=["REST_ERP"],
                    lookups=["COUNTRY_CODES"],
                ),
            },
        ),
        ERP,
    ],
)


HUB_CODES = ("ORD_IN", "ORD_OUT", "ORD_SYNC")
HUB = build_car(
    ProjectArchiveSpec(
        "ORDERS-HUB",
        "Orders hub",
        integrations=[
            IntegrationArchiveSpec(code, "01.00.0000", connections=["REST_ERP"]) for code in HUB_CODES
        ],
        lookups={"COUNTRY_CODES": (COUNTRIES[1]["columns"], COUNTRIES[1]["rows"])},
        deployments=[("REL_1", "Release 1", [(code, "01.00.0000") for code in HUB_CODES])],
    )
)
write(
    "project.jsonl",
    [
        (
            "projects",
            {
                "id": "ORDERS-HUB",
                "name": "Orders hub",
                "archive_base64": base64.b64encode(HUB).decode(),
                "deployment": {
                    "code": "REL_1",
                    "name": "Release 1",
                    "integrations": [{"code": code, "version": "01.00.0000"} for code in HUB_CODES],
                },
                "activate": True,
            },
        ),
        ("connections", {**ERP[1], "project": "ORDERS-HUB"}),
    ],
)


def write_folder(folder: Path) -> None:
    """The same release as `release.jsonl`, as a folder of files."""
    shutil.rmtree(folder, ignore_errors=True)
    for sub in ("integrations", "lookups", "connections"):
        (folder / sub).mkdir(parents=True)
    (folder / "integrations" / "ORDERS_01.00.0000.iar").write_bytes(
        build_iar(
            IntegrationArchiveSpec(
                "ORDERS", "01.00.0000", name="Orders", connections=["REST_ERP"], lookups=["COUNTRY_CODES"]
            )
        )
    )
    lookup = COUNTRIES[1]
    with (folder / "lookups" / "COUNTRY_CODES.csv").open("w", newline="") as out:
        rows = csv.writer(out)
        rows.writerow(["DVM", lookup["name"], "ISO country codes", ""])
        rows.writerow(lookup["columns"])
        rows.writerows(lookup["rows"])
    connection = {k: v for k, v in ERP[1].items() if k != "id"}
    (folder / "connections" / "REST_ERP.yaml").write_text(yaml.safe_dump(connection, sort_keys=False))
    manifest = {"integrations": {"ORDERS|01.00.0000": {"name": "Orders"}}}
    (folder / "release.yaml").write_text(
        "# What the files cannot say (docs/release-folder.md; schema: docs/release.schema.json)\n"
        + yaml.safe_dump(manifest, sort_keys=False)
    )


write_folder(HERE / "release")
