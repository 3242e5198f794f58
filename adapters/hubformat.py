"""The hub model format: one folder per version (see docs/hub-format.md)."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # torch loads only where tensors are read or written
    import torch

HUB_FORMAT = 1
TEXT_ARCHITECTURES = {"bert"}
IMAGE_ARCHITECTURES = {"efficientnet-lite0", "mobilenet-v2"}
CONFIG = "config.json"
BACKBONE = "backbone.safetensors"
HEAD = "head.safetensors"
TOKENIZER = "tokenizer.json"
ONNX = "model.onnx"


class HubFormatError(ValueError):
    """A model folder that does not follow the hub format."""


def write_config(model_dir: Path, config: dict) -> None:
    # Sorted keys + fixed indent: the same config always gives the same bytes (dedup by sha256).
    text = json.dumps(config, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    (model_dir / CONFIG).write_text(text, encoding="utf-8")


def read_config(model_dir: Path) -> dict:
    path = Path(model_dir) / CONFIG
    if not path.is_file():
        raise HubFormatError(f"{model_dir} has no {CONFIG}")
    config = json.loads(path.read_text(encoding="utf-8"))
    if config.get("hub_format") != HUB_FORMAT:
        raise HubFormatError(f"{path} is not hub_format {HUB_FORMAT}")
    return config


def file_role(config: dict, role: str) -> str | None:
    """Name of the file playing ``role`` (backbone, head, tokenizer, onnx), or None."""
    return (config.get("files") or {}).get(role)


def save_tensors(path: Path, tensors: dict[str, torch.Tensor]) -> None:
    # Contiguous CPU copies: safetensors refuses shared or strided storage.
    from safetensors.torch import save_file

    clean = {k: v.detach().to("cpu").contiguous().clone() for k, v in sorted(tensors.items())}
    save_file(clean, str(path), metadata={"format": "pt"})


def load_tensors(path: Path) -> dict[str, torch.Tensor]:
    from safetensors.torch import load_file

    return load_file(str(path), device="cpu")


def count_parameters(tensors: dict[str, torch.Tensor]) -> int:
    return sum(t.numel() for t in tensors.values() if t.is_floating_point())


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def copy_file(src: Path, dst: Path) -> None:
    """Byte-for-byte copy: a reused backbone keeps its sha256, so the hub stores it once."""
    shutil.copyfile(src, dst)
