"""Writing a fine-tuned model as a hub-format folder."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

from . import hubformat, onnx_export
from .architectures import Backbone, Classifier
from .base import DatasetSummary, HyperParams, TrainRequest, TrainResult
from .training import Outcome


@dataclass
class OutputSpec:
    adapter: str
    task: str
    kind: str  # "text" | "image": ONNX input names
    labels: list[str]
    preprocessing: dict
    onnx_inputs: tuple[torch.Tensor, ...]  # real validation examples, to verify the export
    extra_files: dict[str, str]  # role -> file name copied unchanged from the base


def write_model(
    request: TrainRequest, base_config: dict, backbone: Backbone, head: nn.Linear, spec: OutputSpec
) -> tuple[list[str], dict, float]:
    """Returns (files, config, ONNX max abs diff)."""
    out, base = Path(request.output_dir), Path(request.base_dir)
    out.mkdir(parents=True, exist_ok=True)
    keep = request.params.trainable_units
    if keep == 0:
        # Frozen body: the very same bytes, so the hub stores the blob once.
        hubformat.copy_file(
            base / hubformat.file_role(base_config, "backbone"), out / hubformat.BACKBONE
        )
    else:
        hubformat.save_tensors(out / hubformat.BACKBONE, backbone.state_dict())
    hubformat.save_tensors(out / hubformat.HEAD, {"weight": head.weight, "bias": head.bias})
    for name in spec.extra_files.values():
        hubformat.copy_file(base / name, out / name)
    model = Classifier(backbone, head).eval()
    diff = onnx_export.export_verified(
        model, spec.onnx_inputs, out / hubformat.ONNX, spec.kind, weights=out / hubformat.BACKBONE
    )
    files = {
        "backbone": hubformat.BACKBONE,
        "head": hubformat.HEAD,
        "onnx": hubformat.ONNX,
        **spec.extra_files,
    }
    config = {
        "hub_format": hubformat.HUB_FORMAT,
        "architecture": base_config["architecture"],
        "task": spec.task,
        "labels": spec.labels,
        "preprocessing": spec.preprocessing,
        "model_config": base_config["model_config"],
        "num_parameters": sum(p.numel() for p in model.parameters()),
        "head": {"in_features": head.in_features, "num_labels": head.out_features},
        "files": files,
        "finetune": {
            "adapter": spec.adapter,
            "strategy": request.params.strategy,
            "trainable_units": keep,
            "backbone_reused": keep == 0,
        },
        "parent": request.parent,
    }
    hubformat.write_config(out, config)
    return sorted([hubformat.CONFIG, *files.values()]), config, diff


def trainable_config(base_dir: Path, refuse_reason: Callable[[dict], str | None]) -> dict:
    """The base model's config.json, checked again in the worker (the files may differ from
    what the submit-time check saw)."""
    config = hubformat.read_config(base_dir)
    reason = refuse_reason(config)
    if reason:
        raise ValueError(f"cannot fine-tune this model: {reason}")
    return config


def train_result(
    request: TrainRequest,
    base_config: dict,
    backbone: Backbone,
    outcome: Outcome,
    spec: OutputSpec,
    summary: DatasetSummary,
    started: float,
    export_started: float,
) -> TrainResult:
    """Writes the derived model and returns what the job records about it."""
    files, config, diff = write_model(request, base_config, backbone, outcome.head, spec)
    training = training_record(request.params, outcome, summary, diff, started, export_started)
    return TrainResult(files, outcome.metrics, config, training)


def training_record(
    params: HyperParams,
    outcome: Outcome,
    summary: DatasetSummary,
    onnx_diff: float,
    started: float,
    export_started: float,
) -> dict:
    """TrainResult.training: what was run, how long each phase took, what was cached."""
    now = time.perf_counter()
    timings = {
        **outcome.timings,
        "export_s": round(now - export_started, 3),
        "total_s": round(now - started, 3),
    }
    return {
        "params": params.to_dict(),
        "timings": timings,
        "feature_cache": outcome.cache,
        "history": outcome.history,
        "onnx_max_abs_diff": onnx_diff,
        "dataset": summary.to_dict(),
        "torch_threads": torch.get_num_threads(),
    }
