"""§3 integrations over HTTP: every row of the table and the semantics under it."""

from __future__ import annotations

import io
import time
import zipfile

import pytest

from airflow_provider_oracle_oic.emulator import EmulatorServer
from airflow_provider_oracle_oic.emulator.builders import IntegrationArchiveSpec
from tests.http_api import Api, detail, enc

HELLO = "HELLO_WORLD|01.00.0000"


def test_import_new_answers_204_with_absolute_location(api, oic_emulator):
    answer = api.import_iar("HELLO_WORLD", "01.00.0000", name="Hello World", connections=["REST_A"])
    assert answer.status_code == 204
    assert answer.content == b""
    assert answer.headers["Location"] == f"{oic_emulator.api_url}/integrations/HELLO_WORLD%7C01.00.0000"
    body = api.get(f"/integrations/{enc(HELLO)}").json()
    assert body["id"] == HELLO
    assert (body["code"], body["version"], body["name"]) == ("HELLO_WORLD", "01.00.0000", "Hello World")
    assert body["status"] == "CONFIGURED"
    assert body["lockedFlag"] is False
    assert body["endPoints"][0]["connection"]["id"] == "REST_A"
    assert {link["rel"] for link in body["links"]} == {"self", "canonical"}


def test_import_creates_unconfigured_connections_and_never_touches_existing(api):
    api.import_iar("FIRST", "01.00.0000", connections=["REST_A"])
    conn = api.get("/connections/REST_A").json()
    assert conn["adapterType"]["name"] == "rest"
    assert conn["securityPolicy"] is None
    assert (conn["status"], conn["testStatus"]) == ("INPROGRESS", "NOTTESTED")
    assert api.configure_connection("REST_A").status_code == 200
    api.import_iar("SECOND", "01.00.0000", connections=["REST_A", "REST_B"])
    assert api.get("/connections/REST_A").json()["status"] == "CONFIGURED"
    assert api.get("/connections/REST_B").json()["status"] == "INPROGRESS"


def test_reimport_is_409_and_replace_absent_is_404(api):
    assert api.import_iar("HELLO_WORLD", "01.00.0000").status_code == 204
    answer = api.import_iar("HELLO_WORLD", "01.00.0000")
    assert answer.status_code == 409
    assert "already exists" in detail(answer)
    answer = api.import_iar("OTHER", "01.00.0000", replace=True)
    assert answer.status_code == 404
    assert "OTHER|01.00.0000" in detail(answer)


def test_replace_answers_200_and_changes_archive_and_last_updated(api):
    api.import_iar("HELLO_WORLD", "01.00.0000", name="Old")
    before = api.get(f"/integrations/{enc(HELLO)}").json()
    answer = api.import_iar("HELLO_WORLD", "01.00.0000", replace=True, name="New", payload=b"v2")
    assert answer.status_code == 200
    assert answer.json()["name"] == "New"
    after = api.get(f"/integrations/{enc(HELLO)}").json()
    assert after["lastUpdated"] > before["lastUpdated"]
    assert after["created"] == before["created"]
    exported = zipfile.ZipFile(io.BytesIO(api.get(f"/integrations/{enc(HELLO)}/archive").content))
    assert "icspackage/project/HELLO_WORLD_01.00.0000/resources/payload.bin" in exported.namelist()


def test_replace_while_activated_is_412(api):
    api.import_iar("HELLO_WORLD", "01.00.0000")
    # Rule 14: the answer says a change is under way even when it completed at once.
    assert api.set_status(HELLO, "ACTIVATED").json()["status"] == "ACTIVATION_INPROGRESS"
    assert api.status(HELLO) == "ACTIVATED"
    assert api.set_status(HELLO, "ACTIVATED").json()["status"] == "ACTIVATED"
    answer = api.import_iar("HELLO_WORLD", "01.00.0000", replace=True)
    assert answer.status_code == 412
    assert "deactivate" in detail(answer)


def test_export_returns_the_archive_and_404_when_absent(api):
    api.import_iar("HELLO_WORLD", "01.00.0000", connections=["REST_A"])
    answer = api.get(f"/integrations/{enc(HELLO)}/archive")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/octet-stream"
    names = zipfile.ZipFile(io.BytesIO(answer.content)).namelist()
    assert "icspackage/project/HELLO_WORLD_01.00.0000/PROJECT-INF/project.xml" in names
    assert "icspackage/appinstances/REST_A.xml" in names
    assert api.get("/integrations/NOPE%7C01.00.0000/archive").status_code == 404
    assert api.get("/integrations/NOPE%7C01.00.0000").status_code == 404


