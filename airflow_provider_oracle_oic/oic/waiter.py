"""One waiter for every pending activation and deactivation of a run, polling outside the request pool."""

from __future__ import annotations

import heapq
import itertools
import math
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

from .errors import OICError, OICTimeoutError
from .polling import next_delay
from .resources.base import PAGE_SIZE
from .resources.integrations import Integrations
from .status import IntegrationStatus

READERS = 4
# From this many waits queued in one scope on, they are read together from the integrations listing
# (100 a request, as often as one wait would be read) instead of one `activationStatus` read each: a
# thousand activations cost tens of reads, not a thousand. A failed activation, or one the listing
# does not show, is still read on its own (OIC's errors come from there).
BATCH = 10


@dataclass(order=True)
class _Pending:
    due: float
    order: int
    ident: str = field(compare=False)
    wanted: str = field(compare=False)
    integrations: Integrations = field(compare=False)
    started: float = field(compare=False)
    deadline: float = field(compare=False)
    future: Future[str] = field(compare=False)


class StatusWaiter:
    """Polls each pending integration at once, then ever less often (`polling.next_delay`).

    Callers get a `Future` instead of a blocked thread, so twenty activations of a run overlap whatever
    `max_concurrency` is; the reads themselves go through the client like any request, and many waits
    of one scope share the listing's reads (`BATCH`).
    """

    def __init__(self, integrations: Integrations, timeout: float, poll_interval: float) -> None:
        self._integrations = integrations
        self._timeout = timeout
        self._poll_interval = poll_interval
        self._queue: list[_Pending] = []
        # Waits queued per scope (an `Integrations`, by identity), and when each scope's listing was read.
        self._queued: dict[int, int] = {}
        self._listed: dict[int, float] = {}
        self._order = itertools.count()
        self._changed = threading.Condition()
        self._closed = False
        self._readers = ThreadPoolExecutor(READERS, thread_name_prefix="oic-status")
        self._thread = threading.Thread(target=self._loop, name="oic-waiter", daemon=True)
        self._thread.start()

    def wait(self, ident: str, wanted: str, integrations: Integrations | None = None) -> Future[str]:
        """A future that resolves with `wanted`, or fails like `Integrations.wait_for_status`;
        `integrations` reads another scope's (an OIC 3 project's) instead of the waiter's own."""
        now = time.monotonic()
        pending = _Pending(
            now,
            next(self._order),
            ident,
            wanted,
            integrations or self._integrations,
            now,
            now + self._timeout,
            Future(),
        )
        self._push(pending)
        return pending.future

    def _push(self, pending: _Pending) -> None:
        with self._changed:
            heapq.heappush(self._queue, pending)
            self._queued[id(pending.integrations)] = self._queued.get(id(pending.integrations), 0) + 1
            self._changed.notify()

    def _pop(self) -> _Pending:
        pending = heapq.heappop(self._queue)
        self._queued[id(pending.integrations)] -= 1
        return pending

    def _loop(self) -> None:
        while True:
            with self._changed:
                while not self._closed and (not self._queue or self._queue[0].due > time.monotonic()):
                    self._changed.wait(self._queue[0].due - time.monotonic() if self._queue else None)
                if self._closed:
                    return
                scope = id(self._queue[0].integrations)
                if self._queued[scope] < BATCH:
                    self._readers.submit(self._read, self._pop())
                    continue
                now = time.monotonic()
                # The listing is read on the schedule of the longest wait it serves (see `next_delay`).
                gap = next_delay(now - self._queue[0].started, self._poll_interval)
                listed = self._listed.get(scope, float("-inf")) + gap
                if now < listed:
                    pending = self._pop()
                    pending.due, pending.order = listed, next(self._order)
                    self._push(pending)
                    continue
                self._listed[scope] = now
                group = self._take(scope, now + gap)
            self._readers.submit(self._read_listing, group)

    def _take(self, scope: int, until: float) -> list[_Pending]:
        """Every queued wait of `scope` due before `until` (read a little early rather than alone)."""
        group = [p for p in self._queue if id(p.integrations) == scope and p.due <= until]
        self._queue = [p for p in self._queue if not (id(p.integrations) == scope and p.due <= until)]
        heapq.heapify(self._queue)
        self._queued[scope] -= len(group)
        return group

    def _read_listing(self, group: list[_Pending]) -> None:
        """The statuses of `group` from the listing; what it does not settle is read on its own."""
        wanted = {p.ident for p in group}
        statuses: dict[str, str] = {}
        try:
            read, integrations = 0, group[0].integrations
            while True:
                page = integrations.page(read)
                statuses.update((i.id, i.status) for i in page.items if i.id in wanted)
                read += len(page.items)
                missing = len(wanted) - len(statuses)
                if not page.has_more or not missing:
                    break
                if page.total is not None and math.ceil((page.total - read) / PAGE_SIZE) >= missing:
                    break  # the rest costs less read one by one
        except OICError:
            statuses.clear()
        for pending in group:
            status = statuses.get(pending.ident)
            if status is None or status == IntegrationStatus.FAILEDACTIVATION:
                self._read(pending)
            else:
                self._settle(pending, status)

    def _read(self, pending: _Pending) -> None:
        try:
            status = pending.integrations.check(pending.ident, pending.wanted)
        except BaseException as exc:  # the caller of wait() decides what an error means
            pending.future.set_exception(exc)
            return
        self._settle(pending, status)

    def _settle(self, pending: _Pending, status: str) -> None:
        """Resolve `pending` when `status` is the one wanted, fail it past its deadline, else poll again."""
        now = time.monotonic()
        if status == pending.wanted:
            pending.future.set_result(status)
        elif now >= pending.deadline:
            pending.future.set_exception(
                OICTimeoutError(
                    f"Integration {pending.ident} is still {status} after {self._timeout:.0f} s "
                    f"(wanted {pending.wanted})"
                )
            )
        else:
            delay = next_delay(now - pending.started, self._poll_interval)
            pending.due = min(now + delay, pending.deadline)
            pending.order = next(self._order)
            self._push(pending)

    def close(self) -> None:
        """Stop polling; waits still pending fail with `OICTimeoutError`."""
        with self._changed:
            self._closed = True
            self._changed.notify()
        self._thread.join()
        self._readers.shutdown(wait=True)
        for pending in self._queue:
            pending.future.set_exception(
                OICTimeoutError(f"Stopped waiting for integration {pending.ident} to become {pending.wanted}")
            )

    def __enter__(self) -> StatusWaiter:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
