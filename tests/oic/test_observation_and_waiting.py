"""Reading many artifacts by the page, and one waiter for many activations, over real HTTP."""

from __future__ import annotations

import threading
import time
from concurrent.futures import Future
from dataclasses import replace

import pytest

from airflow_provider_oracle_oic.emulator import EmulatorServer
from airflow_provider_oracle_oic.oic import OICActivationError, OICClient, OICTimeoutError
from airflow_provider_oracle_oic.oic.reading import read_many, read_recent
from airflow_provider_oracle_oic.oic.resources.base import Page
from airflow_provider_oracle_oic.oic.waiter import StatusWaiter
from tests.oic.conftest import make_config

LIST = "GET /ic/api/integration/v1/integrations"


def _requests(server: EmulatorServer) -> dict[str, int]:
    return server.stats()["requests"]


def test_many_ids_are_read_from_the_listing_page_by_page(client, oic_emulator):
    oic_emulator.seed(
        {"integrations": [{"code": f"BULK_{n:03d}", "version": "01.00.0000"} for n in range(230)]}
    )
    oic_emulator.reset_stats()
    wanted = [f"BULK_{n:03d}|01.00.0000" for n in (0, 5, 120, 229)] + ["ABSENT|01.00.0000"]
    found = read_many(client.integrations, wanted, 4)
    assert list(found) == wanted
    assert found["ABSENT|01.00.0000"] is None
    assert all(found[w].id == w for w in wanted[:4])
    requests = _requests(oic_emulator)
    assert requests[LIST] == 3
    assert sum(requests.values()) == 3


class _CountingListing:
    """Integrations whose pages count how many are read at once; `total` may under-state the listing."""

    def __init__(self, client: OICClient, total: int | None = None) -> None:
        self.integrations = client.integrations
        self.total = total
        self._lock = threading.Lock()
        self.in_flight = self.most = self.pages = 0

    def page(self, offset: int) -> Page:
        with self._lock:
            self.in_flight += 1
            self.pages += 1
            self.most = max(self.most, self.in_flight)
        try:
            page = self.integrations.page(offset)
        finally:
            with self._lock:
                self.in_flight -= 1
        return Page(page.items, page.has_more, self.total if self.total is not None else page.total)

    def key_of(self, item) -> str:
        return item.id

    def find(self, ident: str):
        return self.integrations.find(ident)


def test_the_pages_after_the_first_are_read_at_once_when_oic_says_how_many(client, oic_emulator):
    oic_emulator.seed(
        {"integrations": [{"code": f"BULK_{n:03d}", "version": "01.00.0000"} for n in range(650)]}
    )
    oic_emulator.set_faults([{"route": "/ic/api/integration/v1/integrations", "latency_ms": 200}])
    try:
        listing = _CountingListing(client)
        wanted = [f"BULK_{n:03d}|01.00.0000" for n in range(0, 650, 10)] + ["ABSENT|01.00.0000"]
        found = read_many(listing, wanted, 4)
    finally:
        oic_emulator.clear_faults()
    assert [found[w].id for w in wanted[:-1]] == wanted[:-1]
    assert found["ABSENT|01.00.0000"] is None
    assert listing.pages == 7
    assert listing.most > 1, "the pages after the first were read one after the other"


def test_a_listing_longer_than_oic_said_is_read_to_its_end(client, oic_emulator):
    oic_emulator.seed(
        {"integrations": [{"code": f"BULK_{n:03d}", "version": "01.00.0000"} for n in range(450)]}
    )
    listing = _CountingListing(client, total=250)
    wanted = [f"BULK_{n:03d}|01.00.0000" for n in range(0, 450, 10)] + ["ABSENT|01.00.0000"]
    found = read_many(listing, wanted, 4)
    assert [found[w].id for w in wanted[:-1]] == wanted[:-1]
    assert found["ABSENT|01.00.0000"] is None
    assert listing.pages == 5


