"""Image classification: a frozen CNN (optionally its last k blocks) + linear head."""

from __future__ import annotations

from pathlib import Path

from . import hubformat
from .base import (
    Adapter,
    DatasetLimits,
    DatasetSummary,
    HyperParams,
)
from .datasets import load_image_dataset
from .hubformat import IMAGE_ARCHITECTURES

BASE_TASKS = ("image-classification", "image-feature-extraction", "feature-extraction")


def refuse_reason(config: dict) -> str | None:
    if config.get("architecture") not in IMAGE_ARCHITECTURES:
        return "not a supported CNN (EfficientNet-Lite0 or MobileNetV2)"
    if config.get("task") not in BASE_TASKS:
        return f"task {config.get('task')!r} is not an image classifier or feature extractor"
    if not hubformat.file_role(config, "backbone"):
        return "no safetensors weights"
    return None


class ImageClassificationAdapter(Adapter):
    key = "image-classification"
    title = "Image classification (CNN features + linear head)"
    task = "image-classification"
    training_module = "adapters.image_training"

    def accepts(self, base_config: dict) -> str | None:
        return refuse_reason(base_config)

    def default_params(self) -> HyperParams:
        return HyperParams(epochs=30, learning_rate=0.01, batch_size=32, image_size=0)

    def inspect_dataset(self, path: Path, limits: DatasetLimits) -> DatasetSummary:
        return load_image_dataset(path, limits)[1]
