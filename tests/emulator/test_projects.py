"""§12 OIC 3 projects: import, replace, export, delete, deployments, and project-scoped artifacts."""

from __future__ import annotations

import io
import json
import zipfile

from airflow_provider_oracle_oic.emulator.builders import (
    IntegrationArchiveSpec,
    ProjectArchiveSpec,
    build_car,
)
from tests.http_api import detail, enc

HUB = "ORDERS-HUB"
V1 = "01.00.0000"
V11 = "01.01.0000"


def car(
    *, versions: tuple[str, ...] = (V1,), deployment=None, rows=(("NL", "Netherlands"),), **extra
) -> bytes:
    integrations = [
        IntegrationArchiveSpec(code, version, connections=["REST_ERP"], adapters={"REST_ERP": "rest"})
        for code in ("ORD_IN", "ORD_OUT", "ORD_SYNC")
        for version in versions
    ]
    chosen = deployment or [(code, versions[-1]) for code in ("ORD_IN", "ORD_OUT", "ORD_SYNC")]
    return build_car(
        ProjectArchiveSpec(
            HUB,
            "Orders hub",
            integrations=integrations,
            lookups={"COUNTRIES": (["iso2", "name"], rows)},
            deployments=[("REL_1", "Release 1", chosen)],
            **extra,
        )
    )


def configure_connection(api) -> None:
    body = {
        "connectionProperties": [
            {"propertyName": "connectionUrl", "propertyValue": "https://erp.example.com"}
        ],
        "securityPolicy": "BASIC_AUTH",
        "securityProperties": [
            {"propertyName": "username", "propertyValue": "u"},
            {"propertyName": "password", "propertyValue": "p"},
        ],
    }
    assert api.patch(f"/projects/{HUB}/connections/REST_ERP", body).status_code == 200


def test_import_answers_the_project_and_keeps_it_apart_from_global_artifacts(api):
    answer = api.upload("POST", "/projects/archive", car(), f"{HUB}.car")
    assert answer.status_code == 200, answer.text
    project = answer.json()
    assert project["id"] == project["code"] == HUB
    assert project["state"]["status"] == "DRAFT"
    (deployment,) = project["state"]["assets"]["labelsRs"]["items"]
    assert deployment["code"] == "REL_1"
    assert {(i["code"], i["version"]) for i in deployment["integrations"]} == {
        ("ORD_IN", V1),
        ("ORD_OUT", V1),
        ("ORD_SYNC", V1),
    }
    assert api.upload("POST", "/projects/archive", car(), f"{HUB}.car").status_code == 409
    inside = api.get(f"/projects/{HUB}/integrations").json()
    assert {i["id"] for i in inside["items"]} == {f"ORD_IN|{V1}", f"ORD_OUT|{V1}", f"ORD_SYNC|{V1}"}
    assert inside["items"][0]["links"][0]["href"].split("/v1/")[1].startswith(f"projects/{HUB}/integrations/")
    assert api.get("/integrations").json()["items"] == []
    assert api.get("/connections/REST_ERP").status_code == 404
    assert api.get(f"/projects/{HUB}/connections/REST_ERP").json()["status"] == "INPROGRESS"
    rows = api.get(f"/projects/{HUB}/lookups/COUNTRIES").json()["rows"]
    assert [r["rowData"] for r in rows] == [["NL", "Netherlands"]]
    assert api.get("/projects?q={name:'Orders hub'}").json()["totalResults"] == 1
    assert api.get("/projects?q={name:'Other'}").json()["totalResults"] == 0
    assert api.get("/projects/NOPE").status_code == 404
    assert api.get("/projects/NOPE/integrations").status_code == 404


def test_the_same_code_lives_globally_and_in_a_project(api):
    assert api.upload("POST", "/projects/archive", car(), f"{HUB}.car").status_code == 200
    assert api.import_iar("ORD_IN", V1, connections=["REST_ERP"]).status_code == 204
    assert api.get(f"/integrations/{enc('ORD_IN|' + V1)}").status_code == 200
    assert api.delete(f"/integrations/{enc('ORD_IN|' + V1)}").status_code == 200
    assert api.get(f"/projects/{HUB}/integrations/{enc('ORD_IN|' + V1)}").status_code == 200


