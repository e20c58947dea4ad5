"""§8 monitoring, fed by the traffic simulator of the control plane."""

from __future__ import annotations

import pytest

from tests.http_api import detail


@pytest.fixture
def two_majors(api):
    for version in ("01.00.0000", "02.00.0000"):
        api.import_iar("ORDERS", version)
        api.set_status(f"ORDERS|{version}", "ACTIVATED")
    api.post(
        "/lookups",
        json={
            "name": "ORDERS_ROUTING",
            "columns": ["version", "weight"],
            "rows": [{"rowData": ["01.00.0000", "90"]}, {"rowData": ["02.00.0000", "10"]}],
        },
    )
    return api


def test_traffic_routes_by_lookup_and_feeds_counts(two_majors, oic_emulator):
    api = two_majors
    result = oic_emulator.traffic(
        "ORDERS", 2000, routing_lookup="ORDERS_ROUTING", error_rates={"02.00.0000": 0.5}, seed=7
    )
    old, new = result["versions"]["01.00.0000"], result["versions"]["02.00.0000"]
    assert old["received"] + new["received"] == 2000
    assert 1700 < old["received"] < 1900
    assert old["errors"] == 0
    assert 0.35 < new["errors"] / new["received"] < 0.65
    counts = api.get("/monitoring/integrations/ORDERS%7C02.00.0000").json()
    assert counts["noOfMsgsReceived"] == new["received"]
    assert counts["noOfErrors"] == new["errors"]
    assert counts["noOfSuccess"] == new["success"]
    listing = api.get("/monitoring/integrations", params={"q": "{code:'ORDERS'}"}).json()
    assert {i["id"]: i["noOfMsgsReceived"] for i in listing["items"]} == {
        "ORDERS|01.00.0000": old["received"],
        "ORDERS|02.00.0000": new["received"],
    }
    again = oic_emulator.traffic(
        "ORDERS", 2000, routing_lookup="ORDERS_ROUTING", error_rates={"02.00.0000": 0.5}, seed=7
    )
    assert again["versions"] == result["versions"]


def test_instances_and_errors(two_majors, oic_emulator):
    api = two_majors
    oic_emulator.traffic("ORDERS", 50, error_rates={"01.00.0000": 1.0}, seed=1)
    instances = api.get(
        "/monitoring/instances", params={"q": "{timewindow:'1h', code:'ORDERS'}", "limit": 500}
    ).json()
    assert instances["totalResults"] == 50
    failed = api.get("/monitoring/instances", params={"q": "{status:'FAILED', version:'01.00.0000'}"}).json()
    errors = api.get("/monitoring/errors", params={"limit": 500}).json()
    assert failed["totalResults"] == errors["totalResults"] > 0
    assert all(i["status"] == "FAILED" for i in errors["items"])
    ids = [i["id"] for i in errors["items"][:3]]
    answer = api.post("/monitoring/errors/resubmit", json={"ids": ids})
    assert answer.status_code == 202
    assert (
        api.get("/monitoring/errors", params={"limit": 500}).json()["totalResults"]
        == errors["totalResults"] - 3
    )
    assert api.post("/monitoring/errors/resubmit", json={"ids": ["nope"]}).status_code == 400
    assert api.get("/monitoring/instances", params={"q": "{timewindow:'5m'}"}).status_code == 400


def test_traffic_without_active_version_or_bad_lookup(api, oic_emulator):
    api.import_iar("IDLE", "01.00.0000")
    answer = oic_emulator._http.post(
        f"{oic_emulator.url}/_emulator/traffic", json={"code": "IDLE", "requests": 5}
    )
    assert answer.status_code == 409
    assert "no ACTIVATED version" in detail(answer)
    api.set_status("IDLE|01.00.0000", "ACTIVATED")
    api.post("/lookups", json={"name": "NO_WEIGHT", "columns": ["a", "b"], "rows": []})
    answer = oic_emulator._http.post(
        f"{oic_emulator.url}/_emulator/traffic",
        json={"code": "IDLE", "requests": 5, "routing_lookup": "NO_WEIGHT"},
    )
    assert answer.status_code == 400
    assert api.get("/monitoring/integrations/IDLE%7C01.00.0000").json()["noOfMsgsReceived"] == 0
    assert api.get("/monitoring/integrations/NOPE%7C01.00.0000").status_code == 404
