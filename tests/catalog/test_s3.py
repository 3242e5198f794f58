"""The blob store on a real S3-API server (moto's, on 127.0.0.1): put, dedup, presigned GET."""

from __future__ import annotations

import socket
import urllib.request

import boto3
import pytest
from django.test import override_settings

from tests.helpers import create_model, upload

pytestmark = [pytest.mark.s3, pytest.mark.django_db]
BUCKET = "hub-blobs"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint():
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3_storage(s3_endpoint, settings, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    client.create_bucket(Bucket=BUCKET)
    storages = dict(settings.STORAGES)
    storages["blobs"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": BUCKET,
            "endpoint_url": s3_endpoint,
            "region_name": "us-east-1",
            "access_key": "testing",
            "secret_key": "testing",
            "querystring_expire": 120,
            "file_overwrite": True,
            "addressing_style": "path",
            "signature_version": "s3v4",
        },
    }
    with override_settings(STORAGES=storages):
        yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def keys(client) -> list[str]:
    return [item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", [])]


def test_put_dedup_and_presigned_download(api, anon, s3_storage):
    payload = b"weights" * 5000
    create_model(api, "s3model")
    assert (
        upload(api, "alice/s3model", [("w.raw", payload), ("copy.raw", payload)]).status_code == 201
    )
    assert upload(api, "alice/s3model", [("again.raw", payload)]).status_code == 201
    assert len(keys(s3_storage)) == 1 and keys(s3_storage)[0].startswith("sha256/")

    response = anon.get("/alice/s3model/resolve/main/w.raw")
    assert response.status_code == 302
    url = response["Location"]
    assert "X-Amz-Expires=120" in url and "X-Amz-Signature=" in url
    with urllib.request.urlopen(url) as fetched:
        assert fetched.read() == payload
    ranged = urllib.request.Request(url, headers={"Range": "bytes=7-13"})
    with urllib.request.urlopen(ranged) as fetched:
        assert fetched.status == 206 and fetched.read() == payload[7:14]


def test_failed_upload_leaves_no_object(api, s3_storage):
    create_model(api, "s3bad")
    response = upload(api, "alice/s3bad", [("../x.raw", b"data")])
    assert response.status_code == 400
    assert keys(s3_storage) == []


def test_blob_gc_deletes_unreferenced_and_orphaned_objects(api, s3_storage):
    import hashlib

    from catalog.models import Blob
    from catalog.services.blob_gc import blobs_collect

    create_model(api, "gone")
    assert upload(api, "alice/gone", [("w.raw", b"bytes of a deleted model")]).status_code == 201
    orphan = hashlib.sha256(b"orphan").hexdigest()
    orphan_key = f"sha256/{orphan[:2]}/{orphan[2:4]}/{orphan}"
    s3_storage.put_object(Bucket=BUCKET, Key=orphan_key, Body=b"orphan")
    assert api.delete("/api/models/alice/gone").status_code == 204

    collected = blobs_collect(grace_seconds=0)
    assert len(collected.blobs) == 1 and collected.orphans == [orphan_key]
    assert keys(s3_storage) == [] and not Blob.objects.exists()
