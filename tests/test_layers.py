"""The layers of docs/architecture.md: which package may import which, read from the source."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "airflow_provider_oracle_oic"
AIRFLOW_FACES = ("operators", "sensors", "triggers", "hooks", "plugins")
NEVER = {
    "oic": ("deploy", "singer", "release", "emulator", *AIRFLOW_FACES, "airflow", "singer_sdk"),
    "deploy": ("singer", "release", "emulator", *AIRFLOW_FACES, "airflow", "singer_sdk"),
    "singer": ("emulator", *AIRFLOW_FACES, "airflow"),
    "release": ("emulator", *AIRFLOW_FACES, "airflow"),
    "emulator": ("deploy", "singer", "release", *AIRFLOW_FACES, "airflow"),
    "report": ("emulator", "singer", "release", *AIRFLOW_FACES, "airflow", "singer_sdk"),
    "estate": ("emulator", "singer", "release", *AIRFLOW_FACES, "airflow", "singer_sdk"),
}


def imported(path: Path) -> set[str]:
    """What a module imports, as package-relative names (`deploy.plan.planner`) or top-level names."""
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    here = list(parts[:-1])
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[: len(here) - node.level + 1]
                names.add(".".join([*base, *([node.module] if node.module else [])]))
            elif node.module:
                names.add(node.module.removeprefix("airflow_provider_oracle_oic."))
    return names


def modules(room: str) -> list[Path]:
    return sorted((PACKAGE / room).rglob("*.py"))


@pytest.mark.parametrize("room", sorted(NEVER))
def test_a_layer_never_imports_what_lies_above_it(room):
    wrong = [
        f"{path.relative_to(PACKAGE)} imports {name}"
        for path in modules(room)
        for name in sorted(imported(path))
        if name.split(".")[0] in NEVER[room]
    ]
    assert wrong == []


def test_relative_imports_resolve_to_the_package_they_name():
    # The checker itself: a relative import two levels up is resolved to the package it names.
    bad = PACKAGE / "deploy" / "plan" / "planner.py"
    assert "oic" in {n.split(".")[0] for n in imported(bad)}
