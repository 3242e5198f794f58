"""Shared by the evaluation tests: tiny real models published as versions, labelled CSVs."""

from __future__ import annotations

from pathlib import Path

from rest_framework.test import APIClient

from adapters.demo_data import write_text_csv
from catalog.services.models import model_create
from tests import standard_models as sm
from tests.catalog.finetune_helpers import dataset_upload

REVIEWS = {
    "positive": ["good movie", "great movie", "the movie is good", "a great good movie"],
    "negative": ["bad movie", "awful movie", "the movie was bad", "a bad awful movie"],
    "neutral": ["the movie", "a movie is a movie", "movie", "the movie was"],
}


def reviews_csv(path: Path, *, repeat: int = 2, labels: dict | None = None) -> Path:
    """The three review classes (renamed by ``labels``), each text ``repeat`` times."""
    labels = labels or {}
    rows = [
        (text, labels.get(label, label))
        for label, texts in REVIEWS.items()
        for text in texts * repeat
    ]
    return write_text_csv(path, rows)


def publish_folder(publish, model, folder: Path, **kwargs):
    return publish(model, {p: (folder / p).read_bytes() for p in sm.files_in(folder)}, **kwargs)


def classifier_model(publish, user, tmp_path: Path, name: str = "sentiment", **fields):
    """A tiny BertForSequenceClassification (labels negative/neutral/positive), published."""
    model = model_create(user=user, name=name, **fields)
    return publish_folder(publish, model, sm.bert_classifier(tmp_path / name))


def text_dataset(client: APIClient, path: Path) -> dict:
    response = dataset_upload(client, path, "text-classification")
    assert response.status_code == 201, response.content
    return response.json()
