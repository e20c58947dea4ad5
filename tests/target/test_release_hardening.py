"""What a release folder or an archive may not do: lead outside the folder, expand without bound,
carry file names that are not UTF-8; refused by name before anything is written."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest

from airflow_provider_oracle_oic.oic import OICArchiveError, read_archive
from airflow_provider_oracle_oic.release.folder import ReleaseError, read_release
from airflow_provider_oracle_oic.singer.inprocess import run_target
from tests.target.conftest import singer_lines
from tests.target.test_release_folder import release

__all__ = ["release"]


def many_modest_entries(path: Path, entries: int = 1_100, size: int = 1 << 20) -> Path:
    """An .iar of many 1 MiB entries of zeros: small on disk, over a gigabyte expanded."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("icspackage/project/BOMB_01.00.0000/PROJECT-INF/project.xml", "<name>BOMB</name>")
        block = b"\0" * size
        for n in range(entries):
            archive.writestr(f"icspackage/project/BOMB_01.00.0000/resources/{n}.bin", block)
    return path


def test_an_archive_of_many_modest_entries_is_refused_as_a_whole(tmp_path):
    path = many_modest_entries(tmp_path / "BOMB_01.00.0000.iar", entries=600)
    assert path.stat().st_size < 2 << 20
    with pytest.raises(OICArchiveError, match="as a whole; refusing a likely zip bomb"):
        read_archive(path)


def test_an_archive_with_too_many_entries_is_refused(tmp_path):
    path = tmp_path / "MANY_01.00.0000.iar"
    with zipfile.ZipFile(path, "w") as archive:
        for n in range(20_001):
            archive.writestr(f"icspackage/project/MANY_01.00.0000/r/{n}", b"")
    with pytest.raises(OICArchiveError, match="20001 entries, over the limit of 20000"):
        read_archive(path)


def test_a_connection_file_that_links_outside_the_folder_is_refused(release, tmp_path):
    outside = tmp_path / "outside.yaml"
    outside.write_text("securityPolicy: BASIC_AUTH\nconnectionUrl: https://stolen.example.com\n")
    (release / "connections" / "LEAK.yaml").symlink_to(outside)
    with pytest.raises(ReleaseError) as refused:
        read_release(release)
    assert "connections/LEAK.yaml: leads outside the release folder (a symlink); copy the file in" in (
        refused.value.problems
    )


def test_a_stream_folder_that_links_outside_is_refused(release, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    os.rename(release / "lookups", elsewhere / "lookups")
    (release / "lookups").symlink_to(elsewhere / "lookups")
    with pytest.raises(ReleaseError) as refused:
        read_release(release)
    assert "lookups/: leads outside the release folder; a release reads only its own files" in (
        refused.value.problems
    )


def test_a_file_name_that_is_not_utf8_is_refused_by_name(release):
    name = os.fsdecode(b"COUNTRIES\xff.csv")
    (release / "lookups" / name).write_text("DVM,COUNTRIES,\n")
    with pytest.raises(ReleaseError) as refused:
        read_release(release)
    assert "lookups/COUNTRIES\\xff.csv: the file name is not UTF-8; rename it" in refused.value.problems


def test_the_target_refuses_a_record_naming_an_undecodable_file_before_any_write(config, oic_emulator):
    lines = singer_lines(
        [
            ("lookups", {"name": "FIRST", "columns": ["a", "b"], "rows": [["1", "2"]]}),
            ("lookups", {"name": "SECOND", "archive_path": "SECOND\udcff.csv"}),
        ]
    )
    oic_emulator.reset_stats()
    result = run_target(config, lines)
    assert not result.ok
    assert [i.field for i in result.issues] == ["archive_path"]
    assert "not a printable UTF-8 file name" in result.issues[0].message
    assert oic_emulator.stats()["writes"] == 0


def refused_before_any_write(config, oic_emulator, code: str):
    """Deploy a lookup and then integration `code` from `<code>_01.00.0000.iar`: the run's issues,
    after checking that it wrote nothing."""
    lines = singer_lines(
        [
            ("lookups", {"name": "FIRST", "columns": ["a", "b"], "rows": [["1", "2"]]}),
            (
                "integrations",
                {"code": code, "version": "01.00.0000", "archive_path": f"{code}_01.00.0000.iar"},
            ),
        ]
    )
    oic_emulator.reset_stats()
    result = run_target(config, lines)
    assert not result.ok
    assert oic_emulator.stats()["writes"] == 0
    return result.issues


def test_the_bomb_is_refused_by_the_target_before_any_write(config, archives, oic_emulator):
    many_modest_entries(archives.root / "BOMB_01.00.0000.iar", entries=600)
    issues = refused_before_any_write(config, oic_emulator, "BOMB")
    assert any("zip bomb" in i.message for i in issues), issues


def zip_without_layout() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "not an OIC export")
    return out.getvalue()


def test_an_integration_archive_without_the_iar_layout_is_refused_before_any_write(
    config, archives, oic_emulator
):
    (archives.root / "PLAIN_01.00.0000.iar").write_bytes(zip_without_layout())
    issues = refused_before_any_write(config, oic_emulator, "PLAIN")
    assert [(i.artifact, i.field) for i in issues] == [("integration PLAIN|01.00.0000", "archive_path")]
    assert "icspackage/project/" in issues[0].message
