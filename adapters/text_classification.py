"""Text classification: any transformers text encoder, or a sentence-transformers model."""

from __future__ import annotations

from pathlib import Path

from .acceptance import text_refusal
from .base import Adapter, DatasetLimits, DatasetSummary
from .datasets import load_text_dataset


class TextClassificationAdapter(Adapter):
    key = "text-classification"
    title = "Text classification (transformers encoder + new head)"
    task = "text-classification"
    training_module = "adapters.classify.text"

    def accepts(self, base_format: dict) -> str | None:
        return text_refusal(base_format)

    def precheck_dataset(self, path: Path, limits: DatasetLimits) -> DatasetSummary:
        # Parsing text is linear and bounded (size, lines, row length, columns, time): the
        # upload can check it all.
        return load_text_dataset(path, limits)[1]

    def inspect_dataset(self, path: Path, limits: DatasetLimits) -> DatasetSummary:
        return load_text_dataset(path, limits)[1]
