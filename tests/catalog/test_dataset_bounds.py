"""Issue 12, item 5: a dataset upload costs the web request little whatever the file holds;
images are decoded only on the worker, which fails the job with a message a person can act
on when the dataset is over a bound (pixels per image, in total, columns, time)."""

from __future__ import annotations

import io
import json
import time
import zipfile
from functools import cache

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from safetensors.numpy import save

from catalog.finetune.run import finetune_execute
from catalog.models import Blob, Dataset, FineTuneJob
from tests.catalog.finetune_helpers import wait_for_job
from tests.helpers import create_model, upload

REQUEST_CPU_SECONDS = 2.0  # the issue's bound on one request's server CPU
LIMIT_WORDS = "add up to more than 2,000,000,000 pixels"


@cache
def big_webp(padding: int = 0) -> bytes:
    """A lossless 5000x4999 WebP of one colour: about 1 KB, 25 Mpx once decoded. With
    ``padding``, an XMP block puts the end of the file past the upload's header window."""
    buffer = io.BytesIO()
    extra = {"xmp": b" " * padding} if padding else {}
    Image.new("RGB", (5000, 4999), (10, 20, 30)).save(buffer, format="WEBP", lossless=True, **extra)
    return buffer.getvalue()


def webp_zip(count: int = 200, padding: int = 0) -> bytes:
    """One image's bytes written ``count`` times: the issue's 36 KB ZIP of 200 images."""
    image, buffer = big_webp(padding), io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for n in range(count):
            archive.writestr(f"{'ab'[n % 2]}/{n}.webp", image)
    return buffer.getvalue()


def small_pngs_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for n in range(6):
            png = io.BytesIO()
            Image.new("L", (8, 8), 40 * n).save(png, format="PNG")
            archive.writestr(f"{'ab'[n % 2]}/{n}.png", png.getvalue())
    return buffer.getvalue()


def timed_post(client, name: str, data: bytes, adapter: str):
    """The response and the server CPU it cost (the test client runs the view in-process)."""
    started = time.process_time()
    response = client.post(
        "/api/datasets",
        {"file": SimpleUploadedFile(name, data), "adapter": adapter},
        format="multipart",
    )
    return response, time.process_time() - started


def vit_files() -> list[tuple[str, bytes]]:
    """What an image classifier's repository holds, as far as acceptance reads it (the job
    fails on its dataset before the worker loads any weights)."""
    config = {"model_type": "vit", "architectures": ["ViTForImageClassification"]}
    weights = save({"classifier.weight": np.zeros((2, 4), dtype=np.float32)})
    processor = {"image_processor_type": "ViTImageProcessor", "size": {"height": 32, "width": 32}}
    return [
        ("config.json", json.dumps(config).encode()),
        ("preprocessor_config.json", json.dumps(processor).encode()),
        ("model.safetensors", weights),
    ]


def submit(client, dataset_id: int) -> dict:
    create_model(client, "vit", task="image-classification")
    assert upload(client, "alice/vit", vit_files()).status_code == 201
    response = client.post(
        "/api/finetunes",
        {"model": "alice/vit", "dataset": dataset_id, "target_name": "vit-ft"},
        format="json",
    )
    assert response.status_code == 202, response.content
    return response.json()


@pytest.mark.django_db
def test_the_issues_webp_zip_is_refused_from_its_headers_alone(api):
    data = webp_zip()
    assert len(data) < 40_000  # 36 KB on the wire, 5 billion pixels once decoded
    response, cpu = timed_post(api, "big.zip", data, "image-classification")
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert LIMIT_WORDS in error and "Downscale" in error, error
    assert cpu < REQUEST_CPU_SECONDS, cpu
    assert Dataset.objects.count() == 0 and Blob.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("header", "fragment"),
    [
        (
            ",".join(f"c{n}" for n in range(2_000_000)),
            "The header (first line) is longer than 65,536",
        ),
        (",".join(f"c{n}" for n in range(1_001)) + ",text,label", "has 1,003 columns; at most"),
    ],
)
def test_a_wide_csv_header_is_refused_before_it_is_parsed(api, header, fragment):
    data = f"{header}\nx,y\n".encode()
    response, cpu = timed_post(api, "wide.csv", data, "text-classification")
    assert response.status_code == 400, response.content
    assert fragment in response.json()["error"], response.json()["error"]
    assert len(response.content) < 2_000  # no echo of two million column names
    assert cpu < REQUEST_CPU_SECONDS, cpu


