"""One waiter for every pending activation and deactivation of a run, polling outside the request pool."""

from __future__ import annotations

import heapq
import itertools
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

from .errors import OICTimeoutError
from .polling import next_delay
from .resources.integrations import Integrations

READERS = 4


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
    `max_concurrency` is; the reads themselves go through the client like any request.
    """

    def __init__(self, integrations: Integrations, timeout: float, poll_interval: float) -> None:
        self._integrations = integrations
        self._timeout = timeout
        self._poll_interval = poll_interval
        self._queue: list[_Pending] = []
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
            self._changed.notify()

    def _loop(self) -> None:
        while True:
            with self._changed:
                while not self._closed and (not self._queue or self._queue[0].due > time.monotonic()):
                    self._changed.wait(self._queue[0].due - time.monotonic() if self._queue else None)
                if self._closed:
                    return
                pending = heapq.heappop(self._queue)
            self._readers.submit(self._read, pending)

    def _read(self, pending: _Pending) -> None:
        try:
            status = pending.integrations.check(pending.ident, pending.wanted)
        except BaseException as exc:  # the caller of wait() decides what an error means
            pending.future.set_exception(exc)
            return
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
