"""Text classification: a frozen sentence encoder (optionally its last k layers) + linear head."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import torch

from . import hubformat
from .architectures import TEXT_ARCHITECTURES, load_backbone
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
from .datasets import load_text_dataset
from .outputs import OutputSpec, training_record, write_model
from .text import TextEncoder, pad
from .training import Hooks, fit

BASE_TASKS = ("feature-extraction", "sentence-similarity", "text-classification")
INT8_REASON = "int8 ONNX exports cannot be trained; fine-tune the float model it came from"


class TextSource:
    def __init__(self, ids: list[list[int]]):
        self.ids = ids

    def input_batches(
        self, indices: list[int], batch_size: int
    ) -> Iterator[tuple[list[int], tuple[torch.Tensor, ...]]]:
        # Length-sorted within the requested indices: little padding, same result.
        order = sorted(indices, key=lambda i: (len(self.ids[i]), i))
        for start in range(0, len(order), batch_size):
            chunk = order[start : start + batch_size]
            yield chunk, pad([self.ids[i] for i in chunk])


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

    def accepts(self, base_config: dict) -> str | None:
        return refuse_reason(base_config)

    def default_params(self) -> HyperParams:
        return HyperParams(epochs=30, learning_rate=0.01, batch_size=32, max_length=256)

    def inspect_dataset(self, path: Path, limits: DatasetLimits) -> DatasetSummary:
        return load_text_dataset(path, limits)[1]

    def train(
        self,
        request: TrainRequest,
        *,
        on_progress: ProgressFn,
        is_cancelled: CancelFn,
        log: LogFn,
    ) -> TrainResult:
        started = time.perf_counter()
        base_dir, params = Path(request.base_dir), request.params
        config = hubformat.read_config(base_dir)
        reason = refuse_reason(config)
        if reason:
            raise ValueError(f"cannot fine-tune this model: {reason}")
        params.validate(max_units=config["model_config"]["num_hidden_layers"])
        ds, summary = load_text_dataset(request.dataset_path, request.limits)
        log(f"dataset: {summary.rows} rows, {len(summary.classes)} classes ({summary.format})")
        labels = summary.classes
        index = {c: i for i, c in enumerate(labels)}
        tokenizer_name = hubformat.file_role(config, "tokenizer")
        encoder = TextEncoder(base_dir / tokenizer_name, params.max_length)
        ids = encoder.ids(ds.texts)
        backbone = load_backbone(base_dir, config)
        hooks = Hooks(on_progress, is_cancelled, log)
        outcome = fit(
            backbone, TextSource(ids), [index[c] for c in ds.labels], labels, params, hooks
        )
        log(f"validation accuracy {outcome.metrics['accuracy']:.3f}; exporting")
        t_export = time.perf_counter()
        sample = [ids[i] for i in outcome.val_indices[:8]]
        spec = OutputSpec(
            adapter=self.key,
            task=self.task,
            kind="text",
            labels=labels,
            preprocessing={**config["preprocessing"], "max_length": params.max_length},
            onnx_inputs=pad(sample),
            extra_files={"tokenizer": tokenizer_name},
        )
        files, out_config, diff = write_model(request, config, backbone, outcome.head, spec)
        training = training_record(params, outcome, summary, diff, started, t_export)
        return TrainResult(files, outcome.metrics, out_config, training)
