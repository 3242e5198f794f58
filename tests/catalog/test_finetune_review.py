"""The fine-tune form explains itself: the columns it read (and lets the user pick others),
examples of each class, warnings about small or unequal classes, and settings that appear
where they apply with what they do and why their defaults are what they are."""

from __future__ import annotations

import json

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from safetensors.numpy import save

from adapters.base import STRATEGY_DEFAULTS
from adapters.datasets import load_text_dataset
from catalog.blobs import blob_local_path
from catalog.models import Dataset, FineTuneJob
from catalog.services.datasets import dataset_limits
from tests.helpers import create_model, upload

pytestmark = pytest.mark.django_db
PAGE = "/alice/enc/finetune"
MOODS = [("a fine day", "joy"), ("a grim day", "gloom"), ("sunny", "joy"), ("rain", "gloom")]
MOODS += [(f"{text} {n}", mood) for n in range(2) for text, mood in MOODS]


def encoder_files() -> list[tuple[str, bytes]]:
    """What a text encoder's repository holds, as far as acceptance reads it."""
    config = {"model_type": "bert", "architectures": ["BertModel"], "hidden_size": 4}
    weights = save({"embeddings.weight": np.zeros((4, 4), dtype=np.float32)})
    return [
        ("config.json", json.dumps(config).encode()),
        ("vocab.txt", b"[PAD]\n[UNK]\n[CLS]\n[SEP]\nday\n"),
        ("model.safetensors", weights),
    ]


@pytest.fixture
def page(api, client, alice):
    create_model(api, "enc", task="feature-extraction")
    assert upload(api, "alice/enc", encoder_files()).status_code == 201
    client.force_login(alice)
    return client


def post_csv(client, body: str, **fields):
    data = {
        "adapter": "text-classification",
        "file": SimpleUploadedFile("moods.csv", body.encode()),
    }
    return client.post(PAGE, {**data, **fields})


def csv(header: str, rows) -> str:
    return header + "\n" + "".join(",".join(row) + "\n" for row in rows)


def test_the_review_names_the_columns_and_shows_examples_per_class(page):
    response = post_csv(
        page, csv("id,sentence,category", [(str(i), *r) for i, r in enumerate(MOODS)])
    )
    assert response.status_code == 302
    html = page.get(response["Location"]).content.decode()
    assert (
        "Text from the column <code>sentence</code>, labels from the column <code>category</code>"
        in html
    )
    assert "Other columns are not used." in html
    assert html.count("<li>a fine day</li>") == 1 and "<li>rain 0</li>" in html
    assert "<li>rain 1</li>" not in html  # five examples per class
    assert 'id="column-picker"' in html  # three columns: the user may pick others


def test_picking_other_columns_makes_a_dataset_the_worker_reads_the_same_way(page):
    rows = [(t, "x" + c, c) for t, c in MOODS]
    response = post_csv(page, csv("text,label,mood", rows))
    first = Dataset.objects.get()
    assert first.summary["columns"] == ["text", "label"]
    response = page.post(
        PAGE, {"columns_of": first.pk, "text_column": "text", "label_column": "mood"}
    )
    chosen = Dataset.objects.exclude(pk=first.pk).get()
    assert response["Location"] == f"{PAGE}?dataset={chosen.pk}"
    assert chosen.summary["columns"] == ["text", "mood"]
    assert chosen.summary["per_class"] == {"gloom": 6, "joy": 6}
    assert chosen.summary["source_dataset"] == first.pk
    # What the worker will read: the stored file, detected as any upload is.
    ds, summary = load_text_dataset(blob_local_path(chosen.blob_id), dataset_limits())
    assert summary.per_class == {"gloom": 6, "joy": 6} and ds.texts[0] == "a fine day"
    html = page.get(response["Location"]).content.decode()
    assert "as you named them" in html and 'id="column-picker"' in html
    back = page.post(
        PAGE, {"columns_of": chosen.pk, "text_column": "text", "label_column": "label"}
    )
    assert back["Location"] == f"{PAGE}?dataset={first.pk}"  # the upload as it was


def test_columns_without_usual_names_are_asked_for(page):
    body = csv("review,stars,shop", [(t, c, "s") for t, c in MOODS])
    asked = post_csv(page, body)
    assert asked.status_code == 400
    html = asked.content.decode()
    assert "found columns: &#x27;review&#x27;, &#x27;stars&#x27;" in html
    assert '<option value="stars">stars</option>' in html and "Then choose the file again." in html
    named = post_csv(page, body, text_column="review", label_column="stars")
    assert named.status_code == 302
    dataset = Dataset.objects.get()
    assert dataset.summary["columns"] == ["review", "stars"]
    assert dataset.summary["rewritten_from"]["columns"] == ["review", "stars"]
    review = page.get(named["Location"]).content.decode()
    assert 'id="column-picker"' not in review  # the original file is not kept: upload again


def test_small_and_unequal_classes_are_warned_about(page):
    rows = [(f"sunny {i}", "joy") for i in range(40)] + [("grim", "gloom"), ("rain", "gloom")]
    response = post_csv(page, csv("text,label", rows))
    html = page.get(response["Location"]).content.decode()
    assert "Small classes: &#x27;gloom&#x27; (2)" in html
    assert "Unbalanced classes: &#x27;joy&#x27; has 20x the examples" in html
    assert "already score 95% accuracy" in html


def test_settings_say_what_they_do_and_apply_only_where_they_do(page):
    response = post_csv(page, csv("text,label", MOODS))
    html = page.get(response["Location"]).content.decode()
    assert 'data-param="unfreeze_layers" data-applies="last-k"' in html
    assert "Passes over the training examples." in html
    head, full = STRATEGY_DEFAULTS["head-only"]["epochs"], STRATEGY_DEFAULTS["full"]["epochs"]
    assert f"{head} for head only" in html and f"{full} for full" in html
    defaults = html.split('<script id="param-defaults" type="application/json">')[1].split("<")[0]
    assert json.loads(defaults)["epochs"]["lora"] == str(STRATEGY_DEFAULTS["lora"]["epochs"])


def test_a_value_left_in_a_field_the_strategy_does_not_use_is_dropped(page):
    response = post_csv(page, csv("text,label", MOODS))
    dataset = Dataset.objects.get()
    form = {
        "dataset": dataset.pk,
        "adapter": "text-classification",
        "strategy": "head-only",
        "unfreeze_layers": "7",
        "target_name": "enc-moods",
    }
    submitted = page.post(PAGE, form)
    assert submitted.status_code == 302, submitted.content.decode()[-2000:]
    job = FineTuneJob.objects.get()
    assert job.params["strategy"] == "head-only" and job.params["unfreeze_layers"] != 7
    assert response.status_code == 302


def test_the_api_takes_the_columns_too(api):
    body = csv("review,stars", MOODS).encode()

    def post(**fields):
        data = {"file": SimpleUploadedFile("m.csv", body), "adapter": "text-classification"}
        return api.post("/api/datasets", {**data, **fields}, format="multipart")

    refused = post()
    assert (
        refused.status_code == 400 and "found columns: 'review', 'stars'" in refused.json()["error"]
    )
    assert post(text_column="review").status_code == 400  # both or neither
    created = post(text_column="review", label_column="stars")
    assert created.status_code == 201, created.content
    assert created.json()["summary"]["columns"] == ["review", "stars"]
