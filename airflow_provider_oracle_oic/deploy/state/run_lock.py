"""One deployment at a time per ledger: two runs against the same OIC and ledger would race on the
same artifacts and on the ledger itself. A local ledger is guarded by `flock`; one in object storage by
a lease object, created only if absent (a conditional write) and renewed while the run lasts."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .locations import Location, failure, filesystem, is_remote

try:
    import fcntl
except ImportError:  # Windows has no flock; runs there are not serialised.
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

# A lease its holder stopped renewing (a killed pod) is free after this long.
LEASE_SECONDS = 120.0


class Busy(Exception):
    """Another run holds the lock; `setting` is the one that put the lock where it is."""

    def __init__(self, message: str, setting: str = "state_path") -> None:
        super().__init__(message)
        self.setting = setting


@dataclass(frozen=True)
class RunLock:
    """Where a run's lock lives (a lock file, or a lease object in object storage): beside a ledger
    (`<state_path>.lock`), or, for ledgers kept in Airflow Variables, in the backups' storage; `setting`
    names what put it there."""

    place: Location
    setting: str = "state_path"

    @classmethod
    def beside(cls, state_path: Location) -> RunLock:
        if is_remote(state_path):
            return cls(f"{state_path}.lock")
        path = Path(state_path)
        return cls(path.with_name(path.name + ".lock"))


@contextlib.contextmanager
def exclusive(lock: RunLock | None, task: str = "") -> Iterator[None]:
    """Hold `lock` for the duration (`task` says who holds it, beyond the process); `Busy` naming the
    holder when another run has it."""
    if lock is None:
        yield
    elif is_remote(lock.place):
        with Lease(str(lock.place), task=task, setting=lock.setting).held():
            yield
    else:
        with _flocked(Path(lock.place)):
            yield


@contextlib.contextmanager
def _flocked(lock_path: Path) -> Iterator[None]:
    """Hold the lock file `lock_path` with flock."""
    if fcntl is None:
        yield
        return
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


class Lease:
    """A lease object at an fsspec URL: taken by creating it only if absent, renewed by its holder,
    free once it has expired (its holder was killed) or its holder removed it."""

    def __init__(
        self, url: str, seconds: float = LEASE_SECONDS, task: str = "", setting: str = "state_path"
    ) -> None:
        self.url = url
        self.setting = setting
        self.seconds = seconds
        self.token = uuid.uuid4().hex
        self.task = task
        self.holder = f"pid {os.getpid()} on {socket.gethostname()}" + (f", {task}" if task else "")
        self._stop = threading.Event()

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        fs, path = filesystem(self.url)
        self._take(fs, path)
        renewer = threading.Thread(target=self._renew, args=(fs, path), name="oic-lease", daemon=True)
        renewer.start()
        try:
            yield
        finally:
            self._stop.set()
            renewer.join()
            with contextlib.suppress(Exception):  # a lease left behind expires by itself
                if self._ours(fs, path):
                    fs.rm(path)

    def _body(self) -> bytes:
        now = time.time()
        return json.dumps(
            {
                "holder": self.holder,
                "host": socket.gethostname(),
                "pid": os.getpid(),
                "token": self.token,
                "task": self.task,
                "renewed": now,
                "expires": now + self.seconds,
            }
        ).encode()

    def _take(self, fs: Any, path: str) -> None:
        removed = False
        for _ in range(5):
            try:
                fs.pipe_file(path, self._body(), mode="create")
                return
            except FileExistsError:
                pass
            except Exception as exc:
                raise self._busy(
                    f"the lease {self.url} cannot be taken ({failure(exc)}); fix the {self.setting}"
                ) from None
            try:
                held = _read(fs, path)
            except Exception as exc:
                raise self._busy(
                    f"the lease {self.url} cannot be read ({failure(exc)}); fix the {self.setting}"
                ) from None
            if held is None:
                continue
            expires = float(held.get("expires", 0))
            if expires > time.time() and not _holder_gone(held) and not self._earlier_try(held):
                if not self._stale(held):
                    until = datetime.fromtimestamp(expires, timezone.utc).strftime("%H:%M:%S UTC")
                    raise self._busy(
                        f"another target-oracle-oic run ({held.get('holder', 'unknown')}) holds {self.url} "
                        f"(renewed while it runs; free by {until} if it was killed); wait for it to finish, "
                        "then run again"
                    )
                # Its holder stopped renewing it (a worker lost mid-run whose task Airflow retried soon):
                # wait out the rest of it rather than fail the retry.
                log.warning(
                    "The lease %s of %s was last renewed %.0f s ago; waiting %.0f s for it to run out",
                    self.url,
                    held.get("holder", "an unknown run"),
                    time.time() - float(held.get("renewed", 0)),
                    expires - time.time(),
                )
                time.sleep(max(expires - time.time(), 0) + 0.1)
                continue  # read it again: a slow holder may have renewed it meanwhile
            if removed:
                break
            # Expired, or its holder is gone (died on this host, or an earlier try of this task): removed
            # once; the create above decides again.
            with contextlib.suppress(FileNotFoundError):
                fs.rm(path)
            removed = True
        raise self._busy(
            f"another target-oracle-oic run took {self.url} first; wait for it to finish, then run again"
        )

    def _earlier_try(self, held: dict[str, Any]) -> bool:
        """Whether an earlier try of this Airflow task holds the lease: Airflow starts a new try only once
        it has given the earlier one up (its worker lost), so that holder is gone whatever the host."""
        return bool(self.task) and held.get("task") == self.task

    def _stale(self, held: dict[str, Any]) -> bool:
        """Whether the lease's holder missed two renewals (it renews four times per lease)."""
        return time.time() - float(held.get("renewed", time.time())) > self.seconds / 2

    def _busy(self, message: str) -> Busy:
        return Busy(message, self.setting)

    def _renew(self, fs: Any, path: str) -> None:
        while not self._stop.wait(self.seconds / 4):
            # A failed renewal is tried again next time; the lease lasts four renewal periods.
            with contextlib.suppress(Exception):
                if self._ours(fs, path):
                    fs.pipe_file(path, self._body())

    def _ours(self, fs: Any, path: str) -> bool:
        held = _read(fs, path)
        return held is not None and held.get("token") == self.token


def _read(fs: Any, path: str) -> dict[str, Any] | None:
    """A lease's content: None when it is gone, empty (expired) when it is not a lease; a storage
    failure is raised (a lease that could not be read must not be taken)."""
    try:
        body = fs.cat_file(path)
    except FileNotFoundError:
        return None
    try:
        held = json.loads(body)
        float(held["expires"])
    except (ValueError, TypeError, KeyError):
        return {}
    return held if isinstance(held, dict) else {}


def _holder_gone(held: dict[str, Any]) -> bool:
    """Whether the lease's holder ran on this host and its process is gone (a killed run re-run here
    need not wait for the lease to expire)."""
    if held.get("host") != socket.gethostname() or not isinstance(held.get("pid"), int):
        return False
    try:
        os.kill(held["pid"], 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False
    return False
