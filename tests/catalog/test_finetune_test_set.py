"""A user's own test set at submission: checked like any dataset, its labels among the
training labels (else a 400 naming the others), kept with the job; nothing half-written."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.test import APIClient

from catalog.models import Dataset, FineTuneJob
from catalog.services.tokens import token_create
from tests.catalog.test_datasets_api import (
    GOOD_CSV,
    GOOD_IMAGES,
    encoder_files,
    post_dataset,
    zip_bytes,
)
from tests.helpers import create_model, upload

pytestmark = pytest.mark.django_db
EXTRA_LABELS_CSV = "text,label\n" + "".join(f"t {n},{'abxy'[n % 4]}\n" for n in range(8))


@pytest.fixture
def encoder(api):
    create_model(api, "enc", task="feature-extraction")
    upload(api, "alice/enc", encoder_files())
    return post_dataset(api, "train.csv", GOOD_CSV.encode(), "text-classification").json()


def submit(client, dataset: dict, test_dataset, **extra):
    body = {"model": "alice/enc", "dataset": dataset["id"], "test_dataset": test_dataset}
    return client.post("/api/finetunes", body | extra, format="json")


def test_test_labels_outside_the_training_labels_are_a_400_naming_them(api, encoder):
    test = post_dataset(api, "test.csv", EXTRA_LABELS_CSV.encode(), "text-classification")
    response = submit(api, encoder, test.json()["id"])
    assert response.status_code == 400
    assert "labels the training data does not: 'x', 'y'" in response.json()["error"]
    assert not FineTuneJob.objects.exists()


def test_a_test_set_is_kept_with_the_job(api, encoder):
    test = post_dataset(api, "test.csv", GOOD_CSV.replace("text ", "other ").encode(),
                        "text-classification").json()  # fmt: skip
    response = submit(api, encoder, test["id"], params={"evaluation": "holdout"})
    assert response.status_code == 202, response.content
    assert response.json()["test_dataset"] == test["id"]
    job = FineTuneJob.objects.get()
    assert job.test_dataset_id == test["id"] and job.params["evaluation"] == "holdout"


def test_the_training_set_itself_is_accepted_as_a_test_set(api, encoder):
    """Allowed (the worker warns on the version that the test set is the training set)."""
    response = submit(api, encoder, encoder["id"])
    assert response.status_code == 202, response.content
    assert FineTuneJob.objects.get().test_dataset_id == encoder["id"]


def test_bad_test_dataset_references_are_refused(api, encoder, bob):
    assert submit(api, encoder, "7x").status_code == 400
    assert "test_dataset must be the id" in submit(api, encoder, "7x").json()["error"]
    assert submit(api, encoder, 10**9).status_code == 404
    theirs = APIClient()
    theirs.credentials(HTTP_AUTHORIZATION=f"Bearer {token_create(user=bob, name='t')[1]}")
    foreign = post_dataset(theirs, "b.csv", GOOD_CSV.encode(), "text-classification").json()
    assert submit(api, encoder, foreign["id"]).status_code == 404
    images = post_dataset(api, "i.zip", zip_bytes(GOOD_IMAGES), "image-classification").json()
    wrong = submit(api, encoder, images["id"])
    assert wrong.status_code == 400 and "The test set was checked for" in wrong.json()["error"]
    bad = submit(api, encoder, None, params={"evaluation": "guess"})
    assert bad.status_code == 400 and "evaluation must be one of" in bad.json()["error"]
    assert not FineTuneJob.objects.exists()


def test_the_form_takes_a_test_file_and_leaves_nothing_behind_on_refusal(alice, api, encoder):
    client = Client()
    client.force_login(alice)
    url = "/alice/enc/finetune"
    form = {"dataset": encoder["id"], "adapter": "text-classification", "strategy": "head-only"}
    datasets = Dataset.objects.count()
    refused = client.post(
        url, form | {"test_file": SimpleUploadedFile("t.csv", EXTRA_LABELS_CSV.encode())}
    )
    assert refused.status_code == 400
    assert "labels the training data does not: &#x27;x&#x27;, &#x27;y&#x27;" in (
        refused.content.decode()
    )
    assert Dataset.objects.count() == datasets and not FineTuneJob.objects.exists()
    unreadable = client.post(url, form | {"test_file": SimpleUploadedFile("t.csv", b"x\n")})
    assert unreadable.status_code == 400 and Dataset.objects.count() == datasets
    accepted = client.post(
        url, form | {"test_file": SimpleUploadedFile("mine.csv", GOOD_CSV.encode())}
    )
    assert accepted.status_code == 302
    assert FineTuneJob.objects.get().test_dataset.name == "mine.csv"
