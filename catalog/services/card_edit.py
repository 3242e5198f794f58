"""The card editor: a model's README.md as metadata fields and Markdown, saved the way a commit
of README.md is saved (`version_publish` on the head, `parent_commit` = the head the editor
was opened on), so the card, its front matter and the model's fields change through the same
code path as every other upload (`cards.card_read` -> `formats.publish_model_fields`)."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import yaml
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser

from catalog.ancestry import ancestry_for
from catalog.blobs import blob_open, stage_local_file
from catalog.errors import InvalidInput
from catalog.models import Model, Version
from catalog.selectors import version_latest
from catalog.services.cards import (
    CARD_PATH,
    FRONT_MATTER_RE,
    MAX_CARD_BYTES,
    card_decode,
    card_size_check,
    card_split,
)
from catalog.services.quotas import quota_check_bytes
from catalog.services.versions import OnHead, version_publish

LIST_KEYS = ("tags", "datasets", "language")
# The front matter keys the editor's fields write, in the order they are shown, and the model
# field each one sets; any other key (base_model, model-index, widget ...) is kept as it is.
MODEL_FIELD = {
    "pipeline_tag": "task",
    "license": "license",
    "library_name": "library",
    "source_domain": "source_domain",
    "tags": "tags",
    "datasets": "datasets",
    "language": "languages",
}
FIELD_KEYS = tuple(MODEL_FIELD)


@dataclass(frozen=True)
class CardDraft:
    """What the editor opens with: the head's README.md, split."""

    meta: dict
    body: str
    front_matter: str | None  # the YAML as written, kept verbatim when no field changes
    head: Version | None
    from_readme: bool  # False: the head has no README.md; the model's fields stand in

    @property
    def other_keys(self) -> list[str]:
        """Front matter keys the editor has no field for (kept as written)."""
        return [str(key) for key in self.meta if key not in FIELD_KEYS]


def card_draft(*, model: Model, user) -> CardDraft:
    """The card as the newest version's README.md says, without names of private ancestors
    the user may not see (saving writes the text back without them)."""
    head = version_latest(model)
    text = _readme_text(head)
    ancestry = ancestry_for(user=user, models=[model], versions=[head])
    if text is None:  # the card field (set with the model), whose YAML, if any, wins
        fields = {key: value for key, value in _fields_meta(model).items() if value}
        try:
            meta, body = card_split(ancestry.text(model.card))
        except InvalidInput:
            meta, body = {}, ancestry.text(model.card)
        return CardDraft({**fields, **meta}, body, None, head, False)
    text = ancestry.text(text)
    match = FRONT_MATTER_RE.match(text)
    try:
        meta, body = card_split(text)
    except InvalidInput:  # broken YAML (an import): the editor starts from the text as it is
        return CardDraft({}, text, None, head, True)
    return CardDraft(meta, body, match.group(1) if match else None, head, True)


def card_field_values(draft: CardDraft) -> dict:
    """The editor's initial field values: list keys as comma-separated text."""
    values = {key: draft.meta.get(key) for key in FIELD_KEYS}
    for key in LIST_KEYS:
        items = values[key]
        items = [items] if isinstance(items, str) else items if isinstance(items, list) else []
        values[key] = ", ".join(str(item) for item in items)
    return {key: "" if value is None else value for key, value in values.items()}


def card_compose(*, draft: CardDraft, changed: dict, body: str, model: Model) -> str:
    """README.md text: the draft's front matter with the `changed` fields written into it
    (an emptied field leaves the YAML; an emptied list the model has stays as [] so the
    model's field empties too), then the Markdown body."""
    meta = dict(draft.meta)
    for key, value in changed.items():
        if key not in FIELD_KEYS:
            raise ValueError(f"not an editable card key: {key}")
        if key in LIST_KEYS:
            value = [item.strip() for item in str(value).split(",") if item.strip()]
            if not value and getattr(model, MODEL_FIELD[key]):
                meta[key] = []
                continue
        if value in ("", [], None):
            meta.pop(key, None)
        else:
            meta[key] = value
    body = body.replace("\r\n", "\n").strip("\n") + "\n"
    if changed or (draft.front_matter is None and meta and not draft.from_readme):
        front = _yaml_dump(meta) if meta else None
    else:
        front = draft.front_matter
    return f"---\n{front.rstrip()}\n---\n\n{body}" if front else body


def card_save(
    *,
    model: Model,
    user: AbstractBaseUser,
    text: str,
    message: str,
    parent_revision: str,
) -> Version:
    """Publish `text` as README.md on top of the head the editor was opened on (412 when
    another version came first); the rest of the files carry over."""
    data = text.encode("utf-8", "surrogatepass")
    card_size_check(len(data))
    quota_check_bytes(user=user, adding=len(data))
    folder = Path(settings.FILE_UPLOAD_TEMP_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder, prefix="card-") as temp:
        path = Path(temp) / CARD_PATH
        path.write_bytes(data)
        return version_publish(
            model=model,
            files=[stage_local_file(CARD_PATH, path)],
            author=user,
            message=message.strip() or "Update the model card",
            on_head=OnHead.ADD,
            parent_commit=parent_revision or None,
        )


def _readme_text(head: Version | None) -> str | None:
    row = head.files.select_related("blob").filter(path=CARD_PATH).first() if head else None
    if row is None:
        return None
    card_size_check(row.blob.size)
    with blob_open(row.blob_id) as handle:
        return card_decode(handle.read(MAX_CARD_BYTES + 1))


def _fields_meta(model: Model) -> dict:
    """A card's front matter from the model's fields, for a model without a README.md."""
    meta = {key: getattr(model, field) for key, field in MODEL_FIELD.items()}
    return {key: list(value) if key in LIST_KEYS else value for key, value in meta.items()}


def _yaml_dump(meta: dict) -> str:
    return yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, default_flow_style=False)
