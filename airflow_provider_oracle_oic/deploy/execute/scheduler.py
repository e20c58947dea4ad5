"""The order of a run: each step of a plan starts as soon as the steps it needs are done, at most
`concurrency` at once; once a result says stop, no further step starts. It knows nothing of what a
step writes (the applier does)."""

from __future__ import annotations

import heapq
import queue
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import Any, Generic, TypeVar

from ..plan.dependencies import dependencies
from ..plan.planner import Plan, Step

T = TypeVar("T")
U = TypeVar("U")
R = TypeVar("R")


@dataclass
class Scheduled(Generic[R]):
    """Each step's result by position (None: never started), and whether a result stopped the run."""

    results: list[R | None]
    stopped: bool


def then(source: Future[T], step: Callable[[Future[T]], U]) -> Future[U]:
    """A future of `step(source)` once `source` is done; whatever `step` raises ends up in it, so a
    failure in a callback can never leave the run waiting for a result that will not come."""
    result: Future[U] = Future()

    def run(done: Future[T]) -> None:
        try:
            result.set_result(step(done))
        except BaseException as exc:
            result.set_exception(exc)

    source.add_done_callback(run)
    return result


def _deliver(finished: queue.Queue[tuple[int, Future[Any]]], n: int, future: Future[Any]) -> None:
    finished.put((n, future))


def schedule(
    plan: Plan,
    start: Callable[[Step], R | Future[R]],
    concurrency: int,
    stop: Callable[[R], bool],
) -> Scheduled[R]:
    """Run `start` on every step whose needs are done, in a pool of `concurrency` threads. `start` gives
    a result, or a future of one (an activation sent, its wait elsewhere), which holds no thread."""
    needs = dependencies(plan)
    results: list[R | None] = [None] * len(plan.steps)
    finished: queue.Queue[tuple[int, Future[Any]]] = queue.Queue()
    # Each step's needs not yet met, and who waits for each step: a step is ready when its count is 0
    # (found as steps finish, not by scanning every waiting step after each one).
    unmet = [len(n) for n in needs]
    waiters: list[list[int]] = [[] for _ in plan.steps]
    for n, wanted in enumerate(needs):
        for d in wanted:
            waiters[d].append(n)
    ready = [n for n, count in enumerate(unmet) if count == 0]
    heapq.heapify(ready)
    stopped = False
    # Started and not finished; of those, the ones holding a thread. No more are handed to the pool
    # than it has free threads, so a stop really starts nothing more (queued work would still run).
    running: set[int] = set()
    in_thread: set[int] = set()
    with ThreadPoolExecutor(concurrency, thread_name_prefix="oic-deploy") as pool:
        while ready or running:
            while not stopped and ready and len(in_thread) < concurrency:
                n = heapq.heappop(ready)
                running.add(n)
                in_thread.add(n)
                pool.submit(start, plan.steps[n]).add_done_callback(partial(_deliver, finished, n))
            if not running:
                break
            n, future = finished.get()
            in_thread.discard(n)
            outcome = future.result()
            if isinstance(outcome, Future):
                outcome.add_done_callback(partial(_deliver, finished, n))
                continue
            running.discard(n)
            results[n] = outcome
            stopped = stopped or stop(outcome)
            for m in waiters[n]:
                unmet[m] -= 1
                if unmet[m] == 0:
                    heapq.heappush(ready, m)
    return Scheduled(results, stopped)
