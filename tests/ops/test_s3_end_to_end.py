"""S3 blob storage end to end (moto's S3 server on 127.0.0.1): a dataset uploaded through
the API, a fine-tune in a real worker that reads the base and writes its result on S3, and
downloads of the new version through presigned redirects, byte for byte."""

from __future__ import annotations

import hashlib
import urllib.request

import pytest

from adapters import demo_data
from tests.catalog.finetune_helpers import MINILM, dataset_upload, seed_starter, wait_for_job
from tests.s3 import BUCKET, S3_KEYS
from tests.worker import Worker

pytestmark = [
    pytest.mark.training,
    pytest.mark.worker,
    pytest.mark.s3,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def s3_worker(s3_blobs, s3_endpoint, tmp_path):
    """A worker whose blob storage is the same bucket (as production: HUB_S3_* variables)."""
    from hub.celery import app
    from tests.conftest import broker_purge

    env = {"HUB_S3_BUCKET": BUCKET, "HUB_S3_ENDPOINT_URL": s3_endpoint, **S3_KEYS}
    worker = Worker(tmp_path / "worker-blobs", tmp_path / "worker.log", extra_env=env)
    app.conf.task_default_queue = worker.queue
    broker_purge()
    worker.start()
    yield worker
    worker.stop()


def test_upload_finetune_download_on_s3(api, anon, s3_blobs, s3_worker, tmp_path):
    base = seed_starter(MINILM)
    rows, _ = demo_data.bbc_split(train_per_class=8, test_per_class=0, seed=11)
    dataset = dataset_upload(
        api, demo_data.write_text_csv(tmp_path / "news.csv", rows), "text-classification"
    ).json()
    assert s3_key(dataset["sha256"]) in keys(s3_blobs)  # the upload went to the bucket
    job_id = api.post(
        "/api/finetunes",
        {
            "model": base.full_name,
            "dataset": dataset["id"],
            "adapter": "text-classification",
            "target_name": "on-s3",
            "params": {"epochs": 3},
        },
        format="json",
    ).json()["id"]
    job = wait_for_job(api, job_id, {"succeeded", "failed", "cancelled"}, timeout=240)
    assert job["status"] == "succeeded", job

    siblings = api.get("/api/models/alice/on-s3").json()["siblings"]
    stored = keys(s3_blobs)
    for sibling in siblings:
        response = anon.get(f"/alice/on-s3/resolve/main/{sibling['rfilename']}")
        assert response.status_code == 302
        with urllib.request.urlopen(response["Location"]) as fetched:
            body = fetched.read()
        sha = hashlib.sha256(body).hexdigest()
        assert s3_key(sha) in stored  # written by the worker, to the bucket
        assert sibling.get("lfs", {}).get("sha256", sha) == sha and len(body) == sibling["size"]
    assert not list(s3_worker.blob_dir.rglob("sha256/*/*/*"))  # nothing on the local disk


def s3_key(sha: str) -> str:
    return f"sha256/{sha[:2]}/{sha[2:4]}/{sha}"


def keys(client) -> set[str]:
    pages = client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET)
    return {item["Key"] for page in pages for item in page.get("Contents", [])}
