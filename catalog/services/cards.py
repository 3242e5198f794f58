"""Model cards as the Hugging Face Hub writes them: README.md with a YAML front matter.

`card_split` separates the metadata from the Markdown; `card_model_fields` maps Hub card keys
(license, pipeline_tag, library_name, tags, datasets, language, source_domain) onto the
model's fields, keeping only values the hub's vocabularies accept."""

from __future__ import annotations

import re

import yaml

from catalog.errors import InvalidInput
from catalog.vocab import LICENSES, SOURCE_DOMAINS, TASKS

FRONT_MATTER_RE = re.compile(r"\A---[ \t]*\r?\n(.*?)(?:\r?\n)?^---[ \t]*(?:\r?\n|\Z)", re.S | re.M)
MAX_CARD_BYTES = 1024 * 1024


def card_split(text: str) -> tuple[dict, str]:
    """(metadata, Markdown body). Raises InvalidInput for front matter that is not a mapping."""
    match = FRONT_MATTER_RE.match(text)
    if not match:
        return {}, text
    try:
        meta = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as exc:
        raise InvalidInput(f"README.md metadata is not valid YAML: {exc}") from exc
    if not isinstance(meta, dict):
        raise InvalidInput("README.md metadata must be a YAML mapping (key: value lines).")
    return meta, text[match.end() :].lstrip("\n")


def card_model_fields(meta: dict) -> dict:
    """Model fields from card metadata; unknown or invalid values are left out."""
    fields: dict = {}
    task = meta.get("pipeline_tag")
    if task in TASKS:
        fields["task"] = task
    license_ = meta.get("license")
    if isinstance(license_, str) and license_:
        fields["license"] = license_ if license_ in LICENSES else "other"
    if meta.get("source_domain") in SOURCE_DOMAINS:
        fields["source_domain"] = meta["source_domain"]
    library = meta.get("library_name")
    if isinstance(library, str) and 0 < len(library) <= 40:
        fields["library"] = library
    for key, field in (("tags", "tags"), ("datasets", "datasets"), ("language", "languages")):
        values = _strings(meta.get(key))
        if values is not None:
            fields[field] = values
    return fields


def _strings(value: object) -> list[str] | None:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        return None
    items = [item.strip() for item in value if isinstance(item, str) and item.strip()]
    return list(dict.fromkeys(item for item in items if len(item) <= 100))[:50]
