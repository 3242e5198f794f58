"""What a publish learns from the files themselves: the model format, the card's front
matter, the base model it derives from, and the model fields those imply.

Everything here reads before the publishing transaction opens (small JSON files from the
staged local paths or, for inherited files, from the blob store); `publish_model_fields` is
the one merge rule every publish path shares: README front matter wins, then the detected
format fills what the model does not have yet."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser

from adapters.formats import ModelFormat, model_format
from catalog.blobs import StagedFile, blob_open
from catalog.inspect.config_json import json_read
from catalog.models import Model, Version
from catalog.selectors import models_visible_to, version_latest
from catalog.services.cards import CARD_PATH, card_model_fields
from catalog.vocab import TASKS

RELATIONS = ("finetune", "adapter", "quantized", "merge")


@dataclass(frozen=True)
class BaseLink:
    version: Version
    name: str  # "owner/name" of the base model
    relation: str


def version_format(
    *, files: Sequence[StagedFile], manifest: dict[str, tuple[str, int, dict]]
) -> ModelFormat:
    """Detect the format of the version-to-be: new files from disk, inherited from blobs."""
    local = {staged.path: staged.local_path for staged in files}
    return _files_format(local=local, blobs={path: sha for path, (sha, _, _) in manifest.items()})


def version_format_dict(version: Version) -> dict:
    """A published version's format: stored at publish; versions published before detection
    existed are read once from their small JSON files."""
    stored = (version.metadata or {}).get("format")
    if isinstance(stored, dict):
        return stored
    blobs = dict(version.files.values_list("path", "blob_id"))
    return _files_format(local={}, blobs=blobs).to_dict()


def _files_format(*, local: dict[str, str], blobs: dict[str, str]) -> ModelFormat:
    """``blobs`` maps every path to its sha256; ``local`` the ones still on local disk."""

    def read_json(path: str) -> object:
        with open(local[path], "rb") if path in local else blob_open(blobs[path]) as handle:
            return json_read(handle)

    return model_format(blobs.keys(), read_json)


def publish_card(
    uploaded: tuple[dict, str] | None,
    *,
    deleted: Sequence[str] = (),
    replaced: Version | None = None,
) -> tuple[dict, str] | None:
    """The card a publish applies (README.md is the card, however it arrives): the upload's
    README.md (`uploaded`, read once by `cards.card_read`); an empty card when the new version
    drops the README.md (deleted, or not in an upload that replaces the head `replaced`);
    None, which leaves the model's card as it is, when the README.md is untouched. Asked again
    for each head a publish is prepared on: whether `replaced` had a README.md may change."""
    if uploaded is not None:
        return uploaded
    dropped = CARD_PATH in deleted or (
        replaced is not None and replaced.files.filter(path=CARD_PATH).exists()
    )
    return ({}, "") if dropped else None


def format_tags(fmt: ModelFormat) -> list[str]:
    """Tags the Hub derives from the files: library, model type, safetensors, custom_code."""
    tags = [fmt.library, fmt.model_type if fmt.library != "hub-legacy" else None]
    tags += ["safetensors" if fmt.weights else None, "custom_code" if fmt.custom_code else None]
    return [tag for tag in dict.fromkeys(tags) if tag and len(tag) <= 100]


def publish_model_fields(
    *, model: Model, card: tuple[dict, str] | None, fmt: ModelFormat, base: BaseLink | None
) -> dict:
    """The model fields a publish sets: the card's wherever it says something, then the
    format's task/library where the model has none yet, tags merged, base_model when linked."""
    meta, body = card if card is not None else ({}, None)
    fields = card_model_fields(meta)
    if body is not None:
        fields["card"] = body
    if "task" not in fields and model.task == "other" and fmt.task in TASKS:
        fields["task"] = fmt.task
    if "library" not in fields and not model.library and fmt.library:
        fields["library"] = fmt.library
    tags = list(fields.get("tags", model.tags))
    merged = list(dict.fromkeys([*tags, *format_tags(fmt)]))[:50]
    if merged != list(model.tags) or "tags" in fields:
        fields["tags"] = merged
    if base is not None:
        fields["base_model"] = base.name
    return fields


def base_link(
    *, model: Model, user, card: tuple[dict, str] | None, fmt: ModelFormat
) -> BaseLink | None:
    """The base model on this hub that the card's `base_model` (or a peft adapter's base)
    names and `user` can see, at its latest version."""
    meta = card[0] if card is not None else {}
    names = meta.get("base_model")
    names = [names] if isinstance(names, str) else names if isinstance(names, list) else []
    relation = meta.get("base_model_relation")
    if relation not in RELATIONS:
        relation = "adapter" if fmt.library == "peft" else "merge" if len(names) > 1 else "finetune"
    candidates = [(name, relation, None) for name in names if isinstance(name, str)]
    if fmt.peft_base:
        candidates.append((fmt.peft_base, "adapter", fmt.peft_base_revision))
    visible = models_visible_to(user or AnonymousUser()).exclude(pk=model.pk)
    for name, kind, revision in candidates:
        owner, _, repo = name.strip().partition("/")
        if not owner or not repo or "/" in repo:
            continue  # a local path or a bare name: not a model here
        base = visible.filter(namespace__name=owner, name=repo).first()
        linked = _pinned(base, revision) or (version_latest(base) if base is not None else None)
        if linked is not None:
            return BaseLink(linked, base.full_name, kind)
    return None


def _pinned(base: Model | None, revision: str | None) -> Version | None:
    """The exact version a peft adapter names by its 40-hex revision, when it is here."""
    if base is None or not isinstance(revision, str) or len(revision) != 40:
        return None
    return base.versions.filter(revision=revision, status=Version.Status.READY).first()