def test_few_ids_are_read_one_by_one(client, oic_emulator):
    oic_emulator.seed({"integrations": [{"code": "ONE", "version": "01.00.0000"}]})
    # A client that has had an answer from the API needs no route check before believing a 404.
    client.integrations.find("ONE|01.00.0000")
    oic_emulator.reset_stats()
    found = read_many(client.integrations, ["ONE|01.00.0000", "TWO|01.00.0000"], 4)
    assert found["ONE|01.00.0000"].code == "ONE"
    assert found["TWO|01.00.0000"] is None
    assert LIST not in _requests(oic_emulator)


class _PartialListing:
    """A family whose listing leaves out each lookup's rows, as a real OIC may."""

    def __init__(self, client: OICClient) -> None:
        self.lookups = client.lookups
        self.reads: list[str] = []

    def page(self, offset: int) -> Page:
        page = self.lookups.page(offset)
        return Page([_without_rows(item) for item in page.items], page.has_more, page.total)

    def key_of(self, item) -> str:
        return item.name

    def find(self, ident: str):
        self.reads.append(ident)
        return self.lookups.find(ident)


def _without_rows(item):
    return replace(item, rows=(), complete=False)


def test_a_listing_entry_without_rows_is_read_on_its_own(client):
    for n in range(4):
        client.lookups.create(f"L{n}", ["a", "b"], [[str(n), "x"]], None)
    partial = _PartialListing(client)
    found = read_many(partial, ["L0", "L1", "L2", "L3"], 2)
    assert sorted(partial.reads) == ["L0", "L1", "L2", "L3"]
    assert found["L2"].rows == (("2", "x"),)


def test_one_waiter_overlaps_many_activations(iar):
    config = EmulatorServer().with_config(activation_delay=1.0)
    with EmulatorServer(config) as server, OICClient(make_config(server)) as oic:
        ids = []
        for n in range(12):
            path = iar(f"WAIT_{n:02d}")
            oic.integrations.import_archive(path)
            ids.append(f"WAIT_{n:02d}|01.00.0000")
        with oic.in_flight(1), StatusWaiter(oic.integrations, timeout=30, poll_interval=5) as waiter:
            started = time.monotonic()
            futures = []
            for ident in ids:
                oic.integrations.activate(ident)
                futures.append(waiter.wait(ident, "ACTIVATED"))
            assert [f.result(timeout=30) for f in futures] == ["ACTIVATED"] * 12
            elapsed = time.monotonic() - started
        # Twelve one-second activations, one request in flight at a time: they overlap.
        assert elapsed < 6, elapsed


def test_waiter_reports_failed_activation_and_timeout(iar):
    config = EmulatorServer().with_config(activation_delay=5.0)
    with EmulatorServer(config) as server, OICClient(make_config(server)) as oic:
        oic.integrations.import_archive(iar("SLOW"))
        oic.integrations.activate("SLOW|01.00.0000")
        with (
            StatusWaiter(oic.integrations, timeout=0.3, poll_interval=0.05) as waiter,
            pytest.raises(OICTimeoutError, match=r"SLOW.*still ACTIVATION_INPROGRESS"),
        ):
            waiter.wait("SLOW|01.00.0000", "ACTIVATED").result(timeout=10)


def test_waiter_carries_activation_errors(client, iar):
    client.integrations.import_archive(iar("NEEDS", connections=("UNSET_CONN",)))
    client.integrations.activate("NEEDS|01.00.0000")
    with (
        StatusWaiter(client.integrations, timeout=10, poll_interval=0.1) as waiter,
        pytest.raises(OICActivationError, match="NEEDS"),
    ):
        waiter.wait("NEEDS|01.00.0000", "ACTIVATED").result(timeout=10)


STATUS = "GET /ic/api/integration/v1/integrations/{ident}/activationStatus"


def _imported(oic: OICClient, iar, prefix: str, count: int) -> list[str]:
    """Import `count` integrations named PREFIX_NN; their ids."""
    ids = [f"{prefix}_{n:02d}|01.00.0000" for n in range(count)]
    for ident in ids:
        oic.integrations.import_archive(iar(ident.split("|")[0]))
    return ids


def _activated(oic: OICClient, waiter: StatusWaiter, ids: list[str]) -> list[Future[str]]:
    """Activate each of `ids`, waiting for each."""
    futures = []
    for ident in ids:
        oic.integrations.activate(ident)
        futures.append(waiter.wait(ident, "ACTIVATED"))
    return futures


