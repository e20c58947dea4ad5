"""The yardstick of `wall_time.py`: the release's writes with nothing but `requests`.

One token, then per artifact one existence GET and one write. Imports nothing of ours, so as its own
process (`python bare_loop.py URL CLIENT_ID SECRET FOLDER`) it pays only for `requests`.
"""

from __future__ import annotations

import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

LOOKUPS, INTEGRATIONS, ROWS = 40, 20, 20
API = "/ic/api/integration/v1"


def bare_loop(url: str, client_id: str, secret: str, folder: Path, threads: int) -> None:
    """The same writes with nothing but `requests`: token, then per artifact a GET and a write."""
    session = requests.Session()
    token = session.post(
        f"{url}/oauth2/v1/token",
        data={"grant_type": "client_credentials", "scope": "urn:opc:resource:consumer::all"},
        auth=(client_id, secret),
        timeout=30,
    ).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}

    def lookup(n: int) -> None:
        name = f"WALL_{n:03d}"
        session.get(f"{url}{API}/lookups/{name}", headers=headers, timeout=30)
        body = {
            "name": name,
            "columns": ["k", "v"],
            "rows": [{"rowData": [f"k{r}", f"v{r}"]} for r in range(ROWS)],
        }
        session.post(f"{url}{API}/lookups", json=body, headers=headers, timeout=30).raise_for_status()

    def integration(n: int) -> None:
        code = f"WALL_{n:03d}"
        session.get(f"{url}{API}/integrations/{code}%7C01.00.0000", headers=headers, timeout=30)
        with (folder / f"{code}.iar").open("rb") as handle:
            answer = session.post(
                f"{url}{API}/integrations/archive",
                files={"file": (f"{code}.iar", handle, "application/octet-stream")},
                data={"type": "application/octet-stream"},
                headers=headers,
                timeout=30,
            )
        answer.raise_for_status()

    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(lookup, range(LOOKUPS)))
        list(pool.map(integration, range(INTEGRATIONS)))


if __name__ == "__main__":
    bare_loop(sys.argv[1], sys.argv[2], sys.argv[3], Path(sys.argv[4]), 1)
