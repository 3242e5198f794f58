"""Adapter lookup by key. Adapters are imported lazily (torch is heavy)."""

from __future__ import annotations

import importlib
from functools import cache

from . import hubformat
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


def adapter_choices(base_config: dict) -> list[tuple[str, Adapter]]:
    """Adapters that can fine-tune this base model, in registry order."""
    return [(key, a) for key in ADAPTERS if (a := get_adapter(key)).accepts(base_config) is None]


def why_not_finetunable(base_config: dict) -> str:
    """A short reason for the UI when no adapter accepts the model ('' if one does)."""
    if adapter_choices(base_config):
        return ""
    if "int8" in str(base_config.get("weights_format", "")):
        return "int8 ONNX exports cannot be trained; fine-tune the float model it came from"
    reasons = {key: get_adapter(key).accepts(base_config) or "" for key in ADAPTERS}
    if all(r.startswith("not ") for r in reasons.values()):
        arch, task = base_config.get("architecture"), base_config.get("task")
        return f"no fine-tuning adapter for {task} models ({arch})"
    if not hubformat.file_role(base_config, "backbone"):
        return "this model has no safetensors weights to train"
    # The adapter for this architecture says why; the others only say "not mine".
    return next(r for r in reasons.values() if not r.startswith("not "))
