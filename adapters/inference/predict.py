"""The worker's side of an evaluation: load a published classifier as its library saved it
and predict the labels of a dataset's examples, in batches, without training.

Imported only in the worker (torch, transformers, peft, sentence-transformers)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import torch

from ..base import Cancelled, DatasetLimits
from ..classify.device import resolve_device
from ..datasets import load_image_dataset, load_text_dataset
from ..vision import to_rgb
from .evaluable import Classifier

MAX_TOKENS = 512  # texts are truncated, as training truncates them
SAFE = {"trust_remote_code": False, "local_files_only": True}


@dataclass
class PredictRequest:
    classifier: Classifier
    model_dir: Path  # the version's files, laid out by its manifest
    dataset_path: Path
    mapping: dict[str, str]  # dataset label -> model label (evaluable.label_mapping)
    base_dir: Path | None = None  # peft: the files of the version the adapter was made on
    limits: DatasetLimits = field(default_factory=DatasetLimits)
    device: str = "auto"
    batch_size: int = 32


@dataclass
class Predictions:
    y_true: list[str]
    y_pred: list[str]
    labels: list[str]  # the model's labels, in output order
    timings: dict[str, float]
    device: str


Progress = Callable[[int, int], None]  # (examples done, examples in all)


def predict_dataset(
    request: PredictRequest, *, on_progress: Progress, is_cancelled: Callable[[], bool]
) -> Predictions:
    started = time.perf_counter()
    device = resolve_device(request.device)
    classifier = request.classifier
    if classifier.modality == "image":
        ds = load_image_dataset(request.dataset_path, request.limits, decode=False)[0]
    else:
        ds = load_text_dataset(request.dataset_path, request.limits)[0]
    y_true = [request.mapping[label] for label in ds.labels]
    runner = _runner(request, device)
    loaded = time.perf_counter()
    y_pred: list[str] = []
    for batch in runner(ds, request):
        if is_cancelled():
            raise Cancelled("the evaluation was cancelled")
        y_pred += batch
        on_progress(len(y_pred), len(y_true))
    timings = {
        "load_s": round(loaded - started, 3),
        "predict_s": round(time.perf_counter() - loaded, 3),
    }
    return Predictions(y_true, y_pred, list(classifier.labels), timings, str(device))


def _runner(request: PredictRequest, device: torch.device):
    loader = request.classifier.loader
    if loader == "sentence-transformers":
        return SentenceTransformersRunner(request.model_dir, device)
    model = _peft_classifier(request) if loader == "peft" else _transformers_classifier(request)
    model = model.to(device).eval()
    if request.classifier.modality == "image":
        return ImageRunner(model, request.model_dir, device)
    return TextRunner(model, request.model_dir, device)


def _auto_class(modality: str):
    from transformers import AutoModelForImageClassification, AutoModelForSequenceClassification

    return (
        AutoModelForImageClassification
        if modality == "image"
        else AutoModelForSequenceClassification
    )


def _transformers_classifier(request: PredictRequest):
    auto = _auto_class(request.classifier.modality)
    return auto.from_pretrained(request.model_dir, use_safetensors=True, **SAFE)


def _peft_classifier(request: PredictRequest):
    """The base version's weights under the adapter: the head and low-rank updates come from
    the adapter's own files, the body from the base the hub linked it to (its parent), never
    from a name written inside adapter_config.json."""
    from peft import PeftModel

    if request.base_dir is None:
        raise ValueError("a LoRA adapter needs its base model's files")
    labels = list(request.classifier.labels)
    base = _auto_class(request.classifier.modality).from_pretrained(
        request.base_dir,
        num_labels=len(labels),
        id2label=dict(enumerate(labels)),
        label2id={label: i for i, label in enumerate(labels)},
        ignore_mismatched_sizes=True,  # the adapter brings its own head
        use_safetensors=True,
        **SAFE,
    )
    return PeftModel.from_pretrained(base, str(request.model_dir), is_trainable=False)


def _label_of(model) -> Callable[[int], str]:
    config = getattr(model, "config", None)
    id2label = {int(k): str(v) for k, v in (getattr(config, "id2label", None) or {}).items()}
    return lambda index: id2label[index]


class TextRunner:
    def __init__(self, model, folder: Path, device: torch.device) -> None:
        from transformers import AutoTokenizer

        self.model, self.device, self.label = model, device, _label_of(model)
        self.tokenizer = AutoTokenizer.from_pretrained(folder, **SAFE)
        if self.tokenizer.pad_token is None:  # decoder-style models: pad with end-of-text
            self.tokenizer.pad_token = self.tokenizer.eos_token
            model.config.pad_token_id = self.tokenizer.pad_token_id
        positions = getattr(model.config, "max_position_embeddings", None) or MAX_TOKENS
        self.max_length = min(self.tokenizer.model_max_length, positions, MAX_TOKENS)

    def __call__(self, ds, request: PredictRequest) -> Iterator[list[str]]:
        for start in range(0, len(ds.texts), request.batch_size):
            texts = ds.texts[start : start + request.batch_size]
            inputs = self.tokenizer(
                texts,
                truncation=True,
                max_length=self.max_length,
                padding=True,
                return_tensors="pt",
            ).to(self.device)
            with torch.no_grad():
                logits = self.model(**inputs).logits
            yield [self.label(int(i)) for i in logits.argmax(-1).tolist()]


class ImageRunner:
    def __init__(self, model, folder: Path, device: torch.device) -> None:
        from transformers import AutoImageProcessor

        self.model, self.device, self.label = model, device, _label_of(model)
        self.processor = AutoImageProcessor.from_pretrained(folder, **SAFE)

    def __call__(self, ds, request: PredictRequest) -> Iterator[list[str]]:
        with ds.reader(request.limits) as reader:
            for start in range(0, len(ds.members), request.batch_size):
                chunk = ds.members[start : start + request.batch_size]
                images = [to_rgb(reader.image(member)) for member in chunk]
                pixels = self.processor(images=images, return_tensors="pt")["pixel_values"]
                with torch.no_grad():
                    logits = self.model(pixel_values=pixels.float().to(self.device)).logits
                yield [self.label(int(i)) for i in logits.argmax(-1).tolist()]


class SentenceTransformersRunner:
    """Its last module (a Dense layer) outputs the class logits; config.json names them."""

    def __init__(self, folder: Path, device: torch.device) -> None:
        from sentence_transformers import SentenceTransformer

        self.encoder = SentenceTransformer(
            str(folder), device=str(device), model_kwargs={"use_safetensors": True}, **SAFE
        )
        self.label = _label_of(self.encoder[0].auto_model)

    def __call__(self, ds, request: PredictRequest) -> Iterator[list[str]]:
        for start in range(0, len(ds.texts), request.batch_size):
            texts = ds.texts[start : start + request.batch_size]
            logits = self.encoder.encode(
                texts, batch_size=request.batch_size, convert_to_tensor=True
            )
            yield [self.label(int(i)) for i in logits.argmax(-1).tolist()]
