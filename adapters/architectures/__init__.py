"""Build torch modules from a hub-format config.json + safetensors (never pickle)."""

from __future__ import annotations

from pathlib import Path

from torch import nn

from .. import hubformat
from .base import Backbone, Classifier
from .bert import BertEncoder
from .efficientnet_lite import EfficientNetLite
from .mobilenet_v2 import MobileNetV2

BUILDERS: dict[str, type[Backbone]] = {
    "bert": BertEncoder,
    "efficientnet-lite0": EfficientNetLite,
    "mobilenet-v2": MobileNetV2,
}
from ..hubformat import IMAGE_ARCHITECTURES, TEXT_ARCHITECTURES  # noqa: E402,F401

__all__ = ["Backbone", "Classifier", "build_backbone", "load_backbone", "load_head"]


def build_backbone(config: dict) -> Backbone:
    arch = config.get("architecture")
    if arch not in BUILDERS:
        raise hubformat.HubFormatError(f"unknown architecture {arch!r}")
    return BUILDERS[arch](config["model_config"])


def load_backbone(model_dir: Path, config: dict) -> Backbone:
    name = hubformat.file_role(config, "backbone")
    if not name:
        raise hubformat.HubFormatError("this model has no safetensors backbone")
    backbone = build_backbone(config)
    backbone.load_state_dict(hubformat.load_tensors(Path(model_dir) / name), strict=True)
    return backbone.eval()


def load_head(model_dir: Path, config: dict) -> nn.Linear | None:
    name = hubformat.file_role(config, "head")
    if not name:
        return None
    tensors = hubformat.load_tensors(Path(model_dir) / name)
    out_features, in_features = tensors["weight"].shape
    head = nn.Linear(in_features, out_features)
    head.load_state_dict(tensors, strict=True)
    return head.eval()


def load_model(model_dir: Path, config: dict) -> Classifier:
    """Backbone + head, ready for inference; raises if the model has no head."""
    head = load_head(model_dir, config)
    if head is None:
        raise hubformat.HubFormatError("this model has no classification head")
    return Classifier(load_backbone(model_dir, config), head).eval()
