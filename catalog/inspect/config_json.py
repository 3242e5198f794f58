"""Compact summary of a model's config.json (transformers-style plus hub_* fields)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import IO, Any

from catalog.inspect.errors import InspectionError

# The one limit for every small JSON file of a repository the hub parses (config.json, the
# weight index, tokenizer and adapter configs): large models' index files need megabytes.
MAX_JSON_BYTES = 16 * 1024 * 1024
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


def json_read(handle: IO[bytes]) -> object:
    """The one reader of a repository's small JSON files (local or from the blob store):
    at most MAX_JSON_BYTES, UTF-8 with or without a BOM. Raises ValueError."""
    data = handle.read(MAX_JSON_BYTES + 1)
    if len(data) > MAX_JSON_BYTES:
        raise ValueError(f"larger than {MAX_JSON_BYTES // 1024**2} MiB, not read")
    try:
        return json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"not valid JSON ({exc})") from None


def load_config(path: Path) -> dict[str, Any]:
    try:
        with open(path, "rb") as handle:
            data = json_read(handle)
    except ValueError as exc:
        raise InspectionError(f"config.json is {exc}") from None
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
