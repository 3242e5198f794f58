"""The text adapter's training run (torch); imported only when a job trains."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import torch

from . import hubformat
from .architectures import load_backbone
from .base import (
    Adapter,
    CancelFn,
    LogFn,
    ProgressFn,
    TrainRequest,
    TrainResult,
)
from .datasets import load_text_dataset
from .outputs import OutputSpec, train_result, trainable_config
from .text import TextEncoder, pad
from .text_classification import refuse_reason
from .training import Hooks, fit


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


def train(
    adapter: Adapter,
    request: TrainRequest,
    *,
    on_progress: ProgressFn,
    is_cancelled: CancelFn,
    log: LogFn,
) -> TrainResult:
    started = time.perf_counter()
    base_dir, params = Path(request.base_dir), request.params
    config = trainable_config(base_dir, refuse_reason)
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
    outcome = fit(backbone, TextSource(ids), [index[c] for c in ds.labels], labels, params, hooks)
    log(f"validation accuracy {outcome.metrics['accuracy']:.3f}; exporting")
    t_export = time.perf_counter()
    sample = [ids[i] for i in outcome.val_indices[:8]]
    spec = OutputSpec(
        adapter=adapter.key,
        task=adapter.task,
        kind="text",
        labels=labels,
        preprocessing={**config["preprocessing"], "max_length": params.max_length},
        onnx_inputs=pad(sample),
        extra_files={"tokenizer": tokenizer_name},
    )
    return train_result(request, config, backbone, outcome, spec, summary, started, t_export)
