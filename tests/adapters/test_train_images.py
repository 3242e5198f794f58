"""Real fine-tuning of EfficientNet-Lite0 / MobileNetV2 on scikit-learn's digits."""

from __future__ import annotations

import shutil

import pytest
import torch

from adapters import demo_data, hubformat
from adapters.base import Cancelled, HyperParams, TrainRequest
from adapters.image_classification import ImageClassificationAdapter
from adapters.inference import load_classifier, load_onnx_classifier

from .helpers import Recorder, external_locations

pytestmark = pytest.mark.training
ADAPTER = ImageClassificationAdapter()
DIGITS = [str(d) for d in range(10)]


def train(base, zip_path, out, **changes):
    params = HyperParams.from_dict({"image_size": 96, **changes}, ADAPTER.default_params())
    recorder = Recorder()
    result = ADAPTER.train(TrainRequest(base, zip_path, params, out), **recorder.hooks())
    return result, recorder


@pytest.fixture(scope="module")
def digits(tmp_path_factory):
    train_rows, test_rows = demo_data.digits_split(train_per_class=30, test_per_class=20, seed=0)
    path = demo_data.write_image_zip(tmp_path_factory.mktemp("digits") / "d.zip", train_rows)
    return path, test_rows


@pytest.fixture(scope="module")
def run(effnet_dir, digits, tmp_path_factory):
    out = tmp_path_factory.mktemp("image-out")
    result, _ = train(effnet_dir, digits[0], out)
    return result, out


def test_learns_digits_well_above_chance(run, digits, tmp_path):
    result, out = run
    copy = shutil.copytree(out, tmp_path / "alone")
    _, test_rows = digits
    predicted = load_classifier(copy).predict([img for img, _ in test_rows])
    accuracy = sum(p == y for p, (_, y) in zip(predicted, test_rows, strict=True)) / len(test_rows)
    assert accuracy >= 0.8  # chance is 0.1
    assert result.metrics["labels"] == DIGITS
    assert result.config["preprocessing"]["crop"] == 96
    assert result.training["feature_cache"]["frozen_prefix_passes"] == 300


def test_head_only_reuses_backbone_bytes(run, effnet_dir):
    result, out = run
    assert result.files == ["backbone.safetensors", "config.json", "head.safetensors", "model.onnx"]
    name = "backbone.safetensors"
    assert hubformat.sha256_file(out / name) == hubformat.sha256_file(effnet_dir / name)
    assert external_locations(out / "model.onnx") == {"backbone.safetensors"}
    assert result.config["task"] == "image-classification"
    assert result.config["labels"] == DIGITS


def test_onnx_agrees_with_torch(run, digits):
    _, out = run
    images = [img for img, _ in digits[1][:40]]
    torch_model, onnx_model = load_classifier(out), load_onnx_classifier(out)
    assert torch.allclose(torch_model.logits(images), onnx_model.logits(images), atol=1e-3)


def test_same_seed_same_model(run, effnet_dir, digits, tmp_path):
    result, out = run
    again, _ = train(effnet_dir, digits[0], tmp_path)
    assert again.metrics == result.metrics
    for name in ("head.safetensors", "config.json", "model.onnx"):
        assert hubformat.sha256_file(tmp_path / name) == hubformat.sha256_file(out / name)


def test_last_k_on_mobilenet(mobilenet_dir, tmp_path):
    rows, _ = demo_data.digits_split(train_per_class=6, test_per_class=0, seed=1)
    zip_path = demo_data.write_image_zip(tmp_path / "d.zip", rows, wrapper=None)
    result, recorder = train(
        mobilenet_dir, zip_path, tmp_path / "out", strategy="last-k", unfreeze_layers=2, epochs=2
    )
    assert [p.epoch for p in recorder.progress] == [1, 2]
    base_sha = hubformat.sha256_file(mobilenet_dir / "backbone.safetensors")
    assert hubformat.sha256_file(tmp_path / "out" / "backbone.safetensors") != base_sha
    assert result.training["onnx_max_abs_diff"] < 1e-3
    assert load_classifier(tmp_path / "out").predict([rows[0][0]])[0] in DIGITS


def test_cancellation(effnet_dir, digits, tmp_path):
    params = HyperParams.from_dict({"image_size": 96}, ADAPTER.default_params())
    recorder = Recorder(cancel_after=3)
    with pytest.raises(Cancelled):
        ADAPTER.train(TrainRequest(effnet_dir, digits[0], params, tmp_path), **recorder.hooks())
