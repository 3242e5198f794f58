"""S3 fixtures (registered in tests/conftest.py): a moto S3 server on 127.0.0.1 for the
session, and blob storage on a fresh bucket of it per test."""

from __future__ import annotations

import boto3
import pytest
from django.test import override_settings

from tests.ops.nginx import free_port

BUCKET = "hub-ops-blobs"
S3_KEYS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}


@pytest.fixture(scope="session")
def s3_endpoint():
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


def s3_options(endpoint: str) -> dict:
    return {
        "bucket_name": BUCKET,
        "endpoint_url": endpoint,
        "region_name": "us-east-1",
        "access_key": "testing",
        "secret_key": "testing",
        "querystring_expire": 120,
        "file_overwrite": True,
        "addressing_style": "path",
        "signature_version": "s3v4",
    }


@pytest.fixture
def s3_blobs(s3_endpoint, settings, monkeypatch):
    """Blob storage on a fresh bucket of the moto server, for this test."""
    for key, value in S3_KEYS.items():
        monkeypatch.setenv(key, value)
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1", **_keys())
    client.create_bucket(Bucket=BUCKET)
    storages = dict(settings.STORAGES)
    storages["blobs"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": s3_options(s3_endpoint),
    }
    with override_settings(STORAGES=storages):
        yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def _keys() -> dict[str, str]:
    return {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
