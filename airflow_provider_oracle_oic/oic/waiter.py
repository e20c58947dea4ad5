"""One waiter for every pending activation and deactivation of a run, polling outside the request pool."""

from __future__ import annotations

import heapq
import itertools
import math
import threading
import time
from collections import Counter
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

from .errors import OICTimeoutError
from .polling import next_delay
from .reading import read_recent
from .resources.integrations import Integrations
from .status import settles_to

READERS = 4
# From this many waits in one scope on, they are read together.
TOGETHER = 8


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
    # Read from `activationStatus` next, whatever the scope's listing would say.
    alone: bool = field(default=False, compare=False)


class StatusWaiter:
    """Polls each pending integration at once, then ever less often (`polling.next_delay`); while many
    integrations of one scope are waited for, they are read together every `poll_interval` from the
    first pages of its listing, where OIC puts what changed last (`reading.read_recent`;
    docs/performance.md).

    Callers get a `Future` instead of a blocked thread, so twenty activations of a run overlap whatever
    `max_concurrency` is; the reads themselves go through the client like any request. A status read
    together settles a wait only when it is the status wanted, or a change under way towards it; any
    other, and a wait the listing's first pages miss, is read from `activationStatus` (the listing shows
    no activation errors).
    """

    def __init__(self, integrations: Integrations, timeout: float, poll_interval: float) -> None:
        self._integrations = integrations
        self._timeout = timeout
        self._poll_interval = poll_interval
        self._queue: list[_Pending] = []
        self._order = itertools.count()
        self._changed = threading.Condition()
        self._closed = False
        # Per scope: waits not yet settled, when they were last read together, whether that failed.
        self._waiting: Counter[Integrations] = Counter()
        self._read_at: dict[Integrations, float] = {}
        self._apart: set[Integrations] = set()
        self._readers = ThreadPoolExecutor(READERS, thread_name_prefix="oic-status")
        # Waits read together are read apart from the rest: never queued behind single reads.
        self._together_reader = ThreadPoolExecutor(1, thread_name_prefix="oic-status-together")
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
        with self._changed:
            self._waiting[pending.integrations] += 1
        self._push(pending)
        return pending.future

    def _push(self, pending: _Pending) -> None:
        with self._changed:
            heapq.heappush(self._queue, pending)
            self._changed.notify()

    def _loop(self) -> None:
        while True:
            with self._changed:
                while not self._closed and (not self._queue or self._queue[0].due > time.monotonic()):
                    self._changed.wait(self._queue[0].due - time.monotonic() if self._queue else None)
                if self._closed:
                    return
                pending = heapq.heappop(self._queue)
                scope = pending.integrations
                if pending.alone or not self._together(scope):
                    self._readers.submit(self._read, pending)
                    continue
                next_read = self._read_at.get(scope, -math.inf) + self._poll_interval
                now = time.monotonic()
                if now < next_read:
                    pending.due = next_read
                    heapq.heappush(self._queue, pending)
                    continue
                self._read_at[scope] = now
                batch = [pending, *self._take(scope)]
            self._together_reader.submit(self._read_together, scope, batch)

    def _together(self, scope: Integrations) -> bool:
        return self._waiting[scope] >= TOGETHER and scope not in self._apart

    def _take(self, scope: Integrations) -> list[_Pending]:
        """Every queued wait of `scope`, out of the queue, to be read together."""
        taken = [p for p in self._queue if p.integrations is scope and not p.alone]
        if taken:
            self._queue = [p for p in self._queue if p.integrations is not scope or p.alone]
            heapq.heapify(self._queue)
        return taken

    def _read_together(self, scope: Integrations, batch: list[_Pending]) -> None:
        try:
            found = read_recent(scope, [p.ident for p in batch])
        # Whatever failed, each wait is read on its own instead (none may stay unsettled), and this
        # scope's waits are not read together again.
        except Exception:
            with self._changed:
                self._apart.add(scope)
            for pending in batch:
                self._read_alone(pending)
            return
        for pending in batch:
            status = getattr(found.get(pending.ident), "status", None)
            if status == pending.wanted:
                self._settle(pending, status)
            elif settles_to(status) == pending.wanted:
                self._again(pending, str(status))
            else:
                self._read_alone(pending)

    def _read_alone(self, pending: _Pending) -> None:
        pending.alone = True
        pending.order = next(self._order)
        self._push(pending)

    def _read(self, pending: _Pending) -> None:
        try:
            status = pending.integrations.check(pending.ident, pending.wanted)
        except BaseException as exc:  # the caller of wait() decides what an error means
            self._settle(pending, exc)
            return
        if status == pending.wanted:
            self._settle(pending, status)
        else:
            self._again(pending, status)

    def _again(self, pending: _Pending, status: str) -> None:
        """Read `pending` again later, or fail it when its time is up."""
        now = time.monotonic()
        if now >= pending.deadline:
            self._settle(
                pending,
                OICTimeoutError(
                    f"Integration {pending.ident} is still {status} after {self._timeout:.0f} s "
                    f"(wanted {pending.wanted})"
                ),
            )
            return
        delay = next_delay(now - pending.started, self._poll_interval)
        pending.due = min(now + delay, pending.deadline)
        pending.order = next(self._order)
        pending.alone = False
        self._push(pending)

    def _settle(self, pending: _Pending, outcome: str | BaseException) -> None:
        with self._changed:
            self._waiting[pending.integrations] -= 1
        if isinstance(outcome, BaseException):
            pending.future.set_exception(outcome)
        else:
            pending.future.set_result(outcome)

    def close(self) -> None:
        """Stop polling; waits still pending fail with `OICTimeoutError`."""
        with self._changed:
            self._closed = True
            self._changed.notify()
        self._thread.join()
        self._together_reader.shutdown(wait=True)
        self._readers.shutdown(wait=True)
        for pending in self._queue:
            pending.future.set_exception(
                OICTimeoutError(f"Stopped waiting for integration {pending.ident} to become {pending.wanted}")
            )

    def __enter__(self) -> StatusWaiter:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
