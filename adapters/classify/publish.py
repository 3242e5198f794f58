"""Turn a trained model into the output folder: layout, side files, ONNX, README."""

from __future__ import annotations

import json
import shutil
import time

import torch
from torch import nn

from ..base import TrainRequest, TrainResult
from . import card, layouts
from .estimate import Outcome
from .onnx import LogitsOnly, export_linked

METRICS_FILE = "metrics.json"
STORAGE_NOTES = {
    "sharded": (
        "A sharded transformers checkpoint: the first shard is the base model's weight file, "
        "byte for byte (the hub stores it once); `model-finetuned.safetensors` holds only the "
        "tensors training changed. `model.onnx` points into the same files."
    ),
    "full": "A full transformers checkpoint (every weight was trained).",
    "adapter": (
        "A LoRA adapter (peft): loaders fetch the base model from this hub at the pinned "
        "revision. `onnx/model.onnx` runs the adapted model; its external weights are the "
        "base's file, stored once, in `onnx/`."
    ),
    "sentence-transformers": (
        "The base sentence-transformers model, unchanged, plus a Dense module whose outputs "
        "are the class logits (labels in config.json `id2label`). `model.onnx` points into "
        "the same weight files."
    ),
}


def write_transformers_output(request: TrainRequest, model: nn.Module, onnx_inputs: dict) -> dict:
    """Writes the layout for ``request.params.strategy``; returns the layout facts."""
    out, base_dir, strategy = request.output_dir, request.base_dir, request.params.strategy
    model = model.cpu().eval()
    if strategy == "lora":
        layouts.write_peft_adapter(model, out, request.base_repo)
        onnx_dir = out / "onnx"
        onnx_dir.mkdir()
        weights = layouts.base_weight_files(base_dir, request.base_format)
        for name in weights:  # the graph's external data: the base's own bytes
            shutil.copyfile(base_dir / name, onnx_dir / name)
        # ... and the adapter's: both copies are blobs the hub already stores.
        shutil.copyfile(out / "adapter_model.safetensors", onnx_dir / "adapter_model.safetensors")
        weights = [*weights, "adapter_model.safetensors"]
        onnx_path, kind = onnx_dir / "model.onnx", "adapter"
    elif strategy == "full":
        layouts.write_transformers_full(model, out)
        weights = sorted(p.name for p in out.glob("*.safetensors"))
        onnx_path, kind = out / "model.onnx", "full"
    else:
        layouts.write_transformers_sharded(model, base_dir, request.base_format, out)
        weights = sorted(p.name for p in out.glob("*.safetensors"))
        onnx_path, kind = out / "model.onnx", "sharded"
    layouts.copy_side_files(base_dir, out)
    diff, linked = export_linked(
        LogitsOnly(model, tuple(onnx_inputs)), onnx_inputs, onnx_path, weights
    )
    return {
        "library": "peft" if kind == "adapter" else "transformers",
        "relation": "adapter" if kind == "adapter" else "finetune",
        "storage": kind,
        "onnx": str(onnx_path.relative_to(out)),
        "onnx_external_files": [str((onnx_path.parent / w).relative_to(out)) for w in weights],
        "onnx_max_abs_diff": diff,
        "onnx_linked_initializers": linked,
    }


def finish(
    request: TrainRequest,
    outcome: Outcome,
    layout: dict,
    *,
    task: str,
    labels: list[str],
    summary,
    cache: dict,
    started: float,
    export_started: float,
) -> TrainResult:
    info = {
        "base_id": request.base_repo["id"],
        "base_revision": request.base_repo.get("revision", ""),
        "license": request.base_repo.get("license"),
        "name": request.base_repo.get("target", "fine-tuned model"),
        "relation": layout["relation"],
        "library": layout["library"],
        "task": task,
        "dataset": request.dataset_name,
        "strategy": request.params.strategy,
        "metrics": outcome.metrics,
        "test_dataset": request.test_name,
        "labels": labels,
        "storage": STORAGE_NOTES[layout["storage"]],
    }
    (request.output_dir / "README.md").write_text(card.readme(info), encoding="utf-8")
    # Every figure, machine-readable, in the version itself (the card holds the headline).
    (request.output_dir / METRICS_FILE).write_text(
        json.dumps(outcome.metrics, sort_keys=True, separators=(",", ":")) + "\n", encoding="utf-8"
    )
    now = time.perf_counter()
    training = {
        "params": request.params.to_dict(),
        "timings": {
            **outcome.timings,
            "export_s": round(now - export_started, 3),
            "total_s": round(now - started, 3),
        },
        "feature_cache": cache,
        "history": outcome.history,
        "examples_trained": len(outcome.trained),
        "onnx_max_abs_diff": layout["onnx_max_abs_diff"],
        "dataset": summary.to_dict(),
        "torch_threads": torch.get_num_threads(),
    }
    files = sorted(
        str(p.relative_to(request.output_dir)) for p in request.output_dir.rglob("*") if p.is_file()
    )
    return TrainResult(files, outcome.metrics, {**layout, "pipeline_tag": task}, training)