def test_many_waits_are_read_together_from_the_listing(iar):
    """Thirty activations in one scope: their statuses come from the listing's first page, not from
    thirty `activationStatus` reads (each wait needed one at least before)."""
    config = EmulatorServer().with_config(activation_delay=1.0)
    with EmulatorServer(config) as server, OICClient(make_config(server)) as oic:
        server.seed({"integrations": [{"code": f"OLD_{n:03d}", "version": "01.00.0000"} for n in range(150)]})
        ids = _imported(oic, iar, "MANY", 30)
        for ident in ids:
            oic.integrations.activate(ident)
        server.reset_stats()
        with StatusWaiter(oic.integrations, timeout=30, poll_interval=0.2) as waiter:
            futures = [waiter.wait(ident, "ACTIVATED") for ident in ids]
            assert [f.result(timeout=30) for f in futures] == ["ACTIVATED"] * 30
        reads = _requests(server)
        assert all(oic.integrations.get(i).status == "ACTIVATED" for i in ids)
    assert reads.get(STATUS, 0) < len(ids), reads
    assert reads.get(LIST, 0) >= 1, reads


def test_a_failed_activation_read_together_still_carries_oics_errors(iar):
    config = EmulatorServer().with_config(activation_delay=0.3)
    with EmulatorServer(config) as server, OICClient(make_config(server)) as oic:
        ids = _imported(oic, iar, "GOOD", 12)
        oic.integrations.import_archive(iar("NEEDS", connections=("UNSET_CONN",)))
        with StatusWaiter(oic.integrations, timeout=30, poll_interval=0.2) as waiter:
            *good, needs = _activated(oic, waiter, [*ids, "NEEDS|01.00.0000"])
            assert [f.result(timeout=30) for f in good] == ["ACTIVATED"] * 12
            with pytest.raises(OICActivationError, match="NEEDS"):
                needs.result(timeout=30)


def test_waits_read_together_fall_back_to_one_by_one_when_the_listing_fails(iar):
    config = EmulatorServer().with_config(activation_delay=0.3)
    with EmulatorServer(config) as server, OICClient(make_config(server, max_retries=0)) as oic:
        ids = _imported(oic, iar, "FALL", 10)
        server.set_faults([{"route": "/ic/api/integration/v1/integrations", "methods": ["GET"], "p500": 1.0}])
        server.reset_stats()
        # A second listing could start only a poll interval after the first, which fails at once.
        with StatusWaiter(oic.integrations, timeout=30, poll_interval=1.0) as waiter:
            futures = _activated(oic, waiter, ids)
            assert [f.result(timeout=30) for f in futures] == ["ACTIVATED"] * 10
        reads = _requests(server)
    # The one listing that failed, then every wait read on its own.
    assert reads.get(LIST, 0) == 1, reads
    assert reads.get(STATUS, 0) >= len(ids), reads


def test_waits_read_together_still_time_out(iar):
    config = EmulatorServer().with_config(activation_delay=5.0)
    with EmulatorServer(config) as server, OICClient(make_config(server)) as oic:
        ids = _imported(oic, iar, "SLOW", 10)
        with StatusWaiter(oic.integrations, timeout=0.5, poll_interval=0.1) as waiter:
            for future in _activated(oic, waiter, ids):
                with pytest.raises(OICTimeoutError, match=r"still ACTIVATION_INPROGRESS"):
                    future.result(timeout=10)


def test_recently_changed_ids_are_found_on_the_listings_first_page(client, oic_emulator, iar):
    oic_emulator.seed(
        {"integrations": [{"code": f"QUIET_{n:03d}", "version": "01.00.0000"} for n in range(250)]}
    )
    for code in ("FRESH_A", "FRESH_B"):
        client.integrations.import_archive(iar(code))
    oic_emulator.reset_stats()
    found = read_recent(client.integrations, ["FRESH_A|01.00.0000", "FRESH_B|01.00.0000", "GONE|01.00.0000"])
    assert set(found) == {"FRESH_A|01.00.0000", "FRESH_B|01.00.0000"}
    # The first page found both; the second found none of what was left: no third page.
    assert _requests(oic_emulator) == {LIST: 2}
