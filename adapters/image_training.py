"""The image adapter's training run (torch); imported only when a job trains."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import torch

from .architectures import load_backbone
from .base import (
    Adapter,
    CancelFn,
    LogFn,
    ProgressFn,
    TrainRequest,
    TrainResult,
)
from .datasets import ImageDataset, load_image_dataset
from .datasets.images import ImageReader
from .image_classification import refuse_reason
from .outputs import OutputSpec, train_result, trainable_config
from .training import Hooks, fit
from .vision import preprocess, scaled_preprocessing


class ImageSource:
    """Decodes and preprocesses images from the ZIP on demand (only once when cached)."""

    def __init__(self, dataset: ImageDataset, reader: ImageReader, spec: dict):
        self.dataset, self.reader, self.spec = dataset, reader, spec

    def tensor(self, i: int) -> torch.Tensor:
        return preprocess(self.reader.image(self.dataset.members[i]), self.spec)

    def input_batches(
        self, indices: list[int], batch_size: int
    ) -> Iterator[tuple[list[int], tuple[torch.Tensor, ...]]]:
        self.reader.new_pass()  # each sweep over the data gets the full byte budget
        for start in range(0, len(indices), batch_size):
            chunk = indices[start : start + batch_size]
            yield chunk, (torch.stack([self.tensor(i) for i in chunk]),)


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
    backbone = load_backbone(base_dir, config)
    params.validate(max_units=backbone.n_units)
    # Layout was validated at upload; images are decoded (and checked) as they are read.
    ds, summary = load_image_dataset(request.dataset_path, request.limits, decode=False)
    log(f"dataset: {summary.rows} images, {len(summary.classes)} classes")
    labels = summary.classes
    index = {c: i for i, c in enumerate(labels)}
    spec = scaled_preprocessing(config["preprocessing"], params.image_size)
    hooks = Hooks(on_progress, is_cancelled, log)
    with ds.reader(request.limits) as reader:
        source = ImageSource(ds, reader, spec)
        y = [index[c] for c in ds.labels]
        outcome = fit(backbone, source, y, labels, params, hooks)
        log(f"validation accuracy {outcome.metrics['accuracy']:.3f}; exporting")
        t_export = time.perf_counter()
        sample = torch.stack([source.tensor(i) for i in outcome.val_indices[:4]])
    out_spec = OutputSpec(
        adapter=adapter.key,
        task=adapter.task,
        kind="image",
        labels=labels,
        preprocessing=spec,
        onnx_inputs=(sample,),
        extra_files={},
    )
    return train_result(request, config, backbone, outcome, out_spec, summary, started, t_export)
