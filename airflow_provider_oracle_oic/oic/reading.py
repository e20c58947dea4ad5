"""Read many artifacts of one family in as few requests as OIC's listing allows."""

from __future__ import annotations

import math
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol

from .resources.base import PAGE_SIZE, Page

# Up to this many ids of a family are read one by one; more are looked for in the listing.
DIRECT_READS = 2


class Listable(Protocol):
    """A resource family read by the page or one artifact at a time."""

    def page(self, offset: int) -> Page[Any]: ...

    def key_of(self, item: Any) -> str: ...

    def find(self, ident: str) -> Any: ...


def _take(resource: Listable, page: Page[Any], missing: set[str], found: dict[str, Any]) -> int:
    """Move the page's items still `missing` into `found`; how many there were."""
    hits = 0
    for item in page.items:
        key = resource.key_of(item)
        if key in missing:
            found[key] = item
            missing.discard(key)
            hits += 1
    return hits


def _worth_paging(missing: int, read: int, total: int | None) -> bool:
    """Whether reading on page by page costs fewer requests than reading the `missing` ids one by one."""
    if total is None or total <= read:
        # OIC does not say how many there are (docs/oic-reference.md §2 leaves totalResults unverified).
        return missing > DIRECT_READS
    return math.ceil((total - read) / PAGE_SIZE) < missing


def read_many(resource: Listable, idents: Iterable[str], concurrency: int) -> dict[str, Any]:
    """What OIC holds for each id (None when absent), in as few requests as the listing allows.

    The listing is read while that is cheaper than reading the ids still missing one by one (the pages
    after the first at once when OIC says how many there are); an entry the listing gives only in part
    (a lookup without its rows) is read on its own.
    """
    wanted = list(dict.fromkeys(idents))
    found: dict[str, Any] = {}
    missing = set(wanted)

    if len(wanted) > DIRECT_READS:
        read, queued = 0, [resource.page(0)]
        while queued:
            page = queued.pop(0)
            _take(resource, page, missing, found)
            read += len(page.items)
            if not page.has_more:
                found.update(dict.fromkeys(missing))
                missing.clear()
            elif queued:
                continue
            elif missing and _worth_paging(len(missing), read, page.total):
                queued = _next_pages(resource, read, len(page.items), page.total, concurrency)
    again = [*missing, *(k for k, v in found.items() if v is not None and not getattr(v, "complete", True))]
    if again:
        with ThreadPoolExecutor(max(min(concurrency, len(again)), 1), thread_name_prefix="oic-read") as pool:
            found.update(zip(again, pool.map(resource.find, again), strict=True))
    return {key: found[key] for key in wanted}


def _next_pages(
    resource: Listable, read: int, step: int, total: int | None, concurrency: int
) -> list[Page[Any]]:
    """The listing's next page, or every page up to OIC's `total` read at once (a listing that grew
    meanwhile is read on from the last one)."""
    offsets = range(read, total, step) if total is not None and total > read else range(read, read + 1)
    if len(offsets) == 1:
        return [resource.page(read)]
    with ThreadPoolExecutor(min(concurrency, len(offsets)), thread_name_prefix="oic-page") as pool:
        return list(pool.map(resource.page, offsets))


def read_recent(resource: Listable, idents: Iterable[str]) -> dict[str, Any]:
    """What the listing holds for each of `idents` that changed lately (absent: not found there).

    OIC lists newest first (by last update), so artifacts that just changed lead it: pages are read one
    by one while each finds some of them or the rest of the listing costs fewer requests than reading
    the ids still missing one by one, which is left to the caller.
    """
    missing = set(idents)
    found: dict[str, Any] = {}
    offset = 0
    while missing:
        page = resource.page(offset)
        hits = _take(resource, page, missing, found)
        offset += len(page.items)
        if not page.has_more or not (hits or _worth_paging(len(missing), offset, page.total)):
            break
    return found
