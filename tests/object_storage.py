"""S3-compatible object storage for tests: moto's server on a free loopback port, with one bucket."""

from __future__ import annotations

import socket

import pytest

BUCKET = "oic-backups"


@pytest.fixture(scope="session")
def s3(tmp_path_factory):
    """moto's S3 server on a free loopback port, a bucket, and the AWS settings s3fs reads."""
    from moto.server import ThreadedMotoServer

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    saved = pytest.MonkeyPatch()
    for name, value in {
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test-secret",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": endpoint,
    }.items():
        saved.setenv(name, value)
    import boto3

    boto3.client("s3", endpoint_url=endpoint).create_bucket(Bucket=BUCKET)
    import s3fs

    # s3fs reuses filesystem instances across calls; one made for another endpoint must not answer.
    s3fs.S3FileSystem.clear_instance_cache()
    yield boto3.client("s3", endpoint_url=endpoint)
    saved.undo()
    server.stop()


def keys(s3) -> list[str]:
    return sorted(o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET).get("Contents", []))
