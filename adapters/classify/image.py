"""Image classification training (the image adapter's ``training_module``)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import ExitStack

from ..base import Adapter, CancelFn, LogFn, PhaseFn, ProgressFn, TrainRequest, TrainResult
from ..datasets import load_image_dataset
from ..evaluation import headline
from ..evaluation.baselines import majority, nearest_class_mean
from ..evaluation.testset import extra_labels_check
from ..vision import to_rgb
from .estimate import fit_and_measure
from .loop import Hooks, begin
from .measure import Examples, digest, joined, plan_request
from .network import load_classifier
from .publish import finish, write_transformers_output
from .trainees import cache_body_outputs, on_device, pooled_features, transformers_trainee


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
    on_phase: PhaseFn | None = None,
) -> TrainResult:
    from transformers import AutoImageProcessor

    started = time.perf_counter()
    params, fmt = request.params, request.base_format
    params.validate()
    ds, summary = load_image_dataset(request.dataset_path, request.limits, decode=False)
    log(f"dataset: {summary.rows} images, {len(summary.classes)} classes")
    labels = summary.classes
    test = _test_set(request, labels, log)
    n = len(ds.members)
    hooks = Hooks(on_progress, is_cancelled, log, on_phase)
    y, device = begin(request, labels, ds.labels + (test.labels if test else []), hooks)
    processor = AutoImageProcessor.from_pretrained(
        request.base_dir, local_files_only=True, trust_remote_code=False
    )
    model = load_classifier(request.base_dir, labels, "image")
    with ExitStack() as stack:
        reader = stack.enter_context(ds.reader(request.limits))
        test_reader = stack.enter_context(test.reader(request.limits)) if test else None
        batches = joined(
            PixelBatches(ds, reader, processor), n,
            PixelBatches(test, test_reader, processor) if test else None,
        )  # fmt: skip
        hashes = [digest(reader.raw(m)) for m in ds.members]
        hashes += [digest(test_reader.raw(m)) for m in test.members] if test else []
        examples = Examples(n, ds.labels + (test.labels if test else []), hashes, request.test_name)
        # The frozen body's outputs feed the nearest-class-mean baseline and, for cached
        # head-only, the head itself: computed once.
        model.to(device)
        store = cache_body_outputs(
            model, on_device(batches, device), list(range(len(y))), params, hooks
        )
        baselines = {
            "majority": majority(y),
            "nearest_class_mean": nearest_class_mean(pooled_features(store, range(len(y))), y),
        }
        cached = params.caches_features
        plan = plan_request(request, y, n, cheap_refit=cached)
        trainee, trained, cache = transformers_trainee(
            model, batches, len(y), params, hooks,
            modality="image", model_type=fmt.get("model_type") or "", device=device,
            stack=stack, store=store if cached else None,
        )  # fmt: skip
        del store  # the head-only trainee keeps its own reference; others need none
        outcome = fit_and_measure(
            trainee, y, labels, params, hooks,
            plan=plan, baselines=baselines, test=examples.test, row_hashes=examples.hashes,
        )  # fmt: skip
        stack.close()  # the real body is back before export (and the ZIPs are closed)
    hooks.phase("exporting")
    log(f"estimate: {headline(outcome.metrics['estimate'])}; writing the model")
    with ds.reader(request.limits) as reader:
        sample = next(PixelBatches(ds, reader, processor)(list(range(min(4, n))), 4))[1]
    export_started = time.perf_counter()
    layout = write_transformers_output(request, trained, {"pixel_values": sample["pixel_values"]})
    return finish(
        request, outcome, layout, task=adapter.task, labels=labels, summary=summary,
        cache=cache, started=started, export_started=export_started,
    )  # fmt: skip


def _test_set(request: TrainRequest, labels: list[str], log: LogFn):
    if request.test_path is None:
        return None
    test, summary = load_image_dataset(request.test_path, request.limits, decode=False)
    extra_labels_check(summary.classes, labels)
    log(f"test set: {summary.rows} images, never trained on")
    return test
