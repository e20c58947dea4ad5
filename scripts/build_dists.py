"""Build the two distributions of this repository into `dist/`.

- `target-oracle-oic`: the OIC client, the deployment engine, the Singer target and taps and the
  emulator, without Apache Airflow (for Meltano, CI and any Singer pipeline).
- `airflow-provider-oracle-oic`: the hook, operators, sensor, trigger and console link, which
  depends on `target-oracle-oic` of the same version and on Airflow 3.

Both ship parts of the one package `airflow_provider_oracle_oic`, so code never moves between two
trees and every import path stays the same: the provider wheel adds its sub-packages to the
package the target wheel installs. The repository's own `pyproject.toml` stays the all-in-one
editable install for development (`make test`). Each distribution is built from a staging folder
holding only its files, with its own `pyproject.toml`.

Run: `.venv/bin/python scripts/build_dists.py [--out dist]`
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import tomllib

REPO = Path(__file__).resolve().parent.parent
PACKAGE = "airflow_provider_oracle_oic"
AIRFLOW_PARTS = ("hooks", "operators", "sensors", "triggers", "links.py")
SHARED_FILES = ("README.md", "LICENSE", "CHANGELOG.md")
TARGET_SCRIPTS = ("oic-emulator", "target-oracle-oic", "tap-oracle-oic", "tap-oic-release")
# The emulator's web stack is an extra: a Meltano plugin venv holds the target and taps alone.
EMULATOR = ("fastapi", "uvicorn", "python-multipart")


def _project() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text())["project"]


def _version() -> str:
    text = (REPO / PACKAGE / "__init__.py").read_text()
    match = re.search(r'^__version__ = "([^"]+)"', text, re.MULTILINE)
    assert match, "__version__ not found"
    return match.group(1)


def _toml_list(values: list[str]) -> str:
    return "[" + ", ".join(f'"{v}"' for v in values) + "]"


def _pyproject(name: str, description: str, dependencies: list[str], extra: str) -> str:
    project = _project()
    return f"""[build-system]
requires = ["setuptools>=77", "wheel"]
build-backend = "setuptools.build_meta"

[project]
name = "{name}"
version = "{_version()}"
description = "{description}"
readme = "README.md"
requires-python = "{project["requires-python"]}"
license = "Apache-2.0"
license-files = ["LICENSE"]
dependencies = {_toml_list(dependencies)}
{extra}
[tool.setuptools.packages.find]
include = ["{PACKAGE}*"]

[tool.setuptools.package-data]
"*" = ["py.typed", "*.json", "*.csv", "*.yaml"]
"""


def _is_airflow_part(relative: Path) -> bool:
    return len(relative.parts) > 1 and relative.parts[1] in AIRFLOW_PARTS


def _stage(folder: Path, airflow_parts: bool) -> None:
    """Copy this distribution's files of the package (without caches) and the shared top-level files."""
    for path in sorted((REPO / PACKAGE).rglob("*")):
        relative = path.relative_to(REPO)
        if path.is_dir() or "__pycache__" in relative.parts or path.suffix == ".pyc":
            continue
        if _is_airflow_part(relative) != airflow_parts:
            continue
        target = folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
    if airflow_parts:
        # The provider's sub-packages live inside the target's package; setuptools finds them only
        # beside an __init__.py, which the installed wheel does not carry (the target's provides it).
        (folder / PACKAGE / "__init__.py").write_text("")
    for name in SHARED_FILES:
        shutil.copy2(REPO / name, folder / name)


def _target_project(folder: Path) -> None:
    airflow = ("apache-airflow", "pendulum")
    dependencies = [d for d in _project()["dependencies"] if not d.startswith(airflow + EMULATOR)]
    emulator = [d for d in _project()["dependencies"] if d.startswith(EMULATOR)]
    scripts = _project()["scripts"]
    entry = "\n".join(f'{name} = "{scripts[name]}"' for name in TARGET_SCRIPTS)
    (folder / "pyproject.toml").write_text(
        _pyproject(
            "target-oracle-oic",
            "Singer target and taps that deploy Oracle Integration Cloud (OIC) artifacts safely, "
            "and a local OIC emulator; no Airflow needed.",
            dependencies,
            f'classifiers = ["Programming Language :: Python :: 3"]\n\n'
            f"[project.optional-dependencies]\nemulator = {_toml_list(emulator)}\n\n"
            f"[project.scripts]\n{entry}\n",
        )
    )


def _provider_project(folder: Path) -> None:
    airflow = [d for d in _project()["dependencies"] if d.startswith(("apache-airflow", "pendulum"))]
    classifiers = _toml_list(_project()["classifiers"])
    (folder / "pyproject.toml").write_text(
        _pyproject(
            "airflow-provider-oracle-oic",
            "Apache Airflow provider for Oracle Integration Cloud (OIC): hook, operators, sensor, trigger.",
            [f"target-oracle-oic[emulator]=={_version()}", *airflow],
            f"classifiers = {classifiers}\n\n[project.entry-points.apache_airflow_provider]\n"
            f'provider_info = "{PACKAGE}:get_provider_info"\n',
        )
    )


def _drop_empty_init(wheel: Path) -> None:
    """The provider wheel must not install its placeholder `__init__.py` over the target's."""
    member = f"{PACKAGE}/__init__.py"
    rewritten = wheel.with_suffix(".tmp")
    with zipfile.ZipFile(wheel) as source, zipfile.ZipFile(rewritten, "w", zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            if item.filename == member:
                continue
            data = source.read(item)
            if item.filename.endswith(".dist-info/RECORD"):
                data = b"".join(
                    line + b"\n" for line in data.splitlines() if not line.startswith(member.encode() + b",")
                )
            out.writestr(item, data)
    rewritten.replace(wheel)


def build(out: Path) -> list[Path]:
    """Both wheels, built into `out`; their paths."""
    out.mkdir(parents=True, exist_ok=True)
    built = []
    with tempfile.TemporaryDirectory(prefix="oic-dists-") as scratch:
        for name, airflow_parts, write in (
            ("target-oracle-oic", False, _target_project),
            ("airflow-provider-oracle-oic", True, _provider_project),
        ):
            folder = Path(scratch) / name
            _stage(folder, airflow_parts)
            write(folder)
            pattern = f"{name.replace('-', '_')}-{_version()}-*.whl"
            for stale in out.glob(pattern):
                stale.unlink()
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "pip",
                    "wheel",
                    "--no-deps",
                    "--quiet",
                    "--wheel-dir",
                    str(out),
                    str(folder),
                ],
                check=True,
            )
            (wheel,) = out.glob(pattern)
            if airflow_parts:
                _drop_empty_init(wheel)
            built.append(wheel)
    return built


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "dist")
    args = parser.parse_args()
    for wheel in build(args.out):
        print(wheel)


if __name__ == "__main__":
    main()
