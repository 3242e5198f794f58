"""Every bad dataset is refused over REST with a message naming the problem; nothing stored."""

from __future__ import annotations

import io
import zipfile

import pytest
from PIL import Image

from catalog.models import Blob, Dataset, FineTuneJob
from tests.helpers import create_model, upload

pytestmark = pytest.mark.django_db


def png(color: int = 128, size: int = 8) -> bytes:
    buffer = io.BytesIO()
    Image.new("L", (size, size), color).save(buffer, format="PNG")
    return buffer.getvalue()


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


GOOD_IMAGES = {f"{label}/{n}.png": png(40 * n) for label in ("cat", "dog") for n in range(3)}
GOOD_CSV = "text,label\n" + "".join(f"text {n},{'ab'[n % 2]}\n" for n in range(8))


def post_dataset(client, name: str, data: bytes, adapter: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        "/api/datasets",
        {"file": SimpleUploadedFile(name, data), "adapter": adapter},
        format="multipart",
    )


@pytest.mark.parametrize(
    ("name", "data", "adapter", "fragment"),
    [
        ("d.csv", b"title,topic_id\nhello,a\n", "text-classification", "found columns"),
        ("d.csv", b"text,label\na,x\nb,x\nc,x\n", "text-classification", "only one class"),
        ("d.csv", b"text,label\na,x\nb,x\nc,y\n", "text-classification", "too few in: 'y'"),
        ("d.csv", b"text,label\na,x\n,x\nc,y\nd,y\n", "text-classification", "empty text"),
        ("d.csv", "text,label\ncaf\xe9,x\n".encode("latin-1"), "text-classification", "not UTF-8"),
        (
            "d.jsonl",
            b'{"text": "a", "label": "x"}\nnot json\n',
            "text-classification",
            "not valid JSON",
        ),
        ("d.csv", b"", "text-classification", "empty"),
        (
            "i.zip",
            zip_bytes({**GOOD_IMAGES, "cat/notes.txt": b"hello"}),
            "image-classification",
            "not an image",
        ),
        (
            "i.zip",
            zip_bytes({**GOOD_IMAGES, "dog/broken.png": b"\x89PNG\r\n\x1a\nbroken"}),
            "image-classification",
            "not an image",
        ),
        (
            "i.zip",
            zip_bytes({**GOOD_IMAGES, "../evil.png": png()}),
            "image-classification",
            "'..' path",
        ),
        (
            "i.zip",
            zip_bytes({**GOOD_IMAGES, "/abs/evil.png": png()}),
            "image-classification",
            "absolute",
        ),
        ("i.zip", b"PK\x03\x04 truncated", "image-classification", "not a readable ZIP"),
        (
            "i.zip",
            zip_bytes({"cat/a.png": png(), "cat/b.png": png(9)}),
            "image-classification",
            "only one class",
        ),
        ("d.csv", GOOD_CSV.encode(), "image-classification", "ZIP"),
        ("i.zip", zip_bytes(GOOD_IMAGES), "text-classification", "ZIP"),
    ],
)
def test_bad_datasets_are_refused_with_their_message(
    api, isolated_storage, name, data, adapter, fragment
):
    response = post_dataset(api, name, data, adapter)
    assert response.status_code == 400, response.content
    assert fragment in response.json()["error"], response.json()["error"]
    assert Dataset.objects.count() == 0 and Blob.objects.count() == 0
    assert not any(isolated_storage["blobs"].rglob("*"))


def test_zip_limits_count_members_and_real_decompressed_bytes(api, settings):
    settings.HUB_DATASET_MAX_ZIP_MEMBERS = 4
    response = post_dataset(api, "i.zip", zip_bytes(GOOD_IMAGES), "image-classification")
    assert response.status_code == 400 and "limit is 4" in response.json()["error"]
    settings.HUB_DATASET_MAX_ZIP_MEMBERS = 100
    settings.HUB_DATASET_MAX_UNCOMPRESSED_BYTES = 1024 * 1024
    bomb = zip_bytes({**GOOD_IMAGES, "cat/zeros.png": b"\x00" * (4 * 1024 * 1024)})
    assert len(bomb) < 50_000  # tiny on the wire, 4 MiB once unpacked
    response = post_dataset(api, "bomb.zip", bomb, "image-classification")
    assert response.status_code == 400
    assert "unpacks to more than 1 MiB" in response.json()["error"]


def test_good_dataset_summary(api):
    response = post_dataset(api, "pets.zip", zip_bytes(GOOD_IMAGES), "image-classification")
    assert response.status_code == 201, response.content
    summary = response.json()["summary"]
    assert summary["rows"] == 6 and summary["per_class"] == {"cat": 3, "dog": 3}
    text = post_dataset(api, "t.csv", GOOD_CSV.encode(), "text-classification").json()
    assert text["summary"]["per_class"] == {"a": 4, "b": 4} and text["kind"] == "text"


