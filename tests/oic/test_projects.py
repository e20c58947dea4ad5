"""`client.projects` and `client.project(id)` against the emulator (docs/oic-reference.md §12)."""

from __future__ import annotations

import re
import zipfile

import pytest

from airflow_provider_oracle_oic.emulator.builders import (
    IntegrationArchiveSpec,
    ProjectArchiveSpec,
    build_car,
)
from airflow_provider_oracle_oic.oic import (
    OICArchiveError,
    OICBadRequestError,
    OICConflictError,
    OICNotFoundError,
    OICPreconditionFailedError,
)
from airflow_provider_oracle_oic.oic.project_archives import read_project_archive

HUB = "ORDERS-HUB"
V1 = "01.00.0000"
CODES = ("ORD_IN", "ORD_OUT")


@pytest.fixture
def car(tmp_path):
    def write(version: str = V1, name: str = "hub.car", deployments=None) -> object:
        spec = ProjectArchiveSpec(
            HUB,
            "Orders hub",
            integrations=[IntegrationArchiveSpec(c, version, connections=["REST_ERP"]) for c in CODES],
            lookups={"COUNTRIES": (["iso2", "name"], [["NL", "Netherlands"]])},
            deployments=deployments
            if deployments is not None
            else [("REL", "Release", [(c, version) for c in CODES])],
        )
        path = tmp_path / name
        path.write_bytes(build_car(spec))
        return path

    return write


def configure(scope) -> None:
    scope.connections.update(
        "REST_ERP", {"connectionUrl": "https://erp"}, {"username": "u", "password": "p"}, "BASIC_AUTH"
    )
    return scope.connections.test("REST_ERP")


def test_import_replace_export_delete(client, car, tmp_path):
    path = car()
    facts = read_project_archive(path)
    assert facts.project_id == HUB
    assert facts.integration_ids == {f"ORD_IN|{V1}", f"ORD_OUT|{V1}"}
    assert facts.deployments[0].integrations == (f"ORD_IN|{V1}", f"ORD_OUT|{V1}")
    project = client.projects.import_archive(path)
    assert project.id == HUB
    assert project.deployment("REL").integrations == (f"ORD_IN|{V1}", f"ORD_OUT|{V1}")
    with pytest.raises(OICConflictError):
        client.projects.import_archive(path)
    assert [p.id for p in client.projects.list()] == [HUB]
    assert [p.id for p in client.projects.list(q="{name:'Orders hub'}")] == [HUB]
    replaced = client.projects.replace_archive(car("01.01.0000", "v11.car"))
    assert replaced.revision != project.revision
    assert replaced.deployment("REL").integrations == ("ORD_IN|01.01.0000", "ORD_OUT|01.01.0000")
    download = client.projects.export(HUB, tmp_path / "out" / "hub.car")
    with zipfile.ZipFile(download.path) as archive:
        assert "project.json" in archive.namelist()
    labelled = client.projects.export(HUB, tmp_path / "out" / "rel.car", label="REL")
    assert read_project_archive(labelled.path).integration_ids == {"ORD_IN|01.01.0000", "ORD_OUT|01.01.0000"}
    with pytest.raises(OICNotFoundError, match="NOPE"):
        client.projects.export(HUB, tmp_path / "out" / "x.car", label="NOPE")
    client.projects.delete(HUB)
    assert client.projects.find(HUB) is None
    with pytest.raises(OICNotFoundError):
        client.projects.replace_archive(path)


def test_scoped_families_act_inside_the_project_only(client, car):
    client.projects.import_archive(car())
    scope = client.project(HUB)
    assert {i.id for i in scope.integrations.list()} == {f"ORD_IN|{V1}", f"ORD_OUT|{V1}"}
    assert client.integrations.list() == []
    assert client.connections.find("REST_ERP") is None
    tested = configure(scope)
    assert tested.id == "REST_ERP"
    assert tested.status == "CONFIGURED"
    assert scope.lookups.get("COUNTRIES").rows == (("NL", "Netherlands"),)
    scope.integrations.activate(f"ORD_IN|{V1}")
    assert scope.integrations.wait_for_status(f"ORD_IN|{V1}", "ACTIVATED", 10, 0.05) == "ACTIVATED"
    with pytest.raises(OICPreconditionFailedError, match=re.escape(f"ORD_IN|{V1}")):
        client.projects.delete(HUB)
    with pytest.raises(OICNotFoundError, match="in project ORDERS-HUB"):
        scope.integrations.get("NOPE|01.00.0000")


def test_deployments(client, car):
    client.projects.import_archive(car())
    deployments = client.project(HUB).deployments
    created = deployments.create("HOTFIX", "Hotfix", [f"ORD_IN|{V1}"])
    assert created.integrations == (f"ORD_IN|{V1}",)
    with pytest.raises(OICConflictError):
        deployments.create("HOTFIX", "Hotfix", [f"ORD_IN|{V1}"])
    with pytest.raises(OICBadRequestError, match=r"ORD_IN\|09\.00\.0000"):
        deployments.create("BAD", "Bad", ["ORD_IN|09.00.0000"])
    assert deployments.update("HOTFIX", [f"ORD_OUT|{V1}"]).integrations == (f"ORD_OUT|{V1}",)
    assert {d.code for d in deployments.list()} == {"REL", "HOTFIX"}
    deployments.delete("HOTFIX")
    assert deployments.find("HOTFIX") is None


def test_a_car_that_is_not_a_project_archive(tmp_path):
    not_zip = tmp_path / "x.car"
    not_zip.write_bytes(b"nope")
    with pytest.raises(OICArchiveError, match="not a zip"):
        read_project_archive(not_zip)
    empty = tmp_path / "empty.car"
    with zipfile.ZipFile(empty, "w") as archive:
        archive.writestr("readme.txt", "hi")
    with pytest.raises(OICArchiveError, match=r"project\.json"):
        read_project_archive(empty)
