"""Archive copies the engine makes are byte-stable, so a saved plan's fingerprints hold at apply."""

from __future__ import annotations

import os
import zipfile

from airflow_provider_oracle_oic.deploy.input.sources import with_prefixed_code
from airflow_provider_oracle_oic.deploy.model.specs import ArchiveFile
from airflow_provider_oracle_oic.emulator.builders import IntegrationArchiveSpec, build_iar
from airflow_provider_oracle_oic.oic import sha256_file


def test_a_prefixed_copy_does_not_depend_on_the_clock(tmp_path, monkeypatch):
    source = tmp_path / "ORDERS_01.00.0000.iar"
    source.write_bytes(build_iar(IntegrationArchiveSpec("ORDERS", "01.00.0000")))
    archive = ArchiveFile(source, sha256_file(source), source.name, "archive_path")
    first = with_prefixed_code(archive, "ORDERS", "01.00.0000", "GREEN_", tmp_path / "a")
    # Zip entries written "now" carry a 2-second DOS time: move the clock well past it.
    real = __import__("time").localtime
    monkeypatch.setattr("time.localtime", lambda *a: real(os.path.getmtime(source) + 3600))
    second = with_prefixed_code(archive, "ORDERS", "01.00.0000", "GREEN_", tmp_path / "b")
    assert first.sha256 == second.sha256
    with zipfile.ZipFile(second.path) as copy:
        assert any(n.startswith("icspackage/project/GREEN_ORDERS_01.00.0000/") for n in copy.namelist())
