"""The Evaluate pages without a browser: the button where it applies, refusals on the page
with the reason, the same dataset limits as fine-tuning, owners only."""

from __future__ import annotations

import pytest
from django.test import Client

from catalog.models import Dataset, Evaluation
from catalog.services.models import model_create
from tests import standard_models as sm
from tests.catalog.evaluation_helpers import classifier_model, publish_folder, reviews_csv

pytestmark = pytest.mark.django_db


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_classifiers_offer_evaluate_and_other_models_say_why(alice, publish, tmp_path):
    classifier_model(publish, alice, tmp_path)
    publish_folder(publish, model_create(user=alice, name="encoder"), sm.bert_base(tmp_path / "b"))
    client = logged_in(alice)
    assert 'id="evaluate-button"' in client.get("/alice/sentiment").content.decode()
    assert 'id="evaluate-button"' not in client.get("/alice/encoder").content.decode()
    page = client.get("/alice/encoder/evaluate").content.decode()
    assert 'id="no-evaluation"' in page and "not a text or image classifier" in page
    start = client.get("/alice/sentiment/evaluate?rev=v1").content.decode()
    assert "<code>negative</code>, <code>neutral</code>, <code>positive</code>" in start


def test_upload_and_evaluate_in_one_step(alice, publish, tmp_path):
    version = classifier_model(publish, alice, tmp_path)
    client = logged_in(alice)
    with open(reviews_csv(tmp_path / "reviews.csv"), "rb") as handle:
        response = client.post("/alice/sentiment/evaluate", {"file": handle})
    assert response.status_code == 302
    evaluation = Evaluation.objects.get()
    assert response["Location"] == f"/evaluations/{evaluation.pk}"
    assert evaluation.version == version and evaluation.dataset.name == "reviews.csv"
    page = client.get(response["Location"]).content.decode()
    assert 'id="evaluation-status">queued' in page
    # The dataset can be picked again without uploading it.
    again = client.post("/alice/sentiment/evaluate", {"dataset": evaluation.dataset_id})
    assert again.status_code == 302 and Evaluation.objects.count() == 2


def test_refusals_are_shown_on_the_form(alice, publish, tmp_path, settings):
    classifier_model(publish, alice, tmp_path)
    client = logged_in(alice)
    with open(reviews_csv(tmp_path / "mail.csv", labels={"positive": "spam"}), "rb") as handle:
        response = client.post("/alice/sentiment/evaluate", {"file": handle})
    assert response.status_code == 400
    assert "label &#x27;spam&#x27; is not among the labels" in response.content.decode()
    settings.HUB_DATASET_MAX_ROWS = 10
    with open(reviews_csv(tmp_path / "big.csv"), "rb") as handle:
        response = client.post("/alice/sentiment/evaluate", {"file": handle})
    assert response.status_code == 400
    assert "more than 10 rows; that is the limit" in response.content.decode()
    empty = client.post("/alice/sentiment/evaluate", {})
    assert (
        empty.status_code == 400 and "Upload a dataset file or pick one" in empty.content.decode()
    )
    assert not Evaluation.objects.exists() and Dataset.objects.count() == 1  # mail.csv


def test_an_evaluation_page_is_its_owners(alice, bob, publish, tmp_path):
    classifier_model(publish, alice, tmp_path)
    with open(reviews_csv(tmp_path / "reviews.csv"), "rb") as handle:
        location = logged_in(alice).post("/alice/sentiment/evaluate", {"file": handle})["Location"]
    assert logged_in(bob).get(location).status_code == 404
    assert Client().get(location).status_code == 302  # to the log-in page
    assert logged_in(alice).get("/evaluations/not-a-uuid").status_code == 404


def test_a_model_no_longer_visible_is_not_named(alice, bob, publish, tmp_path):
    from catalog.models import Membership
    from catalog.services.orgs import org_create

    lab = org_create(user=alice, name="lab")
    classifier_model(publish, alice, tmp_path, name="secret", namespace=lab, private=True)
    member = Membership.objects.create(namespace=lab, user=bob, role="read")
    with open(reviews_csv(tmp_path / "reviews.csv"), "rb") as handle:
        location = logged_in(bob).post("/lab/secret/evaluate", {"file": handle})["Location"]
    assert "lab/secret v1" in logged_in(bob).get(location).content.decode()
    member.delete()
    page = logged_in(bob).get(location).content.decode()
    assert "a private model" in page and "secret" not in page
    api = logged_in(bob).get(f"/api/evaluations/{location.rsplit('/', 1)[1]}").json()
    assert api["version"] == {"id": None, "version": None, "sha": None, "private": True}


def test_a_refused_adapter_stores_no_upload(alice, publish, tmp_path):
    """Rights and the adapter's base are checked before an uploaded file becomes a dataset."""
    folder = sm.peft_lora(tmp_path / "lora", base_repo="nobody/base", work=tmp_path)
    sm.bert_classifier(tmp_path / "cfg", tokenizer=True)
    (folder / "config.json").write_bytes((tmp_path / "cfg" / "config.json").read_bytes())
    sm.tokenizer_save(folder)
    version = publish_folder(publish, model_create(user=alice, name="loose-lora"), folder)
    assert version.parent is None  # its base is not on this hub
    client = logged_in(alice)
    with open(reviews_csv(tmp_path / "reviews.csv"), "rb") as handle:
        response = client.post("/alice/loose-lora/evaluate", {"file": handle})
    assert response.status_code == 400
    assert "not linked to its base model on this hub" in response.content.decode()
    assert not Dataset.objects.exists() and not Evaluation.objects.exists()
