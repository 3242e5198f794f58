"""Image classification: any model transformers' AutoModelForImageClassification supports."""

from __future__ import annotations

from pathlib import Path

from .acceptance import image_refusal
from .base import Adapter, DatasetLimits, DatasetSummary
from .datasets import load_image_dataset, precheck_image_dataset


class ImageClassificationAdapter(Adapter):
    key = "image-classification"
    title = "Image classification (transformers vision model + new head)"
    task = "image-classification"
    training_module = "adapters.classify.image"

    def accepts(self, base_format: dict) -> str | None:
        return image_refusal(base_format)

    def precheck_dataset(self, path: Path, limits: DatasetLimits) -> DatasetSummary:
        return precheck_image_dataset(path, limits)

    def inspect_dataset(self, path: Path, limits: DatasetLimits) -> DatasetSummary:
        return load_image_dataset(path, limits)[1]
