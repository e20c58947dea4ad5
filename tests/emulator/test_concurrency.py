"""8 threads making 200 mixed calls leave consistent state."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from tests.http_api import Api, enc

THREADS = 8
CALLS = 200


def _worker(api: Api, worker: int) -> list[int]:
    statuses = []
    code = f"W{worker}"
    lookup = f"L{worker}"
    statuses.append(
        api.post("/lookups", json={"name": lookup, "columns": ["k", "v"], "rows": []}).status_code
    )
    for call in range(CALLS // THREADS - 1):
        step = call % 6
        version = f"01.00.{call // 6:04d}"
        if step == 0:
            statuses.append(api.import_iar(code, version, connections=["SHARED"]).status_code)
        elif step == 1:
            statuses.append(api.set_status(f"{code}|{version}", "ACTIVATED").status_code)
        elif step == 2:
            statuses.append(api.get("/integrations", params={"q": f"{{code:'{code}'}}"}).status_code)
        elif step == 3:
            rows = [{"rowData": [str(i), str(worker)]} for i in range(call // 6 + 1)]
            body = {"name": lookup, "columns": ["k", "v"], "rows": rows}
            statuses.append(api.put(f"/lookups/{lookup}", json=body).status_code)
        elif step == 4:
            statuses.append(api.patch("/connections/SHARED", {"agentGroupId": f"G{worker}"}).status_code)
        else:
            statuses.append(api.get(f"/integrations/{enc(f'{code}|{version}')}").status_code)
    return statuses


def test_parallel_mixed_calls_leave_consistent_state(oic_emulator):
    api = Api(oic_emulator)
    api.import_iar("SEED", "01.00.0000", connections=["SHARED"])
    oic_emulator.reset_stats()
    with ThreadPoolExecutor(THREADS) as pool:
        results = list(pool.map(lambda w: _worker(Api(oic_emulator), w), range(THREADS)))
    statuses = [s for r in results for s in r]
    assert len(statuses) == CALLS
    assert set(statuses) <= {200, 204}, sorted(set(statuses))
    stats = oic_emulator.stats()
    assert stats["reads"] + stats["writes"] == CALLS
    per_worker_versions = len(range(0, CALLS // THREADS - 1, 6))
    for worker in range(THREADS):
        listing = api.get("/integrations", params={"q": f"{{code:'W{worker}'}}"}).json()
        assert listing["totalResults"] == per_worker_versions
        statuses_by_version = {i["version"]: i["status"] for i in listing["items"]}
        assert list(statuses_by_version.values()).count("FAILEDACTIVATION") == per_worker_versions
        lookup = api.get(f"/lookups/L{worker}").json()
        assert all(row["rowData"][1] == str(worker) for row in lookup["rows"])
        assert lookup["rowCount"] == len(range(3, CALLS // THREADS - 1, 6))
    shared = api.get("/connections/SHARED").json()
    assert shared["agentGroupId"] in {f"G{w}" for w in range(THREADS)}
    assert api.get("/connections").json()["totalResults"] == 1
