"""Text classification: a frozen sentence encoder (optionally its last k layers) + linear head."""

from __future__ import annotations

from pathlib import Path

from . import hubformat
from .base import (
    Adapter,
    DatasetLimits,
    DatasetSummary,
    HyperParams,
)
from .datasets import load_text_dataset
from .hubformat import TEXT_ARCHITECTURES

BASE_TASKS = ("feature-extraction", "sentence-similarity", "text-classification")
INT8_REASON = "int8 ONNX exports cannot be trained; fine-tune the float model it came from"


def refuse_reason(config: dict) -> str | None:
    if config.get("architecture") not in TEXT_ARCHITECTURES:
        return "not a BERT-style text encoder"
    if config.get("task") not in BASE_TASKS:
        return f"task {config.get('task')!r} is not a text encoder or text classifier"
    if not hubformat.file_role(config, "backbone"):
        return (
            INT8_REASON if "int8" in str(config.get("weights_format")) else "no safetensors weights"
        )
    if not hubformat.file_role(config, "tokenizer"):
        return "no tokenizer.json"
    return None


class TextClassificationAdapter(Adapter):
    key = "text-classification"
    title = "Text classification (sentence encoder + linear head)"
    task = "text-classification"
    training_module = "adapters.text_training"

    def accepts(self, base_config: dict) -> str | None:
        return refuse_reason(base_config)

    def default_params(self) -> HyperParams:
        return HyperParams(epochs=30, learning_rate=0.01, batch_size=32, max_length=256)

    def inspect_dataset(self, path: Path, limits: DatasetLimits) -> DatasetSummary:
        return load_text_dataset(path, limits)[1]
