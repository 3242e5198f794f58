"""Image classification training (the image adapter's ``training_module``)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import ExitStack

from ..base import Adapter, Hooks, LogFn, TrainRequest, TrainResult
from ..datasets import ImageFiles, load_image_dataset
from ..evaluation import headline
from ..evaluation.baselines import majority, nearest_class_mean
from ..evaluation.testset import extra_labels_check
from ..vision import to_rgb
from .estimate import fit_and_measure
from .loop import begin
from .measure import Examples, digest, joined, plan_request
from .network import load_classifier
from .publish import finish, write_transformers_output
from .trainees import cache_body_outputs, on_device, pooled_features, transformers_trainee


class PixelBatches:
    """Decodes images from the files read once (``ImageFiles``) and runs the base model's
    own image processor (a PIL one: torchvision is not needed)."""

    def __init__(self, files: ImageFiles, processor):
        self.files, self.processor = files, processor

    def __call__(self, indices: list[int], batch_size: int) -> Iterator[tuple[list[int], dict]]:
        for start in range(0, len(indices), batch_size):
            chunk = indices[start : start + batch_size]
            images = [to_rgb(self.files.image(i)) for i in chunk]
            pixels = self.processor(images=images, return_tensors="pt")["pixel_values"]
            yield chunk, {"pixel_values": pixels.float()}


def train(adapter: Adapter, request: TrainRequest, hooks: Hooks) -> TrainResult:
    from transformers import AutoImageProcessor

    started = time.perf_counter()
    params, fmt = request.params, request.base_format
    ds, summary = load_image_dataset(request.dataset_path, request.limits, decode=False)
    hooks.log(f"dataset: {summary.rows} images, {len(summary.classes)} classes")
    labels = summary.classes
    # Each file is read from the ZIP once; the passes (features, epochs of every fit, the
    # export's sample) decode from memory.
    files = ds.read_all(request.limits)
    test_labels, test_files = _test_set(request, labels, hooks.log)
    n = len(ds.members)
    y, device = begin(request, labels, ds.labels + test_labels, hooks)
    processor = AutoImageProcessor.from_pretrained(
        request.base_dir, local_files_only=True, trust_remote_code=False
    )
    model = load_classifier(request.base_dir, labels, "image")
    batches = joined(
        PixelBatches(files, processor), n,
        PixelBatches(test_files, processor) if test_files else None,
    )  # fmt: skip
    hashes = [digest(data) for data in files.data + (test_files.data if test_files else [])]
    examples = Examples(n, ds.labels + test_labels, hashes, request.test_name)
    with ExitStack() as stack:
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
    # The stack is closed: the real body is back before export.
    hooks.phase("exporting")
    hooks.log(f"estimate: {headline(outcome.metrics['estimate'])}; writing the model")
    sample = next(PixelBatches(files, processor)(list(range(min(4, n))), 4))[1]
    export_started = time.perf_counter()
    layout = write_transformers_output(request, trained, sample)
    return finish(
        request, outcome, layout, task=adapter.task, labels=labels, summary=summary,
        cache=cache, started=started, export_started=export_started,
    )  # fmt: skip


def _test_set(
    request: TrainRequest, labels: list[str], log: LogFn
) -> tuple[list[str], ImageFiles | None]:
    """The test set's labels and files (read once, like the training set's), if one was given."""
    if request.test_path is None:
        return [], None
    test, summary = load_image_dataset(request.test_path, request.limits, decode=False)
    extra_labels_check(summary.classes, labels)
    log(f"test set: {summary.rows} images, never trained on")
    return test.labels, test.read_all(request.limits)