def test_list_with_q_paging_and_envelope(api):
    for code in ("INT_A", "INT_B", "INT_C", "OTHER"):
        api.import_iar(code, "01.00.0000", name=f"Name {code}")
    api.set_status("INT_B|01.00.0000", "ACTIVATED")
    everything = api.get("/integrations").json()
    assert everything["totalResults"] == 4
    assert everything["hasMore"] is False
    # Newest first by lastUpdated: the activation made INT_B the most recently updated.
    assert [i["code"] for i in everything["items"]] == ["INT_B", "OTHER", "INT_C", "INT_A"]
    by_name = api.get("/integrations", params={"orderBy": "name"}).json()
    assert [i["code"] for i in by_name["items"]] == ["INT_A", "INT_B", "INT_C", "OTHER"]
    first = api.get("/integrations", params={"limit": 2, "offset": 0, "orderBy": "name"}).json()
    second = api.get("/integrations", params={"limit": 2, "offset": 2, "orderBy": "name"}).json()
    assert (first["hasMore"], second["hasMore"]) == (True, False)
    assert [i["code"] for i in first["items"] + second["items"]] == ["INT_A", "INT_B", "INT_C", "OTHER"]
    assert (first["limit"], second["offset"]) == (2, 2)
    regex = api.get("/integrations", params={"q": "{code:/INT_/}", "orderBy": "name"}).json()
    assert [i["code"] for i in regex["items"]] == ["INT_A", "INT_B", "INT_C"]
    exact = api.get("/integrations", params={"q": "{name:'Name OTHER'}"}).json()
    assert [i["code"] for i in exact["items"]] == ["OTHER"]
    both = api.get("/integrations", params={"q": "{status:'ACTIVATED', name:/INT/}"}).json()
    assert [i["code"] for i in both["items"]] == ["INT_B"]
    assert api.get("/integrations", params={"q": "{name:/int_/}"}).json()["totalResults"] == 0
    answer = api.get("/integrations", params={"q": "{colour:'red'}"})
    assert answer.status_code == 400
    assert "colour" in detail(answer)
    assert api.get("/integrations", params={"q": "name:'x'"}).status_code == 400
    assert api.get("/integrations", params={"limit": 0}).status_code == 400
    by_time = api.get("/integrations", params={"orderBy": "time"}).json()
    assert by_time["items"][0]["code"] == "INT_B"


def test_activation_needs_configured_connections(api):
    api.import_iar("HELLO_WORLD", "01.00.0000", connections=["REST_A"])
    answer = api.set_status(HELLO, "ACTIVATED")
    assert answer.status_code == 200
    assert answer.json()["status"] == "ACTIVATION_INPROGRESS"
    assert api.status(HELLO) == "FAILEDACTIVATION"
    errors = api.get(f"/integrations/{enc(HELLO)}/activationErrors").json()
    assert errors["hasErrors"] is True
    assert "REST_A" in errors["errorMessage"]
    api.configure_connection("REST_A")
    assert api.set_status(HELLO, "ACTIVATED").json()["status"] == "ACTIVATION_INPROGRESS"
    assert api.status(HELLO) == "ACTIVATED"
    assert api.get(f"/integrations/{enc(HELLO)}/activationErrors").json()["hasErrors"] is False


def test_activation_flags_are_applied(api):
    api.import_iar("HELLO_WORLD", "01.00.0000")
    body = api.set_status(
        HELLO, "ACTIVATED", tracingEnabledFlag=True, payloadTracingEnabledFlag=True, recordEnabledFlag=False
    ).json()
    assert (body["tracingEnabledFlag"], body["payloadTracingEnabledFlag"], body["recordEnabledFlag"]) == (
        True,
        True,
        False,
    )
    assert api.set_status(HELLO, "CONFIGURED", tracingEnabledFlag="yes").status_code == 400


def test_repeats_are_noops_and_bad_status_is_400(api):
    api.import_iar("HELLO_WORLD", "01.00.0000")
    stamp = api.get(f"/integrations/{enc(HELLO)}").json()["lastUpdated"]
    assert api.set_status(HELLO, "CONFIGURED").status_code == 200
    assert api.get(f"/integrations/{enc(HELLO)}").json()["lastUpdated"] == stamp
    api.set_status(HELLO, "ACTIVATED")
    stamp = api.get(f"/integrations/{enc(HELLO)}").json()["lastUpdated"]
    assert api.set_status(HELLO, "ACTIVATED").json()["status"] == "ACTIVATED"
    assert api.get(f"/integrations/{enc(HELLO)}").json()["lastUpdated"] == stamp
    assert api.set_status(HELLO, "RUNNING").status_code == 400
    assert api.set_status("NOPE|01.00.0000", "ACTIVATED").status_code == 404


