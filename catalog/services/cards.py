"""Model cards as the Hugging Face Hub writes them: README.md with a YAML front matter.

`card_read` is the one reader of a card for every way a README.md arrives (web upload form,
REST multipart, Hub commit, import, fine-tune, the card editor); `card_split` separates the
metadata from the Markdown; `card_model_fields` maps Hub card keys (license, pipeline_tag,
library_name, tags, datasets, language, source_domain) onto the model's fields, keeping only
values the hub's vocabularies accept."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.tokens import (
    AliasToken,
    BlockEndToken,
    BlockMappingStartToken,
    BlockSequenceStartToken,
    FlowMappingEndToken,
    FlowMappingStartToken,
    FlowSequenceEndToken,
    FlowSequenceStartToken,
)

from catalog.blobs import StagedFile
from catalog.errors import InvalidInput, PayloadTooLarge
from catalog.vocab import LICENSES, SOURCE_DOMAINS, TASKS

CARD_PATH = "README.md"

FRONT_MATTER_RE = re.compile(r"\A---[ \t]*\r?\n(.*?)(?:\r?\n)?^---[ \t]*(?:\r?\n|\Z)", re.S | re.M)
MAX_CARD_BYTES = 1024 * 1024
# Benchmark cards carry long `model-index` sections (100+ KB); parsing 256 KiB costs ~0.5 s.
MAX_FRONT_MATTER_BYTES = 256 * 1024
MAX_YAML_DEPTH = 32  # model-index needs about 7
MAX_YAML_ALIASES = 16  # aliases share objects; few of them cannot fan out into a bomb
MAX_NUMBER_CHARS = 64  # YAML 1.1 base-60 integers convert in quadratic time
OPENERS = (
    FlowSequenceStartToken,
    FlowMappingStartToken,
    BlockSequenceStartToken,
    BlockMappingStartToken,
)
CLOSERS = (FlowSequenceEndToken, FlowMappingEndToken, BlockEndToken)


class CardLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """The safe loader (libyaml's when installed) with numbers bounded in length."""


def _number(constructor: SafeConstructor, node: yaml.ScalarNode) -> int | float:
    if len(node.value) > MAX_NUMBER_CHARS:
        raise ConstructorError(None, None, "a number is too long", node.start_mark)
    if node.tag.endswith(":int"):
        return SafeConstructor.construct_yaml_int(constructor, node)
    return SafeConstructor.construct_yaml_float(constructor, node)


CardLoader.add_constructor("tag:yaml.org,2002:int", _number)
CardLoader.add_constructor("tag:yaml.org,2002:float", _number)


def card_size_check(size: int) -> None:
    """Refuse a card (README.md or the card field) over MAX_CARD_BYTES."""
    if size > MAX_CARD_BYTES:
        raise PayloadTooLarge(
            f"The model card (README.md) is {size:,} bytes; cards may hold at most "
            f"{MAX_CARD_BYTES:,} bytes (1 MiB). Move long material into other files."
        )


def card_read(files: Sequence[StagedFile], *, strict: bool = True) -> tuple[dict, str] | None:
    """(front matter, Markdown body) of the README.md among `files`; None without one.

    Over MAX_CARD_BYTES it is refused (413). Front matter that is not valid YAML is refused
    (400, as the Hub refuses it) unless `strict` is off (imports of cards written elsewhere:
    then the whole text is the body)."""
    readme = next((staged for staged in files if staged.path == CARD_PATH), None)
    if readme is None:
        return None
    card_size_check(readme.size)
    text = card_decode(Path(readme.local_path).read_bytes())
    try:
        return card_split(text)
    except InvalidInput as exc:
        if strict:
            raise InvalidInput(f"{exc.message} Fix the YAML between the '---' lines.") from exc
        return {}, text


def card_decode(data: bytes) -> str:
    """README bytes as text: UTF-8, without the byte-order mark some editors write (it would
    hide the front matter), undecodable bytes replaced."""
    return data.decode("utf-8-sig", "replace")


def card_split(text: str) -> tuple[dict, str]:
    """(metadata, Markdown body). Raises InvalidInput for front matter that is not a mapping,
    or that is too large or too deeply nested to read."""
    match = FRONT_MATTER_RE.match(text)
    if not match:
        return {}, text
    meta = front_matter_load(match.group(1))
    return meta, text[match.end() :].lstrip("\n")


def front_matter_load(source: str) -> dict:
    """The YAML mapping of a card's front matter, read within size and nesting bounds."""
    size = len(source.encode("utf-8", "surrogatepass"))
    if size > MAX_FRONT_MATTER_BYTES:
        raise InvalidInput(
            f"README.md metadata is {size:,} bytes; at most {MAX_FRONT_MATTER_BYTES:,} "
            "bytes (256 KiB) of YAML are read."
        )
    try:
        _shape_check(source)
        meta = yaml.load(source, Loader=CardLoader) or {}  # CardLoader is a safe loader
    except yaml.YAMLError as exc:
        raise InvalidInput(f"README.md metadata is not valid YAML: {exc}") from exc
    except (RecursionError, ValueError, OverflowError) as exc:  # a safety net at the edge
        raise InvalidInput(f"README.md metadata could not be read: {exc}") from exc
    if not isinstance(meta, dict):
        raise InvalidInput("README.md metadata must be a YAML mapping (key: value lines).")
    return meta


def _shape_check(source: str) -> None:
    """Nesting depth and alias count from the token stream, before anything is built."""
    depth = aliases = 0
    for token in yaml.scan(source, Loader=CardLoader):
        if isinstance(token, OPENERS):
            depth += 1
            if depth > MAX_YAML_DEPTH:
                raise InvalidInput(f"README.md metadata nests deeper than {MAX_YAML_DEPTH} levels.")
        elif isinstance(token, CLOSERS):
            depth -= 1
        elif isinstance(token, AliasToken):
            aliases += 1
            if aliases > MAX_YAML_ALIASES:
                raise InvalidInput(
                    f"README.md metadata uses more than {MAX_YAML_ALIASES} aliases (*name)."
                )


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
