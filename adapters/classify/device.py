"""Where training runs: HUB_FINETUNE_DEVICE=auto|cpu|cuda, resolved in the worker."""

from __future__ import annotations

import torch


def resolve_device(wanted: str) -> torch.device:
    if wanted == "cuda" and not torch.cuda.is_available():
        raise RuntimeError("HUB_FINETUNE_DEVICE=cuda but this worker has no CUDA device")
    if wanted == "cuda" or (wanted == "auto" and torch.cuda.is_available()):
        return torch.device("cuda")
    return torch.device("cpu")


def seed_everything(seed: int) -> None:
    """Same data + seed + CPU = the same model, bit for bit."""
    torch.manual_seed(seed)
    if torch.cuda.is_available():
        torch.cuda.manual_seed_all(seed)
