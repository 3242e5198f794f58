"""What can be evaluated, and by whom, read from the version's detected format (plus, for
sentence-transformers, two small JSON files). No torch: pages and the API refuse here."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache

from adapters.inference.evaluable import Classifier, NotEvaluable, classifier_of, label_mapping
from catalog.blobs import blob_open
from catalog.errors import Forbidden, InvalidInput
from catalog.inspect.config_json import json_read
from catalog.models import Dataset, Version
from catalog.permissions import model_can_read
from catalog.services.formats import version_format_dict

DATASET_KINDS = {"text": "text", "image": "images"}
UPLOAD_HINTS = {
    "text": "a CSV or JSON Lines file with 'text' and 'label' columns",
    "image": "a ZIP with one folder of images per class",
}


@dataclass(frozen=True)
class EvaluationOptions:
    classifier: Classifier | None = None
    reason: str = ""

    @property
    def upload_hint(self) -> str:
        return UPLOAD_HINTS[self.classifier.modality] if self.classifier else ""


def evaluation_options(version: Version | None) -> EvaluationOptions:
    """For pages: the classifier a version holds, or why it cannot be evaluated. Versions
    are immutable, so the answer is cached by revision (a sentence-transformers version
    needs two small JSON reads)."""
    if version is None:
        return EvaluationOptions(reason="This model has no files yet.")
    key = f"evaluable:v1:{version.revision}"
    cached = cache.get(key)
    if cached is None:
        try:
            cached = {"classifier": _classifier(version).__dict__}
        except NotEvaluable as exc:
            cached = {"reason": f"{str(exc)[:1].upper()}{str(exc)[1:]}."}
        cache.set(key, cached, 24 * 3600)
    if "reason" in cached:
        return EvaluationOptions(reason=cached["reason"])
    facts = cached["classifier"]
    return EvaluationOptions(classifier=Classifier(**{**facts, "labels": tuple(facts["labels"])}))


def evaluation_target(*, user, version: Version) -> Classifier:
    """The classifier to load for ``user``: rights first (Forbidden), before anything about
    the version's files is read or told; then InvalidInput (400) saying why none can be."""
    model = version.model
    if not model_can_read(user=user, model=model):
        raise Forbidden(f"You no longer have access to {model.full_name}.")
    options = evaluation_options(version)
    classifier = options.classifier
    if classifier is None:
        raise InvalidInput(
            f"{model.full_name} v{version.number} cannot be evaluated: {options.reason}"
        )
    if classifier.loader == "peft":
        _base_rights_check(user=user, version=version)
    return classifier


def evaluation_labels(*, classifier: Classifier, dataset: Dataset) -> dict[str, str]:
    """Dataset label -> model label; InvalidInput naming the labels the model cannot predict,
    or saying the dataset is of the other kind."""
    wanted = DATASET_KINDS[classifier.modality]
    if dataset.kind != wanted:
        raise InvalidInput(
            f"This is {'an image' if classifier.modality == 'image' else 'a text'} classifier, "
            f"and {dataset.name} is a dataset of {dataset.kind}; upload "
            f"{UPLOAD_HINTS[classifier.modality]}."
        )
    try:
        return label_mapping(list(dataset.summary.get("classes") or []), classifier.labels)
    except NotEvaluable as exc:
        raise InvalidInput(f"Cannot evaluate on {dataset.name}: {exc}.") from exc


def _base_rights_check(*, user, version: Version) -> None:
    """Rights follow the bytes: a LoRA adapter's run loads its base too. A base the user
    cannot see is not named."""
    parent = version.parent
    if parent is None:
        raise InvalidInput(
            "This LoRA adapter is not linked to its base model on this hub, so the hub "
            "cannot load it; publish it with `base_model` naming a model here."
        )
    if not model_can_read(user=user, model=parent.model):
        raise Forbidden(
            "This adapter runs on a private model you cannot read, so you cannot evaluate it."
        )


def _classifier(version: Version) -> Classifier:
    fmt = version_format_dict(version)
    if fmt.get("library") != "sentence-transformers":
        return classifier_of(fmt, _no_reads)
    blobs = dict(version.files.values_list("path", "blob_id"))
    return classifier_of(fmt, lambda path: _read_json(blobs, path))


def _no_reads(path: str) -> object:
    raise ValueError(f"{path} is not read for this format")


def _read_json(blobs: dict[str, str], path: str) -> object:
    """A small JSON file of the version, by its manifest path only, bounded in size."""
    if path not in blobs:
        raise KeyError(path)
    with blob_open(blobs[path]) as handle:
        try:
            return json_read(handle)
        except ValueError as exc:
            raise ValueError(f"{path} is {exc}") from None