def test_post_without_override_is_405(api):
    api.import_iar("HELLO_WORLD", "01.00.0000")
    answer = api.post(f"/integrations/{enc(HELLO)}", json={"status": "ACTIVATED"})
    assert answer.status_code == 405
    assert "X-HTTP-Method-Override" in detail(answer)
    assert api.status(HELLO) == "CONFIGURED"


def test_new_minor_version_deactivates_old_and_new_major_runs_beside(api):
    for version in ("01.00.0000", "01.00.0001", "02.00.0000"):
        api.import_iar("ORDERS", version)
    api.set_status("ORDERS|01.00.0000", "ACTIVATED")
    api.set_status("ORDERS|02.00.0000", "ACTIVATED")
    assert api.status("ORDERS|01.00.0000") == "ACTIVATED"
    assert api.status("ORDERS|02.00.0000") == "ACTIVATED"
    api.set_status("ORDERS|01.00.0001", "ACTIVATED")
    assert api.status("ORDERS|01.00.0001") == "ACTIVATED"
    assert api.status("ORDERS|01.00.0000") == "CONFIGURED"
    assert api.status("ORDERS|02.00.0000") == "ACTIVATED"


def test_delete_is_423_while_activated_then_200_empty(api):
    api.import_iar("HELLO_WORLD", "01.00.0000")
    api.set_status(HELLO, "ACTIVATED")
    answer = api.delete(f"/integrations/{enc(HELLO)}")
    assert answer.status_code == 423
    assert "ACTIVATED" in detail(answer)
    api.set_status(HELLO, "CONFIGURED")
    answer = api.delete(f"/integrations/{enc(HELLO)}")
    assert (answer.status_code, answer.content) == (200, b"")
    assert api.get(f"/integrations/{enc(HELLO)}").status_code == 404
    assert api.delete(f"/integrations/{enc(HELLO)}").status_code == 404


def test_clone(api):
    api.import_iar("HELLO_WORLD", "01.00.0000", connections=["REST_A"])
    answer = api.post(
        f"/integrations/{enc(HELLO)}/clone",
        json={"code": "HELLO_COPY", "version": "01.00.0000", "name": "Copy", "packageName": "pkg.copy"},
    )
    assert answer.status_code == 200
    body = answer.json()
    assert (body["id"], body["name"], body["packageName"], body["status"]) == (
        "HELLO_COPY|01.00.0000",
        "Copy",
        "pkg.copy",
        "CONFIGURED",
    )
    names = zipfile.ZipFile(
        io.BytesIO(api.get("/integrations/HELLO_COPY%7C01.00.0000/archive").content)
    ).namelist()
    assert any(n.startswith("icspackage/project/HELLO_COPY_01.00.0000/") for n in names)
    assert not any(n.startswith("icspackage/project/HELLO_WORLD_01.00.0000/") for n in names)
    again = api.post(
        f"/integrations/{enc(HELLO)}/clone",
        json={"code": "HELLO_COPY", "version": "01.00.0000", "name": "Copy"},
    )
    assert again.status_code == 409
    bad = api.post(f"/integrations/{enc(HELLO)}/clone", json={"code": "lower", "version": "1.0", "name": "x"})
    assert bad.status_code == 400
    assert "code" in detail(bad)
    missing = api.post(
        "/integrations/NOPE%7C01.00.0000/clone", json={"code": "X", "version": "01.00.0000", "name": "x"}
    )
    assert missing.status_code == 404


def test_schedule_actions(api):
    api.import_iar("NIGHTLY", "01.00.0000", scheduled=True)
    api.import_iar("PLAIN", "01.00.0000")
    ident = "NIGHTLY|01.00.0000"
    assert api.post(f"/integrations/{enc(ident)}/schedule/start").status_code == 412
    api.set_status(ident, "ACTIVATED")
    answer = api.post(f"/integrations/{enc(ident)}/schedule/start")
    assert answer.status_code == 200
    assert answer.json()["scheduleState"] == "STARTED"
    assert api.post(f"/integrations/{enc(ident)}/schedule/pause").json()["scheduleState"] == "PAUSED"
    assert api.post(f"/integrations/{enc(ident)}/schedule/resume").json()["scheduleState"] == "STARTED"
    assert api.post(f"/integrations/{enc(ident)}/schedule/stop").json()["scheduleState"] == "STOPPED"
    assert api.post("/integrations/NOPE%7C01.00.0000/schedule/start").status_code == 404
    api.set_status("PLAIN|01.00.0000", "ACTIVATED")
    assert api.post("/integrations/PLAIN%7C01.00.0000/schedule/start").status_code == 400


