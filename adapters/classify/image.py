"""Image classification training (the image adapter's ``training_module``)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import ExitStack

from ..base import Adapter, CancelFn, LogFn, ProgressFn, TrainRequest, TrainResult
from ..datasets import load_image_dataset
from ..vision import to_rgb
from .loop import Hooks, begin, fit
from .network import load_classifier
from .publish import finish, write_transformers_output
from .trainees import transformers_trainee


class PixelBatches:
    """Decodes images from the ZIP on demand (bounded by the dataset limits) and runs the
    base model's own image processor (a PIL one: torchvision is not needed)."""

    def __init__(self, dataset, reader, processor):
        self.dataset, self.reader, self.processor = dataset, reader, processor

    def __call__(self, indices: list[int], batch_size: int) -> Iterator[tuple[list[int], dict]]:
        self.reader.new_pass()  # each sweep over the data gets the full byte budget
        for start in range(0, len(indices), batch_size):
            chunk = indices[start : start + batch_size]
            images = [to_rgb(self.reader.image(self.dataset.members[i])) for i in chunk]
            pixels = self.processor(images=images, return_tensors="pt")["pixel_values"]
            yield chunk, {"pixel_values": pixels.float()}


def train(
    adapter: Adapter,
    request: TrainRequest,
    *,
    on_progress: ProgressFn,
    is_cancelled: CancelFn,
    log: LogFn,
) -> TrainResult:
    from transformers import AutoImageProcessor

    started = time.perf_counter()
    params, fmt = request.params, request.base_format
    params.validate()
    ds, summary = load_image_dataset(request.dataset_path, request.limits, decode=False)
    log(f"dataset: {summary.rows} images, {len(summary.classes)} classes")
    labels = summary.classes
    hooks = Hooks(on_progress, is_cancelled, log)
    y, device = begin(request, labels, ds.labels, hooks)
    processor = AutoImageProcessor.from_pretrained(
        request.base_dir, local_files_only=True, trust_remote_code=False
    )
    model = load_classifier(request.base_dir, labels, "image")
    with ds.reader(request.limits) as reader, ExitStack() as stack:
        batches = PixelBatches(ds, reader, processor)
        trainee, trained, cache = transformers_trainee(
            model, batches, len(y), params, hooks,
            modality="image", model_type=fmt.get("model_type") or "", device=device, stack=stack,
        )  # fmt: skip
        outcome = fit(trainee, y, labels, params, hooks)
        stack.close()  # the real body is back before export
        sample = next(batches(outcome.val_indices[:4], 4))[1]
    log(f"validation accuracy {outcome.metrics['accuracy']:.3f}; writing the model")
    export_started = time.perf_counter()
    layout = write_transformers_output(request, trained, {"pixel_values": sample["pixel_values"]})
    return finish(
        request, outcome, layout, task=adapter.task, labels=labels, summary=summary,
        cache=cache, started=started, export_started=export_started,
    )  # fmt: skip
