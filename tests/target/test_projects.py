"""The projects stream over HTTP: an OIC 3 project deploys from its `.car`, re-runs write nothing, a
changed `.car` replaces it, a failure after the replace restores it, and bad input writes nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from airflow_provider_oracle_oic.emulator.builders import IntegrationArchiveSpec, ProjectArchiveSpec
from airflow_provider_oracle_oic.singer.inprocess import run_target
from tests.target.conftest import singer_lines

HUB = "ORDERS-HUB"
V1 = "01.00.0000"
CODES = ("ORD_IN", "ORD_OUT", "ORD_SYNC")
SECRET = "erp-secret-in-project"


def hub(
    payload: bytes = b"v1", version: str = V1, extra_versions: tuple[str, ...] = ()
) -> ProjectArchiveSpec:
    return ProjectArchiveSpec(
        HUB,
        "Orders hub",
        integrations=[
            IntegrationArchiveSpec(code, v, connections=["REST_ERP"], payload=payload)
            for code in CODES
            for v in (version, *extra_versions)
        ],
        lookups={"COUNTRIES": (["iso2", "name"], [["NL", "Netherlands"]])},
        deployments=[("REL", "Release", [(code, version) for code in CODES])],
    )


def records(car: str, version: str = V1, **project: Any) -> list[tuple[str, dict[str, Any]]]:
    return [
        (
            "projects",
            {
                "id": HUB,
                "archive_path": car,
                "deployment": {
                    "code": "REL",
                    "name": "Release",
                    "integrations": [{"code": c, "version": version} for c in CODES],
                },
                "activate": True,
                **project,
            },
        ),
        (
            "connections",
            {
                "id": "REST_ERP",
                "project": HUB,
                "securityPolicy": "BASIC_AUTH",
                "connectionUrl": "https://erp.example",
                "securityProperties": {"username": "svc", "password": "${ERP_PW}"},
            },
        ),
    ]


def inside(oic_emulator) -> dict[str, Any]:
    (project,) = oic_emulator.state()["projects"]
    return project


def statuses(project: dict[str, Any]) -> dict[str, str]:
    return {f"{i['code']}|{i['version']}": i["status"] for i in project["integrations"]}


def archives_of(project: dict[str, Any]) -> dict[str, str]:
    return {f"{i['code']}|{i['version']}": i["archive_sha256"] for i in project["integrations"]}


def deploy(project_config, lines):
    return run_target(project_config, lines, secrets={"ERP_PW": SECRET})


def test_deploy_rerun_replace_and_restore(project_config, archives, oic_emulator):
    first = deploy(project_config, singer_lines(records(archives.car(hub()))))
    assert first.ok, first.summary()
    project = inside(oic_emulator)
    assert statuses(project) == {f"{c}|{V1}": "ACTIVATED" for c in CODES}
    (connection,) = project["connections"]
    assert (connection["id"], connection["status"], connection["testStatus"]) == (
        "REST_ERP",
        "CONFIGURED",
        "SUCCESS",
    )
    assert project["lookups"][0]["rows"] == [["NL", "Netherlands"]]
    assert [d["code"] for d in project["deployments"]] == ["REL"]
    assert oic_emulator.state()["integrations"] == []
    assert SECRET not in json.dumps(first.to_dict())
    assert SECRET not in Path(project_config["state_path"]).read_text()

    oic_emulator.reset_stats()
    again = deploy(project_config, singer_lines(records(archives.car(hub()))))
    assert again.ok, again.summary()
    assert {r.outcome.value for r in again.results} == {"skipped"}
    assert oic_emulator.stats()["writes"] == 0

    before_replace = archives_of(inside(oic_emulator))
    replaced = deploy(project_config, singer_lines(records(archives.car(hub(b"v2"), "v2.car"))))
    assert replaced.ok, replaced.summary()
    project_step = next(r for r in replaced.results if r.artifact == f"project {HUB}")
    assert project_step.action == "replace"
    assert "exported to" in (project_step.detail or "")
    reactivated = [r for r in replaced.results if r.action == "activate"]
    assert sorted(r.id for r in reactivated) == sorted(f"{c}|{V1}" for c in CODES)
    after_replace = inside(oic_emulator)
    assert statuses(after_replace) == {f"{c}|{V1}": "ACTIVATED" for c in CODES}
    assert all(archives_of(after_replace)[k] != v for k, v in before_replace.items())

    oic_emulator.set_faults(
        [{"route": "*/projects/ORDERS-HUB/integrations/ORD_SYNC*", "methods": ["POST"], "p500": 1.0}]
    )
    failed = deploy(project_config, singer_lines(records(archives.car(hub(b"v3"), "v3.car"))))
    oic_emulator.set_faults([])
    assert not failed.ok
    assert failed.not_restorable == []
    assert failed.undo
    assert all(u.ok for u in failed.undo)
    restored = inside(oic_emulator)
    assert archives_of(restored) == archives_of(after_replace)
    assert statuses(restored) == {f"{c}|{V1}": "ACTIVATED" for c in CODES}


def test_a_new_deployment_version_retires_the_old_minor(project_config, archives, oic_emulator):
    assert deploy(project_config, singer_lines(records(archives.car(hub())))).ok
    newer = "01.01.0000"
    car = archives.car(hub(version=newer, extra_versions=(V1,)), "v11.car")
    result = deploy(project_config, singer_lines(records(car, newer)))
    assert result.ok, result.summary()
    project = inside(oic_emulator)
    assert {k: v for k, v in statuses(project).items() if v == "ACTIVATED"} == {
        f"{c}|{newer}": "ACTIVATED" for c in CODES
    }
    (deployment,) = project["deployments"]
    assert {i["version"] for i in deployment["integrations"]} == {newer}


def test_a_rolled_back_new_project_is_deleted(project_config, archives, oic_emulator):
    oic_emulator.set_faults(
        [{"route": "*/projects/ORDERS-HUB/integrations/ORD_OUT*", "methods": ["POST"], "p500": 1.0}]
    )
    result = deploy(project_config, singer_lines(records(archives.car(hub()))))
    oic_emulator.set_faults([])
    assert not result.ok
    assert result.not_restorable == []
    assert oic_emulator.state()["projects"] == []


def test_dry_run_plans_without_writing(project_config, archives, oic_emulator):
    oic_emulator.reset_stats()
    result = deploy({**project_config, "dry_run": True}, singer_lines(records(archives.car(hub()))))
    assert result.ok, result.summary()
    planned = {(r.artifact, r.action) for r in result.results}
    assert (f"project {HUB}", "create") in planned
    assert (f"connection REST_ERP in project {HUB}", "update") in planned
    assert (f"integration ORD_IN|{V1} (project {HUB})", "activate") in planned
    assert oic_emulator.stats()["writes"] == 0


def _bad(project_config, archives, oic_emulator, lines) -> list[tuple[str, str]]:
    oic_emulator.reset_stats()
    result = deploy(project_config, lines)
    assert not result.ok
    assert oic_emulator.stats()["writes"] == 0
    assert oic_emulator.state()["projects"] == []
    return [(i.field, i.message) for i in result.issues]


def test_bad_project_records_write_nothing(project_config, archives, oic_emulator):
    car = archives.car(hub())
    (archives.root / "junk.car").write_bytes(b"not a zip at all")

    def one(**project: Any):
        return _bad(project_config, archives, oic_emulator, singer_lines(records(car, **project)))

    assert one(archive_path=None)[0][0] == "archive_path/archive_base64"
    field, message = one(archive_path="junk.car")[0]
    assert field == "archive_path"
    assert "not a zip" in message
    field, message = one(
        deployment={"code": "REL", "integrations": [{"code": "ORD_IN", "version": "09.00.0000"}]}
    )[0]
    assert field == "deployment.integrations[0]"
    assert "ORD_IN|09.00.0000" in message
    twice = {
        "code": "REL",
        "integrations": [{"code": "ORD_IN", "version": V1}, {"code": "ORD_IN", "version": "01.01.0000"}],
    }
    car11 = archives.car(hub(extra_versions=("01.01.0000",)), "both.car")
    field, message = _bad(
        project_config, archives, oic_emulator, singer_lines(records(car11, deployment=twice))
    )[0]
    assert field == "deployment.integrations[1]"
    assert "two minor versions" in message
    no_instance = {k: v for k, v in project_config.items() if k != "integration_instance"}
    result = deploy(no_instance, singer_lines(records(car)))
    assert [i.field for i in result.issues] == ["integration_instance"]
    assert oic_emulator.stats()["writes"] == 0


def test_a_record_deployment_unlike_the_cars_is_written_once(project_config, archives, oic_emulator):
    spec = hub()
    narrow = ProjectArchiveSpec(
        spec.id,
        spec.name,
        integrations=spec.integrations,
        lookups=spec.lookups,
        deployments=[("REL", "Release", [("ORD_IN", V1)])],
    )
    lines = singer_lines(records(archives.car(narrow)))
    first = deploy(project_config, lines)
    assert first.ok, first.summary()
    written = next(r for r in first.results if r.artifact == f"deployment REL of project {HUB}")
    assert written.outcome.value == "applied"
    (deployment,) = inside(oic_emulator)["deployments"]
    assert len(deployment["integrations"]) == 3
    oic_emulator.reset_stats()
    again = deploy(project_config, lines)
    assert again.ok, again.summary()
    assert oic_emulator.stats()["writes"] == 0


def test_conflict_resolution_version_replaces_a_project_like_overwrite(
    project_config, archives, oic_emulator
):
    assert deploy(project_config, singer_lines(records(archives.car(hub())))).ok
    strict = {**project_config, "conflict_resolution": "version"}
    changed = deploy(strict, singer_lines(records(archives.car(hub(b"v2"), "v2.car"))))
    assert changed.ok, changed.summary()
    step = next(r for r in changed.results if r.artifact == f"project {HUB}")
    assert step.action == "replace"
    assert "conflict_resolution is version" in step.reason