@pytest.mark.parametrize("kind", ["locked", "in_progress"])
def test_locked_or_busy_integration_refuses_changes(kind, tmp_path):
    delay = 0.6 if kind == "in_progress" else 0.0
    with EmulatorServer(EmulatorServer().with_config(activation_delay=delay)) as server:
        api = Api(server)
        api.import_iar("HELLO_WORLD", "01.00.0000")
        if kind == "locked":
            server.lock("integration", HELLO)
            assert api.get(f"/integrations/{enc(HELLO)}").json()["lockedFlag"] is True
        else:
            assert api.set_status(HELLO, "ACTIVATED").json()["status"] == "ACTIVATION_INPROGRESS"
        assert api.import_iar("HELLO_WORLD", "01.00.0000", replace=True).status_code == 412
        assert api.set_status(HELLO, "CONFIGURED").status_code == 412
        assert api.delete(f"/integrations/{enc(HELLO)}").status_code == 423
        assert api.get(f"/integrations/{enc(HELLO)}/archive").status_code == 423
        if kind == "locked":
            assert api.set_status(HELLO, "ACTIVATED").status_code == 412
            server.unlock("integration", HELLO)
            assert api.set_status(HELLO, "ACTIVATED").json()["status"] == "ACTIVATION_INPROGRESS"
            assert api.status(HELLO) == "ACTIVATED"
        else:
            assert api.wait_status(HELLO, "ACTIVATED") == "ACTIVATED"


def test_activation_and_deactivation_are_asynchronous():
    with EmulatorServer(EmulatorServer().with_config(activation_delay=0.4)) as server:
        api = Api(server)
        for version in ("01.00.0000", "01.00.0001"):
            api.import_iar("ASYNC", version)
        api.set_status("ASYNC|01.00.0000", "ACTIVATED")
        assert api.status("ASYNC|01.00.0000") == "ACTIVATION_INPROGRESS"
        api.wait_status("ASYNC|01.00.0000", "ACTIVATED")
        started = time.monotonic()
        api.set_status("ASYNC|01.00.0001", "ACTIVATED")
        assert api.status("ASYNC|01.00.0000") == "ACTIVATED"
        api.wait_status("ASYNC|01.00.0001", "ACTIVATED")
        assert time.monotonic() - started >= 0.35
        assert api.status("ASYNC|01.00.0000") == "CONFIGURED"
        assert api.set_status("ASYNC|01.00.0001", "CONFIGURED").json()["status"] == "DEACTIVATION_INPROGRESS"
        api.wait_status("ASYNC|01.00.0001", "CONFIGURED")


def test_oic3_links_and_location_carry_the_instance_and_can_be_followed():
    from airflow_provider_oracle_oic.emulator import EmulatorServer
    from airflow_provider_oracle_oic.emulator.config import EmulatorConfig
    from tests.http_api import Api

    with EmulatorServer(EmulatorConfig(instance="teamoic3-abc")) as server:
        api = Api(server, instance="teamoic3-abc")
        answer = api.import_iar("LINKED", "01.00.0000", connections=["REST_L"])
        assert answer.status_code == 204
        location = answer.headers["Location"]
        assert location.endswith("?integrationInstance=teamoic3-abc")
        api.post("/lookups", json={"name": "LK_L", "columns": ["a", "b"], "rows": []})
        api.import_par("com.example.linked", [IntegrationArchiveSpec("IN_PKG", "01.00.0000")])
        api.upload(
            "POST",
            "/libraries/archive",
            b"function f() {}",
            "f.js",
            code="LIB_L",
            version="01.00.0000",
            name="L",
            type="API",
        )
        hrefs = [location]
        for path in ("/integrations", "/connections", "/lookups", "/packages", "/libraries"):
            for item in api.get(path).json()["items"]:
                hrefs += [link["href"] for link in item["links"]]
        assert len(hrefs) == 13
        for href in hrefs:
            assert "integrationInstance=teamoic3-abc" in href
            followed = api.http.get(href, headers={"Authorization": f"Bearer {api.token}"}, timeout=10)
            assert followed.status_code == 200, href


def test_q_type_and_style_on_integrations_and_role_on_connections(api):
    api.import_iar("TIMED", "01.00.0000", scheduled=True, connections=["REST_T"])
    api.import_iar("PLAIN", "01.00.0000")
    scheduled = api.get("/integrations", params={"q": "{type:'SCHEDULED'}"}).json()
    assert [i["code"] for i in scheduled["items"]] == ["TIMED"]
    assert api.get("/integrations", params={"q": "{style:'FREEFORM'}"}).json()["totalResults"] == 2
    roles = api.get("/connections", params={"q": "{role:'SOURCE_AND_TARGET'}"}).json()
    assert [c["id"] for c in roles["items"]] == ["REST_T"]
