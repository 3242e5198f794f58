"""Conv building blocks shared by the image backbones."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from .base import Backbone


class SameConv2d(nn.Conv2d):
    """TensorFlow "SAME" padding for inputs whose size is even at every stride-2 conv.

    TF pads stride-2 convs asymmetrically (more on the bottom/right). For an even input the
    split depends only on the kernel, so it is fixed here and the ONNX graph stays static;
    image sizes are restricted to multiples of 32 to guarantee even sizes.
    """

    def __init__(self, c_in: int, c_out: int, k: int, stride: int = 1, groups: int = 1):
        super().__init__(c_in, c_out, k, stride=stride, groups=groups, bias=False)
        total = k - stride if stride > 1 else k - 1
        self.pads = (total // 2, total - total // 2) * 2  # left, right, top, bottom

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return super().forward(F.pad(x, self.pads))


class ConvBackbone(Backbone):
    """A CNN whose ``stem`` runs first, then ``stages`` (the trainable units), then pooling."""

    stages: nn.ModuleList

    def stem_forward(self, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def prefix(self, inputs: tuple[torch.Tensor, ...], keep: int) -> torch.Tensor:
        x = self.stem_forward(inputs[0])
        for stage in self.stages[: self.n_units - keep]:
            x = stage(x)
        return x.mean((2, 3)) if keep == 0 else x

    def suffix(self, state: torch.Tensor, keep: int) -> torch.Tensor:
        if keep == 0:
            return state
        for stage in self.stages[self.n_units - keep :]:
            state = stage(state)
        return state.mean((2, 3))

    def units(self, keep: int) -> list[nn.Module]:
        return list(self.stages[self.n_units - keep :]) if keep else []

    def train(self, mode: bool = True):
        # BatchNorm keeps its pretrained statistics: small fine-tune batches would corrupt them.
        super().train(mode)
        for m in self.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.eval()
        return self
