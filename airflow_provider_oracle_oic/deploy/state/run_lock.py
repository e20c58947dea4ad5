"""One deployment at a time per ledger: two runs against the same OIC and ledger would race on the
same artifacts and on the ledger itself."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows has no flock; runs there are not serialised.
    fcntl = None  # type: ignore[assignment]


class Busy(Exception):
    """Another run holds the lock."""


@contextlib.contextmanager
def exclusive(state_path: Path | None) -> Iterator[None]:
    """Hold `<state_path>.lock` for the duration; `Busy` naming the holder when another run has it."""
    if state_path is None or fcntl is None:
        yield
        return
    lock_path = state_path.with_name(state_path.name + ".lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 64).decode(errors="replace").strip() or "unknown"
            raise Busy(
                f"another target-oracle-oic run (pid {holder}) is deploying with this state_path; "
                "wait for it to finish, then run again"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        yield
    finally:
        os.close(fd)
