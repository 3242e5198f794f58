"""Evaluations run for real: tiny models fine-tuned by the adapters, published as versions,
scored on a labelled CSV by the worker; each report's accuracy is checked against the
predictions of the published files loaded by their own libraries."""

from __future__ import annotations

import csv
import time
from pathlib import Path

import pytest
import torch
from django.test import Client

from catalog.evaluation.run import evaluation_execute
from catalog.models import Evaluation
from catalog.services.models import model_create
from tests import standard_models as sm
from tests.catalog.evaluation_helpers import publish_folder, reviews_csv, text_dataset
from tests.hf.test_derived_clients import finetune, write_dataset

LABELS = ["negative", "neutral", "positive"]


def read_rows(path: Path) -> list[tuple[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return [(row["text"], row["label"]) for row in csv.DictReader(handle)]


def transformers_predictions(folder: Path, texts: list[str], base_dir: Path | None = None):
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    if base_dir is None:
        model = AutoModelForSequenceClassification.from_pretrained(folder)
    else:
        from peft import PeftModel

        base = AutoModelForSequenceClassification.from_pretrained(
            base_dir, id2label=dict(enumerate(LABELS))
        )
        model = PeftModel.from_pretrained(base, folder)
    tokenizer = AutoTokenizer.from_pretrained(folder)
    with torch.no_grad():
        logits = model.eval()(**tokenizer(texts, padding=True, return_tensors="pt")).logits
    return [LABELS[int(i)] for i in logits.argmax(-1)]


def sentence_transformers_predictions(folder: Path, texts: list[str]) -> list[str]:
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(folder), device="cpu")
    labels = model[0].auto_model.config.id2label
    return [labels[int(i)] for i in model.encode(texts).argmax(1)]


def accuracy(predicted: list[str], rows: list[tuple[str, str]]) -> float:
    return sum(p == label for p, (_, label) in zip(predicted, rows, strict=True)) / len(rows)


def wait_for(api, evaluation_id: str, timeout: float = 180) -> dict:
    deadline = time.monotonic() + timeout
    body: dict = {}
    while time.monotonic() < deadline:
        body = api.get(f"/api/evaluations/{evaluation_id}").json()
        if body["status"] in ("succeeded", "failed"):
            return body
        time.sleep(0.3)
    raise AssertionError(f"evaluation stuck in {body.get('status')}: {body}")


def assert_report(report: dict, rows: list[tuple[str, str]], expected: float) -> None:
    n = len(rows)
    assert report["n"] == n and report["procedure"]["kind"] == "evaluation"
    assert report["accuracy"]["value"] == pytest.approx(expected, abs=1e-6)
    assert report["accuracy"]["low"] <= expected <= report["accuracy"]["high"]
    assert sum(map(sum, report["confusion_matrix"])) == n
    assert sum(c["support"] for c in report["per_class"]) == n
    [majority] = report["baselines"]
    assert majority["name"] == "majority"
    assert majority["accuracy"]["value"] == pytest.approx(1 / 3, abs=1e-6)  # 3 equal classes
    assert any("n=24 is small" in w for w in report["warnings"])


@pytest.fixture
def tiny_base(tmp_path, alice, publish):
    folder = sm.bert_base(tmp_path / "base")
    version = publish_folder(publish, model_create(user=alice, name="tiny-bert"), folder)
    return folder, version


@pytest.mark.training
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_worker_scores_a_fine_tuned_version(
    api, alice, live_worker, tiny_base, publish, tmp_path
):
    base_dir, base = tiny_base
    out = tmp_path / "head-only"
    finetune(base_dir, base, "head-only", out, write_dataset(tmp_path / "train.csv"))
    derived = model_create(user=alice, name="tiny-cls", datasets=["train.csv"])
    publish_folder(publish, derived, out, parent=base)

    data = reviews_csv(tmp_path / "reviews.csv")
    dataset = text_dataset(api, data)
    created = api.post(
        "/api/evaluations", {"model": "alice/tiny-cls", "dataset": dataset["id"]}, format="json"
    )
    assert created.status_code == 202, created.content
    done = wait_for(api, created.json()["id"])
    assert done["status"] == "succeeded", (done["error"], done["log"])
    rows = read_rows(data)
    assert_report(
        done["report"], rows, accuracy(transformers_predictions(out, [t for t, _ in rows]), rows)
    )
    assert done["progress"] == {"done": 24, "total": 24}
    assert "Predicted 24 examples" in done["log"]

    # The version page shows it to its owner; the base's leaderboard lists both figures.
    browser = Client()
    browser.force_login(alice)
    page = browser.get("/alice/tiny-cls").content.decode()
    assert "Your evaluations of v1" in page and "reviews.csv" in page
    board = browser.get("/alice/tiny-bert").content.decode()
    assert 'id="leaderboard"' in board and "alice/tiny-cls v1" in board


@pytest.mark.training
@pytest.mark.django_db
def test_a_lora_adapter_runs_on_the_base_the_hub_linked(api, alice, tiny_base, publish, tmp_path):
    """The adapter's base is its parent version here, never the name in its files."""
    base_dir, base = tiny_base
    out = tmp_path / "lora"
    finetune(base_dir, base, "lora", out, write_dataset(tmp_path / "train.csv"))
    version = publish_folder(publish, model_create(user=alice, name="tiny-lora"), out)
    assert version.parent == base  # linked by adapter_config.json's base and revision
    data = reviews_csv(tmp_path / "reviews.csv")
    evaluation = Evaluation.objects.create(
        owner=alice, version=version, dataset_id=text_dataset(api, data)["id"]
    )
    evaluation_execute(str(evaluation.pk))
    evaluation.refresh_from_db()
    assert evaluation.status == "succeeded", evaluation.error
    rows = read_rows(data)
    expected = accuracy(transformers_predictions(out, [t for t, _ in rows], base_dir), rows)
    assert_report(evaluation.report, rows, expected)


@pytest.mark.training
@pytest.mark.django_db
def test_a_sentence_transformers_classifier_is_scored(api, alice, publish, tmp_path):
    st_dir = sm.sentence_transformer(tmp_path / "st", work=tmp_path / "work")
    base = publish_folder(publish, model_create(user=alice, name="tiny-st"), st_dir)
    out = tmp_path / "st-head"
    finetune(st_dir, base, "head-only", out, write_dataset(tmp_path / "train.csv"))
    version = publish_folder(
        publish, model_create(user=alice, name="tiny-st-cls"), out, parent=base
    )
    data = reviews_csv(tmp_path / "reviews.csv")
    evaluation = Evaluation.objects.create(
        owner=alice, version=version, dataset_id=text_dataset(api, data)["id"]
    )
    evaluation_execute(str(evaluation.pk))
    evaluation.refresh_from_db()
    assert evaluation.status == "succeeded", evaluation.error
    rows = read_rows(data)
    expected = accuracy(sentence_transformers_predictions(out, [t for t, _ in rows]), rows)
    assert_report(evaluation.report, rows, expected)


@pytest.mark.django_db
def test_an_image_classifier_is_scored_on_a_zip_of_class_folders(api, alice, publish, tmp_path):
    """A published base classifier (ViT with cat/dog labels), no training involved."""
    import random

    from PIL import Image
    from transformers import pipeline

    from adapters import demo_data
    from tests.catalog.finetune_helpers import dataset_upload

    folder = sm.vit_classifier(tmp_path / "vit")
    version = publish_folder(publish, model_create(user=alice, name="pets"), folder)
    rng = random.Random(1)
    images = [
        (Image.new("RGB", (20, 20), tuple(rng.randrange(256) for _ in range(3))), label)
        for label in ("cat", "dog")
        for _ in range(5)
    ]
    path = demo_data.write_image_zip(tmp_path / "pets.zip", images)
    dataset = dataset_upload(api, path, "image-classification").json()
    evaluation = Evaluation.objects.create(owner=alice, version=version, dataset_id=dataset["id"])
    evaluation_execute(str(evaluation.pk))
    evaluation.refresh_from_db()
    assert evaluation.status == "succeeded", evaluation.error
    classify = pipeline("image-classification", model=str(folder), device="cpu")
    # The ZIP lists members sorted, so cats come first, as written.
    predicted = [out[0]["label"] for out in classify([im for im, _ in images])]
    expected = sum(p == label for p, (_, label) in zip(predicted, images, strict=True)) / 10
    report = evaluation.report
    assert report["n"] == 10 and report["accuracy"]["value"] == pytest.approx(expected)
    assert sum(map(sum, report["confusion_matrix"])) == 10
