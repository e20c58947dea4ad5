"""§6 packages: `.par` import, replace (412 rule), export, delete."""

from __future__ import annotations

import io
import zipfile

from airflow_provider_oracle_oic.emulator.builders import IntegrationArchiveSpec as Spec
from airflow_provider_oracle_oic.emulator.builders import build_par
from tests.http_api import detail

ORDERS = [
    Spec("ORDER_IN", "01.00.0000", "Order in", ["REST_ERP"]),
    Spec("ORDER_OUT", "01.00.0000", None, ["FTP_X"]),
]


def test_import_creates_package_integrations_and_connections(api, oic_emulator):
    answer = api.import_par("com.example.orders", ORDERS)
    assert answer.status_code == 204
    assert answer.headers["Location"] == f"{oic_emulator.api_url}/packages/com.example.orders"
    body = api.get("/packages/com.example.orders").json()
    assert body["countOfIntegrations"] == 2
    assert {i["id"] for i in body["integrations"]} == {"ORDER_IN|01.00.0000", "ORDER_OUT|01.00.0000"}
    assert api.get("/integrations/ORDER_IN%7C01.00.0000").json()["packageName"] == "com.example.orders"
    assert api.get("/integrations/ORDER_IN%7C01.00.0000").json()["name"] == "Order in"
    assert api.get("/connections/REST_ERP").json()["status"] == "INPROGRESS"
    assert api.get("/connections/FTP_X").status_code == 200
    assert api.import_par("com.example.orders", ORDERS).status_code == 409


def test_replace_is_404_when_absent_and_412_while_active(api):
    assert api.import_par("absent.pkg", ORDERS, replace=True).status_code == 404
    api.import_par("com.example.orders", ORDERS)
    api.configure_connection("REST_ERP")
    api.configure_connection("FTP_X")
    api.set_status("ORDER_IN|01.00.0000", "ACTIVATED")
    answer = api.import_par("com.example.orders", ORDERS, replace=True)
    assert answer.status_code == 412
    assert "ORDER_IN|01.00.0000" in detail(answer)
    api.set_status("ORDER_IN|01.00.0000", "CONFIGURED")
    renewed = [ORDERS[0], Spec("ORDER_AUDIT", "01.00.0000")]
    answer = api.import_par("com.example.orders", renewed, replace=True)
    assert answer.status_code == 200
    assert {i["code"] for i in answer.json()["integrations"]} == {"ORDER_IN", "ORDER_AUDIT"}
    assert api.get("/integrations/ORDER_OUT%7C01.00.0000").status_code == 404


def test_replace_412_while_member_locked(api, oic_emulator):
    api.import_par("com.example.orders", ORDERS)
    oic_emulator.lock("integration", "ORDER_OUT|01.00.0000")
    answer = api.import_par("com.example.orders", ORDERS, replace=True)
    assert answer.status_code == 412
    assert "locked" in detail(answer)


def test_export_holds_every_member(api):
    api.import_par("com.example.orders", ORDERS)
    answer = api.get("/packages/com.example.orders/archive")
    assert answer.status_code == 200
    names = zipfile.ZipFile(io.BytesIO(answer.content)).namelist()
    assert any(n.startswith("icspackage/project/ORDER_IN_01.00.0000/") for n in names)
    assert any(n.startswith("icspackage/project/ORDER_OUT_01.00.0000/") for n in names)
    assert api.get("/packages/nope/archive").status_code == 404


def test_delete_removes_members_and_is_423_while_active(api):
    api.import_par("com.example.orders", ORDERS)
    api.configure_connection("REST_ERP")
    api.configure_connection("FTP_X")
    api.set_status("ORDER_IN|01.00.0000", "ACTIVATED")
    assert api.delete("/packages/com.example.orders").status_code == 423
    api.set_status("ORDER_IN|01.00.0000", "CONFIGURED")
    assert api.delete("/packages/com.example.orders").status_code == 200
    assert api.get("/packages/com.example.orders").status_code == 404
    assert api.get("/integrations").json()["totalResults"] == 0
    assert api.delete("/packages/com.example.orders").status_code == 404


def test_list_packages_with_q(api):
    api.import_par("com.example.orders", ORDERS)
    api.import_par("com.example.billing", [Spec("BILL", "01.00.0000")])
    listing = api.get("/packages", params={"q": "{name:/orders/}"}).json()
    assert [p["name"] for p in listing["items"]] == ["com.example.orders"]
    assert api.get("/packages", params={"q": "{type:'DEVELOPED'}"}).json()["totalResults"] == 2


def test_package_file_name_must_end_in_par(api):
    answer = api.upload("POST", "/packages/archive", build_par(ORDERS), "orders.zip")
    assert answer.status_code == 400
    assert ".par" in detail(answer)
    assert api.get("/packages").json()["totalResults"] == 0


def test_a_package_is_named_by_its_integrations_package_name_before_its_file_name(api):
    specs = [
        Spec("NAMED_A", "01.00.0000", package_name="com.acme.orders"),
        Spec("NAMED_B", "01.00.0000", package_name="com.acme.orders"),
    ]
    assert api.import_par("release-7", specs).status_code == 204
    assert [p["name"] for p in api.get("/packages").json()["items"]] == ["com.acme.orders"]
    assert api.import_par("another-file", specs).status_code == 409
    mixed = [specs[0], Spec("NAMED_C", "01.00.0000", package_name="com.acme.other")]
    answer = api.import_par("mixed", mixed)
    assert answer.status_code == 400
    assert "different packages" in answer.json()["detail"]
