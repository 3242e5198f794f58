"""Image classification: a frozen CNN (optionally its last k blocks) + linear head."""

from __future__ import annotations

from pathlib import Path

from . import hubformat
from .base import (
    Adapter,
    CancelFn,
    DatasetLimits,
    DatasetSummary,
    HyperParams,
    LogFn,
    ProgressFn,
    TrainRequest,
    TrainResult,
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

    def accepts(self, base_config: dict) -> str | None:
        return refuse_reason(base_config)

    def default_params(self) -> HyperParams:
        return HyperParams(epochs=30, learning_rate=0.01, batch_size=32, image_size=0)

    def inspect_dataset(self, path: Path, limits: DatasetLimits) -> DatasetSummary:
        return load_image_dataset(path, limits)[1]

    def train(
        self,
        request: TrainRequest,
        *,
        on_progress: ProgressFn,
        is_cancelled: CancelFn,
        log: LogFn,
    ) -> TrainResult:
        # torch loads here, in the worker, not in web processes that only check acceptance.
        from .image_training import train

        return train(self, request, on_progress=on_progress, is_cancelled=is_cancelled, log=log)