@pytest.mark.django_db
def test_normal_datasets_still_pass_the_upload(api):
    response, cpu = timed_post(api, "pets.zip", small_pngs_zip(), "image-classification")
    assert response.status_code == 201, response.content
    assert response.json()["summary"]["per_class"] == {"a": 3, "b": 3}
    text = "text,label\n" + "".join(f"text {n},{'xy'[n % 2]}\n" for n in range(10))
    response, _ = timed_post(api, "t.csv", text.encode(), "text-classification")
    assert response.status_code == 201 and response.json()["summary"]["rows"] == 10
    assert cpu < REQUEST_CPU_SECONDS


@pytest.mark.django_db
def test_the_page_refuses_fast_and_its_review_says_what_the_worker_checks(api, client, alice):
    create_model(api, "vit", task="image-classification")
    assert upload(api, "alice/vit", vit_files()).status_code == 201
    client.force_login(alice)
    form = {"adapter": "image-classification"}
    started = time.process_time()
    refused = client.post(
        "/alice/vit/finetune", {**form, "file": SimpleUploadedFile("big.zip", webp_zip())}
    )
    assert time.process_time() - started < REQUEST_CPU_SECONDS
    assert refused.status_code == 400 and LIMIT_WORDS in refused.content.decode()
    accepted = client.post(
        "/alice/vit/finetune", {**form, "file": SimpleUploadedFile("pets.zip", small_pngs_zip())}
    )
    assert accepted.status_code == 302, accepted.content
    review = client.get(accepted["Location"]).content.decode()
    assert 'id="dataset-summary"' in review and 'id="dataset-check-note"' in review
    assert "decoded when the job starts" in review


def upload_past_the_window(client) -> int:
    """The same 200 images, each with its end past the upload's header window: the upload
    cannot read their sizes cheaply, so it stores the dataset for the worker to check."""
    data = webp_zip(padding=100_000)
    response, cpu = timed_post(client, "padded.zip", data, "image-classification")
    assert response.status_code == 201, response.content
    assert cpu < REQUEST_CPU_SECONDS, cpu
    return response.json()["id"]


@pytest.mark.django_db
def test_the_worker_fails_the_job_before_decoding_too_many_pixels(api, client, alice):
    job = submit(api, upload_past_the_window(api))
    started = time.process_time()
    finetune_execute(job["id"])  # what the Celery task runs
    assert time.process_time() - started < 10  # headers only: nothing was decoded
    body = api.get(f"/api/finetunes/{job['id']}").json()
    assert body["status"] == "failed", body
    assert body["error"].startswith("Dataset problem: The images " + LIMIT_WORDS), body["error"]
    assert "Checking the dataset." in body["log"]
    client.force_login(alice)
    page = client.get(f"/jobs/{job['id']}").content.decode()
    assert "Dataset problem: The images add up to more than 2,000,000,000 pixels" in page


@pytest.mark.django_db
def test_the_worker_stops_a_check_over_its_time_budget(api, settings):
    settings.HUB_DATASET_CHECK_SECONDS = 0
    dataset, _ = timed_post(api, "pets.zip", small_pngs_zip(), "image-classification")
    job = submit(api, dataset.json()["id"])
    finetune_execute(job["id"])
    failed = FineTuneJob.objects.get(pk=job["id"])
    assert failed.status == "failed"
    assert "Checking the dataset took more than 0 s" in failed.error, failed.error


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_live_worker_fails_the_job_with_the_message(api, live_worker):
    job = submit(api, upload_past_the_window(api))
    body = wait_for_job(api, job["id"], {"succeeded", "failed", "cancelled"}, timeout=120)
    assert body["status"] == "failed" and LIMIT_WORDS in body["error"], body
