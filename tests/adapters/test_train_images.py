"""Real image fine-tuning (adapters.classify.image) on tiny random ViT / ConvNeXt / ResNet
bases, plus one run on the real MobileNetV2 starter. Each case trains once per session."""

from __future__ import annotations

import random
import zipfile
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from adapters import demo_data
from adapters.base import Cancelled
from adapters.registry import get_adapter
from tests import standard_models as sm

from . import finetune_helpers as fh
from .helpers import Recorder

pytestmark = pytest.mark.training
KEY = "image-classification"
COLORS = {"blue": (30, 40, 210), "green": (30, 200, 40), "red": (210, 30, 40)}
CLASSES = sorted(COLORS)
FAST = {"epochs": 2, "batch_size": 8}
ATOL = 1e-4


def pil_processor(folder: Path, kind: str) -> Path:
    from transformers.models.convnext.image_processing_pil_convnext import (
        ConvNextImageProcessorPil,
    )
    from transformers.models.vit.image_processing_pil_vit import ViTImageProcessorPil

    (folder / "preprocessor_config.json").unlink(missing_ok=True)
    if kind == "vit":
        ViTImageProcessorPil(size={"height": 32, "width": 32}).save_pretrained(folder)
    else:  # what ConvNeXt and ResNet checkpoints on the Hub ship
        ConvNextImageProcessorPil(size={"shortest_edge": 32}).save_pretrained(folder)
    return folder


BASES = {
    "vit": lambda out: pil_processor(sm.vit_classifier(out), "vit"),
    "convnext": lambda out: pil_processor(sm.convnext_classifier(out), "convnext"),
    "resnet": lambda out: pil_processor(sm.resnet_classifier(out), "resnet"),
}
CASES = [("vit", "head-only"), ("convnext", "head-only"), ("resnet", "head-only"), ("vit", "lora")]


def squares(per_class: int, seed: int) -> list[tuple[Image.Image, str]]:
    rng = random.Random(seed)
    out = []
    for _ in range(per_class):
        for label, color in COLORS.items():
            c = tuple(min(255, max(0, v + rng.randint(-40, 40))) for v in color)
            size = rng.randint(20, 40)
            out.append((Image.new("RGB", (size, size), c), label))
    return out


SAMPLE = [img for img, _ in squares(2, seed=99)]


