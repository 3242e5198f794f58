"""Roll the per-file inspections of one version up into a version summary.

Counting rule (the same weights are often shipped several times):
1. safetensors wins. Shards `name-00001-of-00003.safetensors` are summed; other
   safetensors files are taken as alternative copies (e.g. `model.fp16.safetensors`), so
   the largest group counts, not their sum. Items without a path are summed together.
2. Otherwise ONNX: exports are usually variants of one model (fp32, quantized,
   with-past), so the largest single graph counts. An encoder/decoder split is then
   undercounted; we prefer undercounting to double counting.
3. Otherwise GGUF/npy counts are not used: they are reported per file only.
Items may carry a "path" (the repo path), which the shard rule needs. When the caller knows
which files hold the weights (a `model.safetensors.index.json` names its shards, whatever
their names), `weights` lists them and they are summed instead.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

_SHARD = re.compile(r"^(?P<stem>.+)-\d{5}-of-\d{5}\.safetensors$")


def summarize_version(
    file_infos: list[dict[str, Any]], *, weights: Sequence[str] = ()
) -> dict[str, Any]:
    formats = sorted({str(info.get("format", "unknown")) for info in file_infos})
    source, chosen = _named_weights(file_infos, weights) or _pick_weights(file_infos)
    dtypes: dict[str, int] = defaultdict(int)
    for info in chosen:
        for dtype, count in info.get("dtypes", {}).items():
            dtypes[dtype] += count
    return {
        "formats": formats,
        "file_count": len(file_infos),
        "parameter_count": sum(info["parameter_count"] for info in chosen) if chosen else None,
        "parameter_source": source,
        "dtypes": dict(sorted(dtypes.items())),
    }


def _named_weights(
    file_infos: list[dict[str, Any]], weights: Sequence[str]
) -> tuple[str, list[dict[str, Any]]] | None:
    by_path = {info.get("path"): info for info in file_infos}
    chosen = [by_path[path] for path in weights if path in by_path]
    counted = all(
        info.get("format") == "safetensors" and isinstance(info.get("parameter_count"), int)
        for info in chosen
    )
    if not weights or len(chosen) != len(weights) or not counted:
        return None  # a shard is missing or unreadable: fall back to the name rules
    return "safetensors", chosen


def _pick_weights(file_infos: list[dict[str, Any]]) -> tuple[str | None, list[dict[str, Any]]]:
    counted = [i for i in file_infos if isinstance(i.get("parameter_count"), int)]
    safetensors = [i for i in counted if i.get("format") == "safetensors"]
    if safetensors:
        groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for info in safetensors:
            groups[_group_key(info)].append(info)
        return "safetensors", max(groups.values(), key=_total)
    onnx = [i for i in counted if i.get("format") == "onnx"]
    if onnx:
        return "onnx", [max(onnx, key=lambda i: i["parameter_count"])]
    return None, []


def _group_key(info: dict[str, Any]) -> str:
    path = str(info.get("path") or "")
    match = _SHARD.match(path)
    if match:
        return match["stem"]
    # No path: assume shards of one model, the common case for sharded uploads.
    return path or "<shards>"


def _total(group: list[dict[str, Any]]) -> int:
    return sum(info["parameter_count"] for info in group)