def test_project_connection_test_and_activation(api):
    api.upload("POST", "/projects/archive", car(), f"{HUB}.car")
    ident = enc(f"ORD_IN|{V1}")
    assert api.post(f"/projects/{HUB}/connections/REST_ERP/test").status_code == 409
    configure_connection(api)
    tested = api.post(f"/projects/{HUB}/connections/REST_ERP/test")
    assert tested.status_code == 200
    assert tested.json() == {"id": "REST_ERP", "status": "SUCCESS", "details": tested.json()["details"]}
    answer = api.patch(f"/projects/{HUB}/integrations/{ident}", {"status": "ACTIVATED"})
    assert answer.status_code == 200
    status = api.get(f"/projects/{HUB}/integrations/{ident}/activationStatus").json()["activationStatus"]
    assert status == "ACTIVATED"
    assert api.delete(f"/projects/{HUB}/integrations/{ident}").status_code == 423


def test_delete_and_replace_refuse_while_an_integration_is_active(api):
    api.upload("POST", "/projects/archive", car(), f"{HUB}.car")
    configure_connection(api)
    api.post(f"/projects/{HUB}/connections/REST_ERP/test")
    ident = enc(f"ORD_OUT|{V1}")
    api.patch(f"/projects/{HUB}/integrations/{ident}", {"status": "ACTIVATED"})
    answer = api.delete(f"/projects/{HUB}")
    assert answer.status_code == 412
    assert f"ORD_OUT|{V1}" in detail(answer)
    assert api.upload("PUT", "/projects/archive", car(), f"{HUB}.car").status_code == 412
    api.patch(f"/projects/{HUB}/integrations/{ident}", {"status": "CONFIGURED"})
    assert api.delete(f"/projects/{HUB}").status_code == 200
    assert api.get(f"/projects/{HUB}").status_code == 404
    assert api.delete(f"/projects/{HUB}").status_code == 404


def test_replace_follows_the_replace_rule(api):
    assert api.upload("PUT", "/projects/archive", car(), f"{HUB}.car").status_code == 404
    first = api.upload("POST", "/projects/archive", car(), f"{HUB}.car").json()
    configure_connection(api)
    answer = api.upload(
        "PUT", "/projects/archive", car(versions=(V1, V11), rows=(("FR", "France"),)), "x.car"
    )
    assert answer.status_code == 200, answer.text
    project = answer.json()
    assert int(project["state"]["projectRevisionId"]) > int(first["state"]["projectRevisionId"])
    ids = {i["id"] for i in api.get(f"/projects/{HUB}/integrations").json()["items"]}
    assert f"ORD_IN|{V11}" in ids
    assert f"ORD_IN|{V1}" in ids
    (deployment,) = project["state"]["assets"]["labelsRs"]["items"]
    assert {i["version"] for i in deployment["integrations"]} == {V11}
    rows = api.get(f"/projects/{HUB}/lookups/COUNTRIES").json()["rows"]
    assert [r["rowData"] for r in rows] == [["FR", "France"]]
    connection = api.get(f"/projects/{HUB}/connections/REST_ERP").json()
    assert connection["securityPolicy"] == "BASIC_AUTH"


def test_export_whole_project_and_one_deployment(api):
    api.upload("POST", "/projects/archive", car(versions=(V1, V11)), f"{HUB}.car")
    body = {"name": "Orders hub", "code": HUB, "type": "DEVELOPED", "builtBy": "", "label": ""}
    whole = api.post(f"/projects/{HUB}/archive", json=body)
    assert whole.status_code == 200
    assert whole.headers["content-type"] == "application/octet-stream"
    with zipfile.ZipFile(io.BytesIO(whole.content)) as archive:
        names = archive.namelist()
        meta = json.loads(archive.read("project.json"))
    assert f"icspackage/project/ORD_IN_{V1}/PROJECT-INF/project.xml" in names
    assert "icspackage/dvms/COUNTRIES.csv" in names
    assert [d["code"] for d in meta["deployments"]] == ["REL_1"]
    labelled = api.post(f"/projects/{HUB}/archive", json={**body, "label": "REL_1"})
    with zipfile.ZipFile(io.BytesIO(labelled.content)) as archive:
        folders = {n.split("/")[2] for n in archive.namelist() if n.startswith("icspackage/project/")}
    assert folders == {f"ORD_IN_{V11}", f"ORD_OUT_{V11}", f"ORD_SYNC_{V11}"}
    assert api.post(f"/projects/{HUB}/archive", json={**body, "label": "NOPE"}).status_code == 404
    api.delete(f"/projects/{HUB}")
    assert api.upload("POST", "/projects/archive", whole.content, "again.car").status_code == 200
    assert len(api.get(f"/projects/{HUB}/integrations").json()["items"]) == 6


