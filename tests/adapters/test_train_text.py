"""Real fine-tuning of all-MiniLM-L6-v2 on BBC News articles (no mocks)."""

from __future__ import annotations

import shutil

import pytest
import torch

from adapters import demo_data, hubformat
from adapters.base import Cancelled, HyperParams, TrainRequest
from adapters.inference import load_classifier, load_onnx_classifier
from adapters.registry import adapter_choices
from adapters.text_classification import TextClassificationAdapter

from .helpers import Recorder, external_locations

pytestmark = pytest.mark.training
ADAPTER = TextClassificationAdapter()


def train(base, csv, out, **changes):
    params = HyperParams.from_dict(changes, ADAPTER.default_params())
    recorder = Recorder()
    result = ADAPTER.train(TrainRequest(base, csv, params, out), **recorder.hooks())
    return result, recorder


@pytest.fixture(scope="module")
def bbc(tmp_path_factory):
    train_rows, test_rows = demo_data.bbc_split(train_per_class=30, test_per_class=20, seed=3)
    path = demo_data.write_text_csv(tmp_path_factory.mktemp("bbc") / "train.csv", train_rows)
    return path, test_rows


@pytest.fixture(scope="module")
def run(minilm_dir, bbc, tmp_path_factory):
    out = tmp_path_factory.mktemp("text-out")
    result, recorder = train(minilm_dir, bbc[0], out, max_length=128, epochs=20)
    return result, recorder, out


@pytest.fixture(scope="module")
def tiny_csv(tmp_path_factory):
    rows, _ = demo_data.bbc_split(train_per_class=6, test_per_class=0, seed=9)
    return demo_data.write_text_csv(tmp_path_factory.mktemp("tiny") / "t.csv", rows)


def test_learns_topics_well_above_chance(run, bbc, tmp_path):
    result, _, out = run
    copy = shutil.copytree(out, tmp_path / "alone")  # the folder alone is enough to predict
    _, test_rows = bbc
    predicted = load_classifier(copy).predict([text for text, _ in test_rows])
    accuracy = sum(p == y for p, (_, y) in zip(predicted, test_rows, strict=True)) / len(test_rows)
    assert accuracy >= 0.85  # chance is 0.2
    assert result.metrics["accuracy"] >= 0.8
    assert result.metrics["labels"] == ["business", "entertainment", "politics", "sports", "tech"]
    assert result.metrics["val_examples"] == 30
    assert len(result.metrics["confusion_matrix"]) == 5
    assert 0 < result.metrics["macro_f1"] <= 1


def test_head_only_reuses_backbone_bytes(run, minilm_dir):
    result, _, out = run
    assert result.files == [
        "backbone.safetensors",
        "config.json",
        "head.safetensors",
        "model.onnx",
        "tokenizer.json",
    ]
    for name in ("backbone.safetensors", "tokenizer.json"):
        assert hubformat.sha256_file(out / name) == hubformat.sha256_file(minilm_dir / name)
    assert external_locations(out / "model.onnx") == {"backbone.safetensors"}
    assert (out / "model.onnx").stat().st_size < 1_000_000  # no second copy of the encoder
    config = hubformat.read_config(out)
    assert config == result.config
    assert config["task"] == "text-classification"
    assert config["preprocessing"]["max_length"] == 128
    assert config["finetune"]["backbone_reused"] is True


def test_embeddings_computed_once(run):
    result, recorder, _ = run
    cache = result.training["feature_cache"]
    assert cache["used"] and cache["frozen_prefix_passes"] == 150  # once per example
    assert [p.epoch for p in recorder.progress] == list(range(1, 21))
    assert result.training["timings"]["total_s"] > 0


def test_onnx_agrees_with_torch(run, bbc):
    _, _, out = run
    texts = [text for text, _ in bbc[1][:24]]
    torch_model, onnx_model = load_classifier(out), load_onnx_classifier(out)
    assert torch.allclose(torch_model.logits(texts), onnx_model.logits(texts), atol=1e-3)
    assert torch_model.predict(texts) == onnx_model.predict(texts)


def test_last_k_trains_top_layers_and_retrains_a_classifier(run, tiny_csv, minilm_dir, tmp_path):
    result, _ = train(
        minilm_dir, tiny_csv, tmp_path / "k", strategy="last-k", unfreeze_layers=1,
        epochs=2, max_length=32,
    )  # fmt: skip
    assert result.config["finetune"]["trainable_units"] == 1
    base_sha = hubformat.sha256_file(minilm_dir / "backbone.safetensors")
    assert hubformat.sha256_file(tmp_path / "k" / "backbone.safetensors") != base_sha
    assert result.training["onnx_max_abs_diff"] < 1e-3
    assert len(load_classifier(tmp_path / "k").predict(["Shares rose on Monday."])) == 1
    # A fine-tuned classifier is itself a valid base: new head, same backbone bytes.
    _, _, classifier_dir = run
    assert adapter_choices(hubformat.read_config(classifier_dir))
    train(classifier_dir, tiny_csv, tmp_path / "again", epochs=2, max_length=32)
    again = hubformat.sha256_file(tmp_path / "again" / "backbone.safetensors")
    assert again == base_sha


def test_deterministic_and_cache_can_be_turned_off(minilm_dir, tiny_csv, tmp_path):
    opts = {"epochs": 3, "max_length": 32, "refit": False}
    a, _ = train(minilm_dir, tiny_csv, tmp_path / "a", **opts)
    b, _ = train(minilm_dir, tiny_csv, tmp_path / "b", **opts)
    assert a.metrics == b.metrics
    head = "head.safetensors"
    assert hubformat.sha256_file(tmp_path / "a" / head) == hubformat.sha256_file(
        tmp_path / "b" / head
    )
    c, _ = train(minilm_dir, tiny_csv, tmp_path / "c", cache_features=False, **opts)
    assert not c.training["feature_cache"]["used"]
    assert c.training["feature_cache"]["frozen_prefix_passes"] == 3 * 30  # every epoch
    assert a.training["feature_cache"]["frozen_prefix_passes"] == 30  # once
    assert c.metrics["accuracy"] == pytest.approx(a.metrics["accuracy"], abs=0.1)


def test_cancellation(minilm_dir, tiny_csv, tmp_path):
    params = HyperParams.from_dict({"max_length": 32}, ADAPTER.default_params())
    recorder = Recorder(cancel_after=2)
    with pytest.raises(Cancelled):
        ADAPTER.train(TrainRequest(minilm_dir, tiny_csv, params, tmp_path), **recorder.hooks())
    assert recorder.progress == []
