"""§5 lookups: JSON CRUD and CSV import/export."""

from __future__ import annotations

from tests.http_api import detail

TABLE = {
    "name": "COUNTRY_CODES",
    "description": "ISO",
    "columns": ["iso2", "name"],
    "rows": [{"rowData": ["NL", "Netherlands"]}, {"rowData": ["FR", "France"]}],
}
CSV = "DVM,CURRENCIES,ISO 4217,money\ncode,symbol\nEUR,€\nUSD,$\n"


def test_create_get_update_delete(api):
    answer = api.post("/lookups", json=TABLE)
    assert answer.status_code == 200
    assert answer.json()["rowCount"] == 2
    assert api.post("/lookups", json=TABLE).status_code == 409
    got = api.get("/lookups/COUNTRY_CODES").json()
    assert got["columns"] == ["iso2", "name"]
    assert [r["rowData"] for r in got["rows"]] == [["NL", "Netherlands"], ["FR", "France"]]
    changed = {**TABLE, "rows": [{"rowData": ["DE", "Germany"]}]}
    answer = api.put("/lookups/COUNTRY_CODES", json=changed)
    assert answer.status_code == 200
    assert [r["rowData"] for r in api.get("/lookups/COUNTRY_CODES").json()["rows"]] == [["DE", "Germany"]]
    assert api.put("/lookups/MISSING", json={**TABLE, "name": "MISSING"}).status_code == 404
    assert api.delete("/lookups/COUNTRY_CODES").status_code == 200
    assert api.get("/lookups/COUNTRY_CODES").status_code == 404
    assert api.delete("/lookups/COUNTRY_CODES").status_code == 404


def test_csv_import_replace_export(api, oic_emulator):
    answer = api.upload("POST", "/lookups/archive", CSV.encode(), "CURRENCIES.csv")
    assert answer.status_code == 204
    assert answer.headers["Location"] == f"{oic_emulator.api_url}/lookups/CURRENCIES"
    assert api.upload("POST", "/lookups/archive", CSV.encode(), "CURRENCIES.csv").status_code == 409
    body = api.get("/lookups/CURRENCIES").json()
    assert [r["rowData"] for r in body["rows"]] == [["EUR", "€"], ["USD", "$"]]
    assert (body["id"], body["description"]) == ("CURRENCIES", "ISO 4217")
    exported = api.get("/lookups/CURRENCIES/archive")
    assert exported.status_code == 200
    assert exported.text == CSV
    replaced = CSV + "GBP,£\n"
    assert api.upload("PUT", "/lookups/archive", replaced.encode(), "c.csv").status_code == 200
    assert api.get("/lookups/CURRENCIES").json()["rowCount"] == 3
    absent = api.upload("PUT", "/lookups/archive", b"DVM,OTHER,,\na,b\n", "o.csv")
    assert absent.status_code == 404
    assert api.get("/lookups/NOPE/archive").status_code == 404


def test_list_with_q(api):
    api.post("/lookups", json=TABLE)
    api.post("/lookups", json={**TABLE, "name": "OTHER_TABLE"})
    assert [i["name"] for i in api.get("/lookups", params={"q": "{name:/COUNTRY/}"}).json()["items"]] == [
        "COUNTRY_CODES"
    ]
    assert api.get("/lookups", params={"q": "{code:'x'}"}).status_code == 400


def test_locked_and_in_use_lookup(api, oic_emulator):
    api.post("/lookups", json=TABLE)
    oic_emulator.lock("lookup", "COUNTRY_CODES")
    assert api.put("/lookups/COUNTRY_CODES", json=TABLE).status_code == 423
    assert api.get("/lookups/COUNTRY_CODES/archive").status_code == 423
    assert api.delete("/lookups/COUNTRY_CODES").status_code == 423
    oic_emulator.unlock("lookup", "COUNTRY_CODES")
    api.import_iar("USES_LOOKUP", "01.00.0000", lookups=["COUNTRY_CODES"])
    api.set_status("USES_LOOKUP|01.00.0000", "ACTIVATED")
    body = api.get("/lookups/COUNTRY_CODES").json()
    assert (body["usage"], body["usageActive"]) == (1, True)
    usage = api.get("/lookups/COUNTRY_CODES/usage").json()
    assert [(i["id"], i["status"]) for i in usage["items"]] == [("USES_LOOKUP|01.00.0000", "ACTIVATED")]
    assert api.get("/lookups/NOPE/usage").status_code == 404
    answer = api.delete("/lookups/COUNTRY_CODES")
    assert answer.status_code == 423
    assert "USES_LOOKUP" in detail(answer)


def test_bad_lookups_are_400_and_change_nothing(api):
    api.post("/lookups", json=TABLE)
    bad_bodies = [
        {"name": "ONE_COL", "columns": ["a"], "rows": []},
        {"name": "SHORT_ROW", "columns": ["a", "b"], "rows": [{"rowData": ["x"]}]},
        {"name": "DUP_COLS", "columns": ["a", "a"], "rows": []},
        {"name": "bad name!", "columns": ["a", "b"]},
        {"columns": ["a", "b"]},
        ["list"],
    ]
    for body in bad_bodies:
        assert api.post("/lookups", json=body).status_code == 400, body
    answer = api.put("/lookups/COUNTRY_CODES", json={**TABLE, "name": "ELSEWHERE"})
    assert answer.status_code == 400
    assert "URL" in detail(answer)
    for csv_text in (b"DVM,ONLY_NAME,,\n", b"DVM,T,,\na\n", b"DVM,T,,\na,b\nx\n", b"\xff\xfe\x00bad"):
        assert api.upload("POST", "/lookups/archive", csv_text, "t.csv").status_code == 400, csv_text
    assert [i["name"] for i in api.get("/lookups").json()["items"]] == ["COUNTRY_CODES"]
    assert api.get("/lookups/COUNTRY_CODES").json()["rowCount"] == 2


def test_a_csv_without_the_dvm_line_is_refused_naming_it(api):
    answer = api.upload("POST", "/lookups/archive", b"CURRENCIES\ncode,symbol\nEUR,e\n", "c.csv")
    assert answer.status_code == 400
    assert "DVM,<name>,<description>,<keywords>" in detail(answer)
    assert api.get("/lookups/CURRENCIES").status_code == 404


def test_an_exported_csv_imports_back_identical(api):
    api.post("/lookups", json=TABLE)
    exported = api.get("/lookups/COUNTRY_CODES/archive").content
    assert exported.startswith(b"DVM,COUNTRY_CODES,ISO,")
    assert api.delete("/lookups/COUNTRY_CODES").status_code == 200
    assert api.upload("POST", "/lookups/archive", exported, "COUNTRY_CODES.csv").status_code == 204
    assert api.get("/lookups/COUNTRY_CODES/archive").content == exported