@pytest.fixture(scope="session")
def iwork(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("image-train")


@pytest.fixture(scope="session")
def squares_zip(iwork) -> Path:
    return demo_data.write_image_zip(iwork / "squares.zip", squares(10, seed=1))


@pytest.fixture(scope="session")
def image_bases(iwork):
    return fh.cached_bases(BASES, iwork)


@pytest.fixture(scope="session")
def image_trained(iwork, image_bases, squares_zip):
    return fh.cached_runs(KEY, image_bases, squares_zip, iwork, **FAST)


def pixels(folder: Path, images) -> torch.Tensor:
    from transformers import AutoImageProcessor

    processor = AutoImageProcessor.from_pretrained(folder)
    return processor(images=[i.convert("RGB") for i in images], return_tensors="pt")[
        "pixel_values"
    ].float()


def load_published(base: Path, out: Path):
    from transformers import AutoModelForImageClassification

    library = fh.front_matter(out)["library_name"]
    if library == "transformers":
        model, info = AutoModelForImageClassification.from_pretrained(out, output_loading_info=True)
        assert not info["missing_keys"] and not info["mismatched_keys"], info
    else:
        from peft import PeftModel

        assert library == "peft"
        labels = fh.id2label(out)
        body = AutoModelForImageClassification.from_pretrained(
            base,
            num_labels=len(labels),
            id2label=dict(enumerate(labels)),
            ignore_mismatched_sizes=True,
        )
        model = PeftModel.from_pretrained(body, out)
    return model.eval()


@pytest.mark.parametrize(("name", "strategy"), CASES)
def test_output_loads_and_matches_its_onnx(image_trained, name, strategy):
    base, result, recorder, out = image_trained(name, strategy)
    assert fh.id2label(out) == CLASSES == result.metrics["estimate"]["labels"]
    model = load_published(base, out)
    inputs = {"pixel_values": pixels(out, SAMPLE)}
    with torch.no_grad():
        expected = model(**inputs).logits.numpy()
    got = fh.onnx_logits(fh.onnx_path(out, result), inputs)
    assert got.shape == (len(SAMPLE), 3)
    np.testing.assert_allclose(got, expected, atol=ATOL, rtol=0)
    fh.assert_onnx_links_into_folder(fh.onnx_path(out, result))
    curve = [p for p in recorder.progress if p.curve]  # the first run's epochs, measured
    assert [p.epoch for p in curve] == [1, 2] and all(p.val_loss is not None for p in curve)
    last = recorder.progress[-1]
    assert last.epoch == last.epochs == len(recorder.progress)  # every run counts
    library = "peft" if strategy == "lora" else "transformers"
    relation = "adapter" if strategy == "lora" else "finetune"
    fh.assert_card(out, result, library=library, relation=relation, task=KEY, dataset="toy")
    fmt = fh.detect(out)
    assert fmt.library == library and fmt.problems == () and fmt.has_image_processor


@pytest.mark.parametrize("name", ["vit", "convnext", "resnet"])
def test_head_only_pipeline_and_storage(image_trained, name):
    from transformers import pipeline

    base, _, _, out = image_trained(name, "head-only")
    fmt = fh.detect(out)
    assert fmt.task == KEY and list(fmt.labels) == CLASSES
    predictions = pipeline(KEY, model=str(out), device="cpu")(SAMPLE[0], top_k=3)
    assert sorted(p["label"] for p in predictions) == CLASSES
    assert fh.sha256(out / "model-00001-of-00002.safetensors") == fh.sha256(
        base / "model.safetensors"
    )
    from safetensors import safe_open

    with safe_open(str(out / "model-finetuned.safetensors"), framework="pt") as f:
        keys = list(f.keys())
    assert keys and all(k.startswith("classifier.") for k in keys), keys


def test_vit_lora_is_an_adapter_over_the_base_bytes(image_trained):
    base, _, _, out = image_trained("vit", "lora")
    assert fh.sha256(out / "onnx/model.safetensors") == fh.sha256(base / "model.safetensors")
    assert not (out / "model.safetensors").exists()
    assert (out / "adapter_model.safetensors").stat().st_size < (
        base / "model.safetensors"
    ).stat().st_size / 2


def test_cancel_during_feature_caching(image_bases, squares_zip, iwork):
    out = iwork / "cancelled"
    req = fh.request(KEY, image_bases("vit"), squares_zip, out, "toy", **FAST)
    recorder = Recorder(cancel_after=1)
    with pytest.raises(Cancelled):
        get_adapter(KEY).train(req, **recorder.hooks())
    assert list(out.iterdir()) == []


def test_each_zip_member_is_inflated_once_per_job(image_bases, squares_zip, iwork, monkeypatch):
    """Features, every epoch of every fit, the test set and the export's sample decode from
    bytes read once: a body-training strategy sweeps the data many times, the ZIP once."""
    test_zip = demo_data.write_image_zip(iwork / "squares-test.zip", squares(2, seed=7))
    opened, inflated = Counter(), Counter()
    real_init, real_open = zipfile.ZipFile.__init__, zipfile.ZipFile.open

    def counting_init(self, file, *args, **kwargs):
        opened[str(file)] += 1
        real_init(self, file, *args, **kwargs)

    def counting_open(self, name, *args, **kwargs):
        inflated[(str(self.filename), getattr(name, "filename", name))] += 1
        return real_open(self, name, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "__init__", counting_init)
    monkeypatch.setattr(zipfile.ZipFile, "open", counting_open)
    out = iwork / "read-once"
    req = fh.request(KEY, image_bases("vit"), squares_zip, out, "toy", strategy="full", **FAST)
    req.test_path, req.test_name = test_zip, "toy-test"
    result = get_adapter(KEY).train(req, **Recorder().hooks())
    monkeypatch.undo()
    assert opened[str(squares_zip)] == opened[str(test_zip)] == 2  # the listing, one read
    assert len(inflated) == 30 + 6 and set(inflated.values()) == {1}
    test = result.metrics["test_set"]
    assert test["n"] == 6 and test["procedure"]["rows_seen_in_training"] == 0


# ---- the real MobileNetV2 starter ----------------------------------------------------------


def test_mobilenet_head_only_on_digits(mobilenet_dir, iwork):
    from transformers import pipeline

    train_rows, test_rows = demo_data.digits_split(4, 2, seed=0, size=32)
    data = demo_data.write_image_zip(iwork / "digits.zip", train_rows)
    out = iwork / "mobilenet-head"
    result, _ = fh.train(KEY, mobilenet_dir, data, out, dataset="digits", epochs=10)
    digits = [str(d) for d in range(10)]
    assert fh.id2label(out) == digits == result.metrics["estimate"]["labels"]
    classify = pipeline(KEY, model=str(out), device="cpu")
    predictions = classify([img.convert("RGB") for img, _ in test_rows], top_k=1)
    assert {p[0]["label"] for p in predictions} <= set(digits)
    assert fh.sha256(out / "model-00001-of-00002.safetensors") == fh.sha256(
        mobilenet_dir / "model.safetensors"
    )
    inputs = {"pixel_values": pixels(out, [img for img, _ in test_rows[:4]])}
    with torch.no_grad():
        expected = classify.model(**inputs).logits.numpy()
    np.testing.assert_allclose(
        fh.onnx_logits(out / "model.onnx", inputs), expected, atol=ATOL, rtol=0
    )
    fh.assert_onnx_links_into_folder(out / "model.onnx")
    fh.assert_card(
        out, result, library="transformers", relation="finetune", task=KEY, dataset="digits"
    )
