"""Can this version be scored on a labelled dataset, and if so how to load it: answered from
its detected format (``adapters.formats``) plus, for sentence-transformers, two small JSON
files. No torch: web processes call this to refuse an evaluation before it is queued."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .. import acceptance

EVALUABLE_TASKS = {"text-classification": "text", "image-classification": "image"}
LOADERS = ("transformers", "peft", "sentence-transformers")
DENSE_TYPES = ("sentence_transformers.models.Dense", "sentence_transformers.models.Dense.Dense")


@dataclass(frozen=True)
class Classifier:
    """A version the worker can load and run: which library loads it, on what, with which
    labels (in the order of the model's outputs)."""

    loader: str  # transformers | peft | sentence-transformers
    modality: str  # text | image
    labels: tuple[str, ...]

    @property
    def adapter_key(self) -> str:
        """The adapter whose dataset checks fit this modality (the same loaders and limits
        as training datasets)."""
        return f"{self.modality}-classification"


class NotEvaluable(ValueError):
    """The version cannot be scored; the message says why, for a person."""


def classifier_of(fmt: dict, read_json: Callable[[str], object]) -> Classifier:
    """The classifier a version holds, or NotEvaluable with the reason. ``read_json(path)``
    reads a small JSON file of the version (used for sentence-transformers only)."""
    library = fmt.get("library")
    if library == "sentence-transformers":
        return _sentence_transformers(fmt, read_json)
    task = fmt.get("task")
    if task not in EVALUABLE_TASKS:
        raise NotEvaluable(
            f"it is {_task_phrase(task)}, not a text or image classifier; evaluation scores "
            "models with a classification head (a transformers *ForSequenceClassification "
            "or *ForImageClassification, a fine-tune made here, or a LoRA adapter of one)"
        )
    if library == "onnx":
        raise NotEvaluable(
            "ONNX graphs cannot be evaluated here; evaluate the PyTorch model they were "
            "exported from"
        )
    if library not in ("transformers", "peft"):
        raise NotEvaluable(f"the hub cannot load {library or 'this kind of'} classifiers")
    # The loading problems fine-tuning refuses apply as well (pickles, custom code, shards).
    reason = acceptance.common_refusal({**fmt, "library": "transformers"})
    if reason:
        raise NotEvaluable(reason)
    modality = EVALUABLE_TASKS[task]
    labels = tuple(fmt.get("labels") or ())
    if len(labels) < 2:
        raise NotEvaluable("its config.json names fewer than 2 labels (id2label)")
    if modality == "text" and not fmt.get("has_tokenizer"):
        raise NotEvaluable("it has no tokenizer files, so its texts cannot be encoded")
    if modality == "image" and not fmt.get("has_image_processor"):
        raise NotEvaluable("it has no preprocessor_config.json, so images cannot be prepared")
    return Classifier(loader=library, modality=modality, labels=labels)


def _sentence_transformers(fmt: dict, read_json: Callable[[str], object]) -> Classifier:
    """A sentence-transformers model classifies when its last module is a Dense layer of
    logits and config.json names one label per output (what head-only fine-tunes publish)."""
    reason = acceptance.common_refusal(fmt)
    if reason:
        raise NotEvaluable(reason)
    modules = _json(read_json, "modules.json")
    last = modules[-1] if isinstance(modules, list) and modules else None
    config = _json(read_json, "config.json")
    id2label = config.get("id2label") if isinstance(config, dict) else None
    if not isinstance(last, dict) or last.get("type") not in DENSE_TYPES or not id2label:
        raise NotEvaluable(
            "it is a sentence-transformers embedding model without a classification layer; "
            "fine-tune it on labelled data first (head-only adds one)"
        )
    dense = _json(read_json, f"{last.get('path')}/config.json")
    labels = _ordered_labels(id2label)
    if not isinstance(dense, dict) or dense.get("out_features") != len(labels):
        raise NotEvaluable(
            "its last Dense layer's outputs do not match the labels in config.json (id2label)"
        )
    return Classifier(loader="sentence-transformers", modality="text", labels=labels)


def _json(read_json: Callable[[str], object], path: str) -> object:
    try:
        return read_json(path)
    except (ValueError, OSError, KeyError):
        return None


def _ordered_labels(id2label: object) -> tuple[str, ...]:
    if not isinstance(id2label, dict):
        return ()
    try:
        return tuple(str(v) for _, v in sorted(id2label.items(), key=lambda kv: int(kv[0])))
    except (TypeError, ValueError):
        return ()


def _task_phrase(task: str | None) -> str:
    return f"a {task} model" if task else "a model whose task the hub cannot tell"


def label_mapping(dataset_labels: list[str], model_labels: tuple[str, ...]) -> dict[str, str]:
    """Each dataset label -> the model label it means: the same text, else the same text
    ignoring case and surrounding spaces when that is unambiguous. Raises NotEvaluable
    naming the labels the model cannot predict."""
    exact = set(model_labels)
    folded: dict[str, list[str]] = {}
    for label in model_labels:
        folded.setdefault(label.strip().casefold(), []).append(label)
    mapping, unknown = {}, []
    for label in dataset_labels:
        candidates = folded.get(label.strip().casefold(), [])
        if label in exact:
            mapping[label] = label
        elif len(candidates) == 1:
            mapping[label] = candidates[0]
        else:
            unknown.append(label)
    if unknown:
        raise NotEvaluable(
            f"the dataset's {_labels_phrase(unknown)} not among the labels this model "
            f"predicts ({_quoted(model_labels)}); relabel the rows, or evaluate a model "
            "trained on these labels"
        )
    return mapping


def _labels_phrase(labels: list[str]) -> str:
    noun = "label" if len(labels) == 1 else "labels"
    verb = "is" if len(labels) == 1 else "are"
    return f"{noun} {_quoted(labels)} {verb}"


def _quoted(labels, limit: int = 10) -> str:
    labels = list(labels)
    shown = ", ".join(repr(label) for label in labels[:limit])
    return shown + (f" and {len(labels) - limit} more" if len(labels) > limit else "")
