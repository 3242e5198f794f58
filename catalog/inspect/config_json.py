"""Compact summary of a model's config.json (transformers-style plus hub_* fields)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from catalog.inspect.errors import InspectionError

MAX_CONFIG_BYTES = 16 * 1024 * 1024
_SCALAR_KEYS = (
    "model_type",
    "task",
    "pipeline_tag",
    "problem_type",
    "hidden_size",
    "num_hidden_layers",
    "num_attention_heads",
    "intermediate_size",
    "vocab_size",
    "max_position_embeddings",
    "image_size",
    "num_channels",
    "torch_dtype",
    "dtype",
    "transformers_version",
)
_MAX_STR = 200
_MAX_LIST = 20


def load_config(path: Path) -> dict[str, Any]:
    if path.stat().st_size > MAX_CONFIG_BYTES:
        raise InspectionError(f"config.json is larger than {MAX_CONFIG_BYTES} bytes")
    try:
        data = json.loads(path.read_bytes().decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise InspectionError(f"config.json is not valid JSON ({exc})") from None
    if not isinstance(data, dict):
        raise InspectionError("config.json must contain a JSON object")
    return data


def summarize(path: Path) -> dict[str, Any]:
    config = load_config(path)
    summary: dict[str, Any] = {}
    if isinstance(config.get("architectures"), list):
        summary["architectures"] = _compact(config["architectures"])
    for key in _SCALAR_KEYS:
        if _is_scalar(config.get(key)):
            summary[key] = _compact(config[key])
    labels = config.get("id2label")
    if isinstance(labels, dict):
        summary["id2label_count"] = len(labels)
    num_labels = config.get("num_labels")
    if type(num_labels) is int:
        summary["num_labels"] = num_labels
    elif isinstance(labels, dict):
        summary["num_labels"] = len(labels)
    # Fields our own adapters write (e.g. hub_format) are kept whole but bounded.
    for key, value in config.items():
        if key.startswith("hub_"):
            summary[key] = _compact(value)
    return {"format": "json", "config": summary}


def _is_scalar(value: Any) -> bool:
    return isinstance(value, str | int | float | bool)


def _compact(value: Any, depth: int = 0) -> Any:
    """Trim long strings, long lists and deep nesting so summaries stay small."""
    if isinstance(value, str):
        return value[:_MAX_STR]
    if isinstance(value, list):
        return [_compact(v, depth + 1) for v in value[:_MAX_LIST]] if depth < 3 else []
    if isinstance(value, dict):
        items = list(value.items())[:_MAX_LIST]
        return {str(k)[:_MAX_STR]: _compact(v, depth + 1) for k, v in items} if depth < 3 else {}
    return value
