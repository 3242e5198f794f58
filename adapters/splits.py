"""Deterministic stratified train/validation split."""

from __future__ import annotations

import torch


def stratified_split(y: list[int], fraction: float, seed: int) -> tuple[list[int], list[int]]:
    """Per class: shuffle with ``seed``, send round(n * fraction) (at least 1, at most n-1)
    examples to validation. Every class with 2+ examples appears on both sides."""
    g = torch.Generator().manual_seed(seed)
    train: list[int] = []
    val: list[int] = []
    for cls in sorted(set(y)):
        members = [i for i, c in enumerate(y) if c == cls]
        order = [members[j] for j in torch.randperm(len(members), generator=g).tolist()]
        n_val = min(max(1, round(len(members) * fraction)), len(members) - 1)
        val += order[:n_val]
        train += order[n_val:]
    return sorted(train), sorted(val)
