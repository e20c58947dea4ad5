"""The dependency sets `make deps` tests: `standalone` prints the requirements of the target without
Airflow (runtime and test, from pyproject.toml); `report PYTHON` prints the versions an environment got
of each declared runtime dependency, beside its range."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import tomllib

ROOT = Path(__file__).resolve().parents[1]


def _project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[ ;]", requirement, maxsplit=1)[0].lower()


def standalone() -> list[str]:
    """Every runtime and test requirement but Airflow's."""
    project = _project()
    wanted = [*project["dependencies"], *project["optional-dependencies"]["test"]]
    return [r for r in wanted if not _name(r).startswith("apache-airflow")]


def report(python: str) -> str:
    listed = subprocess.run(
        [sys.executable, "-m", "uv", "pip", "list", "--python", python, "--format", "freeze"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    installed = dict(line.lower().split("==", 1) for line in listed.splitlines() if "==" in line)
    rows = [f"{r:45} {installed.get(_name(r), 'not installed')}" for r in _project()["dependencies"]]
    extra = [f"{name:45} {installed[name]}" for name in ("starlette", "pydantic") if name in installed]
    return "\n".join([f"dependency set of {python}:", *rows, *extra])


if __name__ == "__main__":
    if sys.argv[1:2] == ["standalone"]:
        print("\n".join(standalone()))
    elif sys.argv[1:2] == ["report"] and len(sys.argv) == 3:
        print(report(sys.argv[2]))
    else:
        sys.exit("usage: dependency_sets.py standalone | report PYTHON")
