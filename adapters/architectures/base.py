"""What every backbone offers the trainers: a frozen prefix and a trainable suffix.

``keep`` is how many of the last units (transformer layers, conv blocks) stay trainable.
With ``keep=0`` the prefix is the whole backbone and returns pooled features, so a
head-only fine-tune caches exactly one vector per example.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

State = Any  # a tensor, or a tuple of tensors for text (hidden states + mask)


class Backbone(nn.Module):
    feature_dim: int
    n_units: int

    def prefix(self, inputs: tuple[torch.Tensor, ...], keep: int) -> State:
        raise NotImplementedError

    def suffix(self, state: State, keep: int) -> torch.Tensor:
        raise NotImplementedError

    def units(self, keep: int) -> list[nn.Module]:
        """The modules a ``keep``-layer fine-tune trains."""
        raise NotImplementedError

    def split(self, state: State) -> list[Any]:
        """One cacheable item per example (so batches can be reshuffled every epoch)."""
        return list(state.unbind(0))

    def collate(self, items: list[Any]) -> State:
        return torch.stack(items)

    def forward(self, *inputs: torch.Tensor) -> torch.Tensor:
        return self.prefix(inputs, 0)


class Classifier(nn.Module):
    """Backbone + linear head: the module exported to ONNX and used for inference."""

    def __init__(self, backbone: Backbone, head: nn.Linear):
        super().__init__()
        self.backbone = backbone
        self.head = head

    def forward(self, *inputs: torch.Tensor) -> torch.Tensor:
        return self.head(self.backbone(*inputs))