def test_dataset_needs_auth_and_adapter(anon, api):
    assert post_dataset(anon, "t.csv", GOOD_CSV.encode(), "text-classification").status_code == 401
    response = post_dataset(api, "t.csv", GOOD_CSV.encode(), "")
    assert response.status_code == 400 and "adapter" in response.json()["error"]
    response = post_dataset(api, "t.csv", GOOD_CSV.encode(), "telepathy")
    assert response.status_code == 400 and "Unknown adapter" in response.json()["error"]


def test_submit_refuses_models_no_adapter_accepts(api):
    create_model(api, "plain")
    upload(api, "alice/plain", [("config.json", b'{"architecture": "mystery"}')])
    dataset = post_dataset(api, "t.csv", GOOD_CSV.encode(), "text-classification").json()
    response = api.post(
        "/api/finetunes", {"model": "alice/plain", "dataset": dataset["id"]}, format="json"
    )
    assert response.status_code == 400 and "cannot fine-tune" in response.json()["error"]
    assert FineTuneJob.objects.count() == 0


def test_jobs_and_datasets_are_private_to_their_owner(api, bob):
    from rest_framework.test import APIClient

    dataset = post_dataset(api, "t.csv", GOOD_CSV.encode(), "text-classification").json()
    other = APIClient()
    other.force_authenticate(bob)
    assert other.get(f"/api/datasets/{dataset['id']}").status_code == 404
    assert other.get("/api/finetunes/00000000-0000-0000-0000-000000000000").status_code == 404
    assert other.get("/api/finetunes/not-a-uuid").status_code == 404


def encoder_files() -> list[tuple[str, bytes]]:
    """What a transformers text encoder's repository holds, as far as acceptance reads it
    (submitting never loads the weights: the worker does)."""
    import numpy as np
    from safetensors.numpy import save

    config = b'{"model_type": "bert", "architectures": ["BertModel"]}'
    weights = save({"embeddings.word_embeddings.weight": np.zeros((4, 2), dtype=np.float32)})
    return [("config.json", config), ("model.safetensors", weights), ("vocab.txt", b"[PAD]\n")]


def test_a_queued_job_can_be_cancelled_before_any_worker_runs_it(api):
    from catalog.models import FineTuneJob

    create_model(api, "enc", task="feature-extraction")
    upload(api, "alice/enc", encoder_files())
    dataset = post_dataset(api, "t.csv", GOOD_CSV.encode(), "text-classification").json()
    job = api.post(
        "/api/finetunes",
        {"model": "alice/enc", "dataset": dataset["id"], "target_name": "enc-ft"},
        format="json",
    )
    assert job.status_code == 202, job.content
    assert job.json()["status"] == "queued"
    cancelled = api.post(f"/api/finetunes/{job.json()['id']}/cancel").json()
    assert cancelled["status"] == "cancelled" and cancelled["result"] is None
    again = api.post(f"/api/finetunes/{job.json()['id']}/cancel")
    assert again.status_code == 409 and "already cancelled" in again.json()["error"]
    assert FineTuneJob.objects.get().status == "cancelled"


def test_submit_reads_privacy_as_a_boolean_and_refuses_anything_else(api):
    """ "false" is not true: the submission used to run bool() on the raw value."""
    create_model(api, "enc3", task="feature-extraction")
    upload(api, "alice/enc3", encoder_files())
    dataset = post_dataset(api, "t.csv", GOOD_CSV.encode(), "text-classification").json()
    body = {"model": "alice/enc3", "dataset": dataset["id"]}
    public = api.post("/api/finetunes", {**body, "private": "false"}, format="json")
    assert public.status_code == 202, public.content
    assert FineTuneJob.objects.get(pk=public.json()["id"]).target_private is False
    unclear = api.post(
        "/api/finetunes", {**body, "private": "maybe", "target_name": "x"}, format="json"
    )
    assert unclear.status_code == 400 and unclear.json()["error"].startswith("private:")
    assert FineTuneJob.objects.count() == 1


def test_submit_validates_hyper_parameters_and_target(api):
    create_model(api, "enc2", task="feature-extraction")
    upload(api, "alice/enc2", encoder_files())
    dataset = post_dataset(api, "t.csv", GOOD_CSV.encode(), "text-classification").json()
    bad = api.post(
        "/api/finetunes",
        {"model": "alice/enc2", "dataset": dataset["id"], "params": {"epochs": 0}},
        format="json",
    )
    assert bad.status_code == 400 and "epochs" in bad.json()["error"]
    typo = api.post(
        "/api/finetunes",
        {"model": "alice/enc2", "dataset": dataset["id"], "params": {"epoch": 3}},
        format="json",
    )
    assert typo.status_code == 400 and "unknown hyper-parameter" in typo.json()["error"]
    taken = api.post(
        "/api/finetunes",
        {"model": "alice/enc2", "dataset": dataset["id"], "target_name": "enc2"},
        format="json",
    )
    assert taken.status_code == 409
