"""The blob store on a real S3-API server (moto's, on 127.0.0.1): put, dedup, presigned GET,
garbage collection."""

from __future__ import annotations

import urllib.request

import pytest

from tests.helpers import create_model, upload
from tests.s3 import BUCKET

pytestmark = [pytest.mark.s3, pytest.mark.django_db]


def keys(client) -> list[str]:
    return [item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", [])]


def test_put_dedup_and_presigned_download(api, anon, s3_blobs):
    payload = b"weights" * 5000
    create_model(api, "s3model")
    assert (
        upload(api, "alice/s3model", [("w.raw", payload), ("copy.raw", payload)]).status_code == 201
    )
    assert upload(api, "alice/s3model", [("again.raw", payload)]).status_code == 201
    assert len(keys(s3_blobs)) == 1 and keys(s3_blobs)[0].startswith("sha256/")

    response = anon.get("/alice/s3model/resolve/main/w.raw")
    assert response.status_code == 302
    url = response["Location"]
    assert "X-Amz-Expires=120" in url and "X-Amz-Signature=" in url
    with urllib.request.urlopen(url) as fetched:
        assert fetched.read() == payload
    ranged = urllib.request.Request(url, headers={"Range": "bytes=7-13"})
    with urllib.request.urlopen(ranged) as fetched:
        assert fetched.status == 206 and fetched.read() == payload[7:14]


def test_failed_upload_leaves_no_object(api, s3_blobs):
    create_model(api, "s3bad")
    response = upload(api, "alice/s3bad", [("../x.raw", b"data")])
    assert response.status_code == 400
    assert keys(s3_blobs) == []


def test_blob_gc_deletes_unreferenced_and_orphaned_objects(api, s3_blobs):
    import hashlib

    from catalog.models import Blob
    from catalog.services.blob_gc import blobs_collect

    create_model(api, "gone")
    assert upload(api, "alice/gone", [("w.raw", b"bytes of a deleted model")]).status_code == 201
    orphan = hashlib.sha256(b"orphan").hexdigest()
    orphan_key = f"sha256/{orphan[:2]}/{orphan[2:4]}/{orphan}"
    s3_blobs.put_object(Bucket=BUCKET, Key=orphan_key, Body=b"orphan")
    assert api.delete("/api/models/alice/gone").status_code == 204

    collected = blobs_collect(grace_seconds=0)
    assert len(collected.blobs) == 1 and collected.orphans == [orphan_key]
    assert keys(s3_blobs) == [] and not Blob.objects.exists()
