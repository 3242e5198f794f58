"""Per-user quotas (catalog/services/quotas.py): bytes stored, LFS staging and fine-tune jobs.
Over a byte quota: 413, over the job quota: 429, each with the limit and the current use."""

from __future__ import annotations

import hashlib
import json
from urllib.parse import urlsplit

import pytest
from django.test import Client

from catalog.errors import PayloadTooLarge
from catalog.models import Blob, Dataset, FineTuneJob, Model
from catalog.services.quotas import quota_check_bytes, usage_bytes_stored, usage_lfs_staging
from tests.helpers import create_model, multipart, upload

pytestmark = pytest.mark.django_db


def test_usage_counts_distinct_blobs_of_the_users_versions_and_datasets(api, alice, bob):
    create_model(api, "m")
    assert upload(api, "alice/m", [("a.bin", b"a" * 100)]).status_code == 201
    # A second version keeps a.bin (same blob, counted once) and adds 50 bytes.
    assert upload(api, "alice/m", [("b.bin", b"b" * 50)]).status_code == 201
    blob = Blob.objects.create(sha256="d" * 64, size=1_000)
    Dataset.objects.create(owner=alice, name="d.csv", blob=blob, kind="text", format="csv")
    assert usage_bytes_stored(user=alice) == 1_150
    assert usage_bytes_stored(user=bob) == 0
    Model.objects.get(name="m").delete()  # deleting the model frees its versions' bytes
    assert usage_bytes_stored(user=alice) == 1_000


def test_rest_upload_over_the_bytes_quota_is_413_with_limit_and_use(api, settings):
    settings.HUB_QUOTA_BYTES = 1_000
    create_model(api, "m")
    assert upload(api, "alice/m", [("a.bin", b"a" * 600)]).status_code == 201
    response = upload(api, "alice/m", [("b.bin", b"b" * 500)])
    assert response.status_code == 413
    message = response.json()["error"]
    assert "600 bytes" in message and "1,000 bytes" in message and "HUB_QUOTA_BYTES" in message
    assert upload(api, "alice/m", [("c.bin", b"c" * 400)]).status_code == 201  # exactly full
    settings.HUB_QUOTA_BYTES = 0  # 0 turns the quota off
    assert upload(api, "alice/m", [("d.bin", b"d" * 5_000)]).status_code == 201


def test_web_upload_over_the_bytes_quota_shows_the_message(alice, settings):
    settings.HUB_QUOTA_BYTES = 100
    browser = Client()
    browser.force_login(alice)
    Model.objects.create(namespace=alice.namespace, name="web", created_by=alice)
    body, content_type = multipart([("w.bin", b"w" * 200)], {"message": "too big"})
    response = browser.generic("POST", "/alice/web/upload", body, content_type=content_type)
    assert response.status_code == 400
    assert "Storage quota" in response.content.decode()
    assert not Model.objects.get(name="web").versions.exists()


def test_the_commit_check_counts_what_is_added(alice, settings):
    settings.HUB_QUOTA_BYTES = 10
    quota_check_bytes(user=alice, adding=10)
    with pytest.raises(PayloadTooLarge, match="this adds 11 bytes"):
        quota_check_bytes(user=alice, adding=11)


def lfs_batch(api, repo: str, blobs: list[bytes]):
    objects = [{"oid": hashlib.sha256(b).hexdigest(), "size": len(b)} for b in blobs]
    return api.post(
        f"/{repo}.git/info/lfs/objects/batch",
        {"operation": "upload", "transfers": ["basic"], "objects": objects},
        format="json",
    )


def upload_url(response) -> str:
    href = json.loads(response.content)["objects"][0]["actions"]["upload"]["href"]
    return urlsplit(href).path + "?" + urlsplit(href).query


def test_lfs_batch_and_put_respect_the_staging_quota(api, alice, settings):
    settings.HUB_QUOTA_LFS_STAGING_BYTES = 1_000
    create_model(api, "lfs")
    first, second = b"1" * 700, b"2" * 400
    granted = lfs_batch(api, "alice/lfs", [first])
    assert granted.status_code == 200
    assert Client().generic("PUT", upload_url(granted), first).status_code == 200
    assert usage_lfs_staging(user_id=alice.pk) == 700
    # Announcing 400 more bytes is refused before any of them is sent.
    refused = lfs_batch(api, "alice/lfs", [second])
    assert refused.status_code == 413
    message = json.loads(refused.content)["error"]
    assert "LFS staging quota" in message and "700 bytes" in message and "1,000" in message
    # A URL granted while there was room is refused at the PUT once the room is gone.
    settings.HUB_QUOTA_LFS_STAGING_BYTES = 2_000
    late = lfs_batch(api, "alice/lfs", [second])
    settings.HUB_QUOTA_LFS_STAGING_BYTES = 1_000
    put = Client().generic("PUT", upload_url(late), second)
    assert put.status_code == 413 and "LFS staging quota" in put.json()["error"]
    assert usage_lfs_staging(user_id=alice.pk) == 700


def test_lfs_batch_respects_the_bytes_quota(api, settings):
    settings.HUB_QUOTA_BYTES = 100
    create_model(api, "lfs")
    refused = lfs_batch(api, "alice/lfs", [b"x" * 101])
    assert refused.status_code == 413 and "Storage quota" in json.loads(refused.content)["error"]


def test_fine_tune_jobs_over_the_quota_are_429(api, alice, settings):
    settings.HUB_QUOTA_JOBS = 2
    create_model(api, "base")
    assert upload(api, "alice/base", [("a.bin", b"a")]).status_code == 201
    version = Model.objects.get(name="base").versions.get()
    blob = Blob.objects.create(sha256="e" * 64, size=10)
    dataset = Dataset.objects.create(
        owner=alice, name="d.csv", blob=blob, kind="text", format="csv", summary={}
    )
    for status in ("queued", "running", "succeeded"):
        FineTuneJob.objects.create(
            owner=alice, base_version=version, dataset=dataset, adapter="x", status=status
        )
    submit = {"model": "alice/base", "dataset": dataset.pk, "adapter": "text-classification"}
    response = api.post("/api/finetunes", submit, format="json")
    assert response.status_code == 429
    message = response.json()["error"]
    assert "2 fine-tune job(s) queued or running" in message and "HUB_QUOTA_JOBS" in message
    FineTuneJob.objects.filter(status="running").update(status="failed")
    # Under the quota again: the submission goes on to its own checks (this base is no
    # fine-tunable model, so a 400 says why).
    assert api.post("/api/finetunes", submit, format="json").status_code == 400


def test_a_hub_commit_over_the_bytes_quota_is_413_and_makes_nothing(api, settings):
    import base64

    create_model(api, "m")
    settings.HUB_QUOTA_BYTES = 10
    lines = [
        {"key": "header", "value": {"summary": "too big"}},
        {
            "key": "file",
            "value": {"path": "a.txt", "content": base64.b64encode(b"x" * 11).decode()},
        },
    ]
    body = "\n".join(json.dumps(line) for line in lines).encode()
    response = api.generic(
        "POST", "/api/models/alice/m/commit/main", body, content_type="application/x-ndjson"
    )
    assert response.status_code == 413, response.content
    assert "HUB_QUOTA_BYTES" in response.json()["error"]
    assert not Model.objects.get(name="m").versions.exists()
