"""Adapter lookup by key. Adapters are imported lazily; their training modules import torch
only when a job trains."""

from __future__ import annotations

import importlib
from functools import cache

from .base import Adapter

ADAPTERS: dict[str, str] = {
    "text-classification": "adapters.text_classification.TextClassificationAdapter",
    "image-classification": "adapters.image_classification.ImageClassificationAdapter",
}


@cache
def get_adapter(key: str) -> Adapter:
    try:
        dotted = ADAPTERS[key]
    except KeyError:
        raise KeyError(f"unknown adapter {key!r}; known: {', '.join(ADAPTERS)}") from None
    module_name, class_name = dotted.rsplit(".", 1)
    return getattr(importlib.import_module(module_name), class_name)()


def adapter_choices(base_format: dict) -> list[tuple[str, Adapter]]:
    """Adapters that can fine-tune this base model, in registry order."""
    return [(key, a) for key in ADAPTERS if (a := get_adapter(key)).accepts(base_format) is None]


def why_not_finetunable(base_format: dict) -> str:
    """A short reason for the UI when no adapter accepts the model ('' if one does)."""
    if adapter_choices(base_format):
        return ""
    modality = base_format.get("modality")
    key = "image-classification" if modality == "image" else "text-classification"
    return get_adapter(key).accepts(base_format) or ""
