"""The bad-input catalogue (tests/data/bad_inputs/*.json): every case is refused with a message naming
what is wrong, with the expected number of writes to OIC (zero for all of them), no traceback, and no
secret in anything the run printed or wrote.

A case: `records` ([stream, record] pairs; SCHEMA lines are added) or `lines` (raw Singer lines),
optional `config` overrides, `files` written into the archive directory, `existing` connections made
before the run, `cli` to run the real command (for config files and raw bytes), `expect` (fragments
the message must hold), `writes`. Strings starting with `@` are built by `materialise`.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from airflow_provider_oracle_oic.emulator.builders import (
    IntegrationArchiveSpec,
    build_certificate_pem,
    build_iar,
    build_jar_library,
    build_js_library,
    build_par,
    build_pkcs12_keystore,
)
from airflow_provider_oracle_oic.singer.inprocess import InputError, run_target
from tests.http_api import Api
from tests.target.conftest import singer_lines

CATALOGUE = Path(__file__).parent.parent / "data" / "bad_inputs"
RECORD_SECRET = "catalogue-record-secret-5521"
CASES = [
    pytest.param(case, id=f"{path.stem}:{case['name']}")
    for path in sorted(CATALOGUE.glob("*.json"))
    for case in json.loads(path.read_text())
]


def artifact_bytes(spec: str) -> bytes:
    """Bytes from a short description: iar:CODE|VERSION[|CONN,CONN], par:CODE|VERSION;..., js, jar, pem,
    p12:PASSWORD, text:..., hex:..., empty."""
    kind, _, rest = spec.partition(":")
    if kind == "iar":
        code, version, *connections = rest.split("|")
        conns = connections[0].split(",") if connections else []
        return build_iar(IntegrationArchiveSpec(code, version, connections=conns))
    if kind == "par":
        return build_par([IntegrationArchiveSpec(*member.split("|")) for member in rest.split(";")])
    if kind == "p12":
        return build_pkcs12_keystore(rest)
    builders = {"js": build_js_library, "jar": build_jar_library, "pem": build_certificate_pem}
    if kind in builders:
        return builders[kind]()
    if kind == "hex":
        return bytes.fromhex(rest)
    if kind == "empty":
        return b""
    assert kind == "text", spec
    return rest.encode()


class Place:
    """The folders of one case: the run's temp folder and its archive directory."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.archives = root / "archives"
        self.archives.mkdir(parents=True)
        self.a_file = root / "plain-file"
        self.a_file.write_text("not a folder")

    def materialise(self, value: Any) -> Any:
        """`@b64:<spec>` base64 bytes, `@tmp[/path]` a path in the temp folder, `@file[/path]` under a
        plain file, `@archives` the archive directory; containers are walked."""
        if isinstance(value, dict):
            return {k: self.materialise(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.materialise(v) for v in value]
        if not isinstance(value, str) or not value.startswith("@"):
            return value
        head, _, rest = value[1:].partition(":")
        if head == "b64":
            return base64.b64encode(artifact_bytes(rest)).decode()
        name, _, sub = value[1:].partition("/")
        base = {"tmp": self.root, "file": self.a_file, "archives": self.archives}[name]
        return str(base / sub) if sub else str(base)

    def write_files(self, files: dict[str, str]) -> None:
        for name, spec in files.items():
            target = self.archives / name
            target.parent.mkdir(parents=True, exist_ok=True)
            if spec.startswith("symlink:"):
                target.symlink_to(spec.removeprefix("symlink:"))
            elif spec == "dir":
                target.mkdir()
            else:
                target.write_bytes(artifact_bytes(spec))


def make_existing(api: Api, connections: list[str]) -> None:
    """Connections in OIC before the run: imported with an integration that uses them."""
    for index, conn in enumerate(connections):
        answer = api.import_iar(f"SEEDED_{index}", "01.00.0000", connections=[conn])
        assert answer.status_code == 204, answer.text


def run_cli(config: dict[str, Any], case: dict[str, Any], lines: list[str], place: Place) -> tuple[int, str]:
    config_path = place.root / "config.json"
    text = case.get("config_text", json.dumps(config))
    if text is not None:
        config_path.write_text(text)
    stdin = b"".join(
        base64.b64decode(line.removeprefix("@raw:")) + b"\n"
        if line.startswith("@raw:")
        else line.encode() + b"\n"
        for line in lines
    )
    command = [str(Path(sys.executable).with_name("target-oracle-oic")), "--config", str(config_path)]
    done = subprocess.run(
        command,
        input=stdin,
        capture_output=True,
        timeout=120,
        env={**os.environ, "CATALOGUE_SECRET": RECORD_SECRET},
    )
    return done.returncode, done.stdout.decode(errors="replace") + done.stderr.decode(errors="replace")


def run_in_process(config: dict[str, Any], lines: list[str], caplog) -> tuple[int, str]:
    try:
        result = run_target(config, lines, secrets={"CATALOGUE_SECRET": RECORD_SECRET})
    except InputError as exc:
        return 2, str(exc)
    code = 0 if result.ok else (2 if result.issues and not result.wrote else 1)
    return code, result.summary() + "\n" + caplog.text


def written_text(root: Path) -> str:
    """Everything the run left in its folder (ledger, journals, audit log, backups), as text."""
    texts = []
    for path in root.rglob("*"):
        if (
            path.is_file()
            and not path.is_symlink()
            and "archives" not in path.parts
            and path.name != "config.json"
        ):
            texts.append(path.read_bytes().decode(errors="replace"))
    return "\n".join(texts)


def test_the_catalogue_has_at_least_100_cases():
    assert len(CASES) >= 100


@pytest.mark.parametrize("case", CASES)
def test_bad_input_is_refused_before_any_write(case, config, oic_emulator, tmp_path, caplog):
    place = Place(tmp_path / "case")
    place.write_files(case.get("files", {}))
    make_existing(Api(oic_emulator), case.get("existing", []))
    settings = {
        **config,
        "archive_directory": str(place.archives),
        **place.materialise(case.get("config", {})),
    }
    settings = {k: v for k, v in settings.items() if v is not None}
    lines = case["lines"] if "lines" in case else singer_lines(place.materialise(case["records"]))
    oic_emulator.reset_stats()

    if case.get("cli"):
        code, output = run_cli(settings, case, lines, place)
    else:
        code, output = run_in_process(settings, lines, caplog)

    assert code == case.get("exit", 2), output
    for fragment in case["expect"] if isinstance(case["expect"], list) else [case["expect"]]:
        assert fragment in output, output
    assert "Traceback" not in output
    assert oic_emulator.stats()["writes"] == case.get("writes", 0), output
    for secret in (oic_emulator.config.client_secret, RECORD_SECRET, "4815162342"):
        assert secret not in output
        assert secret not in written_text(tmp_path)
    assert not any(p.name == "escaped" for p in Path("/tmp").iterdir())