def test_deployments_create_update_delete_and_their_rules(api):
    api.upload("POST", "/projects/archive", car(versions=(V1, V11)), f"{HUB}.car")
    base = f"/projects/{HUB}/deployments"
    created = api.post(
        base, json={"name": "Hotfix", "code": "HOTFIX", "integrations": [{"code": "ORD_IN", "version": V1}]}
    )
    assert created.status_code == 200
    assert created.json()["integrations"] == [{"code": "ORD_IN", "version": V1}]
    assert api.post(base, json={"name": "Hotfix", "code": "HOTFIX", "integrations": []}).status_code == 409
    assert "name is required" in detail(api.post(base, json={"code": "X", "integrations": []}))
    missing = api.post(
        base, json={"name": "X", "code": "X", "integrations": [{"code": "ORD_IN", "version": "09.00.0000"}]}
    )
    assert missing.status_code == 400
    assert "ORD_IN|09.00.0000" in detail(missing)
    two = api.post(
        base,
        json={
            "name": "X",
            "code": "X",
            "integrations": [{"code": "ORD_IN", "version": V1}, {"code": "ORD_IN", "version": V11}],
        },
    )
    assert two.status_code == 400
    assert "two minor versions" in detail(two)
    assert api.post(f"{base}/HOTFIX", json={"integrations": []}).status_code == 405
    updated = api.patch(f"{base}/HOTFIX", {"integrations": [{"code": "ORD_OUT", "version": V11}]})
    assert updated.json()["integrations"] == [{"code": "ORD_OUT", "version": V11}]
    assert {d["code"] for d in api.get(base).json()["items"]} == {"REL_1", "HOTFIX"}
    assert api.get(f"{base}/HOTFIX").json()["name"] == "Hotfix"
    assert api.delete(f"{base}/HOTFIX").status_code == 200
    assert api.get(f"{base}/HOTFIX").status_code == 404


def test_bad_project_archives_are_refused(api):
    assert "multipart field 'file'" in detail(api.post("/projects/archive"))
    not_zip = api.upload("POST", "/projects/archive", b"not a zip", "x.car")
    assert not_zip.status_code == 400
    assert "not a zip" in detail(not_zip)
    plain = io.BytesIO()
    with zipfile.ZipFile(plain, "w") as archive:
        archive.writestr("readme.txt", "hi")
    no_meta = api.upload("POST", "/projects/archive", plain.getvalue(), "x.car")
    assert no_meta.status_code == 400
    assert "project.json" in detail(no_meta)
    wrong = api.upload("POST", "/projects/archive", car(deployment=[("ORD_IN", "07.00.0000")]), "x.car")
    assert wrong.status_code == 400
    assert "ORD_IN|07.00.0000" in detail(wrong)
    assert api.get("/projects").json()["items"] == []


def test_state_file_keeps_projects(tmp_path):
    from airflow_provider_oracle_oic.emulator import EmulatorConfig
    from airflow_provider_oracle_oic.emulator.backend import projects
    from airflow_provider_oracle_oic.emulator.runtime import Emulator
    from airflow_provider_oracle_oic.emulator.snapshot import dump

    config = EmulatorConfig(state_file=tmp_path / "state.json")
    first = Emulator.create(config)
    staged = tmp_path / "hub.car"
    staged.write_bytes(car())
    with first.store.write() as store:
        projects.import_car(store, staged, replace=False)
    again = Emulator.create(config)
    with again.store.read() as store:
        data = dump(store, reveal_secrets=False)
    (project,) = data["projects"]
    assert project["id"] == HUB
    assert {i["code"] for i in project["integrations"]} == {"ORD_IN", "ORD_OUT", "ORD_SYNC"}
    assert project["deployments"][0]["code"] == "REL_1"
    assert project["lookups"][0]["rows"] == [["NL", "Netherlands"]]


def test_libraries_travel_in_the_car(api):
    from airflow_provider_oracle_oic.emulator.builders import build_js_library

    data = car(libraries=[("MATH", V1, "math.js", build_js_library())])
    assert api.upload("POST", "/projects/archive", data, f"{HUB}.car").status_code == 200
    (library,) = api.get(f"/projects/{HUB}/libraries").json()["items"]
    assert (library["code"], library["fileName"]) == ("MATH", "math.js")
    assert api.get("/libraries").json()["items"] == []
    exported = api.post(f"/projects/{HUB}/archive", json={"name": "Orders hub", "code": HUB, "label": ""})
    with zipfile.ZipFile(io.BytesIO(exported.content)) as archive:
        assert archive.read(f"icspackage/libraries/MATH_{V1}/math.js") == build_js_library()
        assert json.loads(archive.read("project.json"))["libraries"][0]["fileName"] == "math.js"
