"""Where run state may live: a local path, or an fsspec URL (`s3://bucket/prefix`, `gs://…`, `oci://…`,
`file://…`; in Airflow also `s3://conn_id@bucket/prefix`), opened here for backups, ledgers and journals."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeGuard

Location = str | Path


def is_remote(location: object) -> TypeGuard[str]:
    return isinstance(location, str) and "://" in location


class UnreadableLocation(ValueError):
    """A location this process cannot open whatever the storage says; the message says why."""


# Ways to open a URL before fsspec's own: the Airflow provider adds one for Airflow connection ids
# (`s3://conn_id@bucket/prefix`) when its operators run.
Opener = Callable[[str], "tuple[Any, str] | None"]
_OPENERS: list[Opener] = []


def open_with(opener: Opener) -> None:
    """Open URLs with `opener` first (it answers None for a URL it leaves to fsspec)."""
    if opener not in _OPENERS:
        _OPENERS.append(opener)


def filesystem(location: str) -> tuple[Any, str]:
    """The fsspec filesystem and path of a URL (its implementation, e.g. s3fs, must be installed)."""
    for opener in _OPENERS:
        opened = opener(location)
        if opened is not None:
            return opened
    conn_id = connection_named(location)
    if conn_id is not None:
        raise UnreadableLocation(
            f"{location} names a connection ({conn_id}@), which only Airflow reads; outside Airflow leave "
            "it out and give the storage's credentials in the environment"
        )
    from fsspec.core import url_to_fs

    return url_to_fs(location)


def connection_named(location: str) -> str | None:
    """The Airflow connection an object-storage URL names (`scheme://conn_id@bucket/…`), else None."""
    authority = location.split("://", 1)[1].split("/", 1)[0] if is_remote(location) else ""
    conn_id, at, _ = authority.partition("@")
    return conn_id if at and ":" not in conn_id else None


def names_under(fs: Any, folder: str) -> list[str]:
    """Every object under `folder`, listed afresh (fsspec caches listings); none when there is none."""
    fs.invalidate_cache(folder)
    try:
        return list(fs.find(folder))
    except FileNotFoundError:
        return []


def modified_at(info: Mapping[str, Any]) -> float:
    """When a listed object last changed, as a POSIX time (s3fs, local and memory filesystems name it
    differently)."""
    modified = info.get("LastModified") or info.get("mtime") or info.get("created") or 0
    return modified.timestamp() if hasattr(modified, "timestamp") else float(modified)


def failure(exc: BaseException) -> str:
    """A storage failure in a few words (its type and first line), for one-line messages."""
    first = str(exc).splitlines()[0][:200] if str(exc) else "no detail"
    return f"{type(exc).__name__}: {first}"


def remote_problem(folder: str, exclusive: bool = False) -> str | None:
    """Why run state could not be kept under the URL `folder` (one small object written and removed,
    before the run writes anything to OIC; `exclusive`: the storage must also refuse to create an object
    that exists, as a run's lease needs); None when it can."""
    try:
        fs, path = filesystem(folder)
    except UnreadableLocation as exc:
        return str(exc)
    probe = f"{path.rstrip('/')}/.oic-write-check"
    try:
        if not exclusive:
            fs.pipe_file(probe, b"")
        else:
            fs.pipe_file(probe, b"", mode="create")
            try:
                fs.pipe_file(probe, b"", mode="create")
            except FileExistsError:
                pass
            else:
                fs.rm(probe)
                return (
                    f"{folder} does not refuse to overwrite an object written only if absent (a conditional "
                    "write, If-None-Match), which the run's lease needs; use storage that does (Amazon S3, "
                    "Google Cloud Storage, MinIO) or a local state_path"
                )
        fs.rm(probe)
    except Exception as exc:  # any storage failure is the answer, named for the user
        return f"{folder} cannot be written ({failure(exc)})"
    return None
