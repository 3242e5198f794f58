"""MobileNetV2 in plain torch, with torchvision's key names (features.N..., classifier.1)."""

from __future__ import annotations

import torch
from torch import nn

from .convs import ConvBackbone

# (expand, channels, repeats, stride) from the MobileNetV2 paper / torchvision.
SETTINGS = ((1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1),
            (6, 160, 3, 2), (6, 320, 1, 1))  # fmt: skip
DEFAULT_PARAMS = {"width_mult": 1.0, "bn_eps": 1e-5}


def conv_bn_relu(c_in: int, c_out: int, k: int, stride: int = 1, groups: int = 1) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(c_in, c_out, k, stride, (k - 1) // 2, groups=groups, bias=False),
        nn.BatchNorm2d(c_out),
        nn.ReLU6(),
    )


class InvertedResidual(nn.Module):
    def __init__(self, c_in: int, c_out: int, stride: int, expand: int):
        super().__init__()
        mid = c_in * expand
        layers: list[nn.Module] = [conv_bn_relu(c_in, mid, 1)] if expand != 1 else []
        layers += [
            conv_bn_relu(mid, mid, 3, stride, groups=mid),
            nn.Conv2d(mid, c_out, 1, bias=False),
            nn.BatchNorm2d(c_out),
        ]
        self.conv = nn.Sequential(*layers)
        self.residual = stride == 1 and c_in == c_out

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.conv(x) if self.residual else self.conv(x)


class MobileNetV2(ConvBackbone):
    def __init__(self, params: dict):
        super().__init__()
        if params.get("width_mult", 1.0) != 1.0:
            raise ValueError("only MobileNetV2 with width_mult 1.0 is supported")
        layers: list[nn.Module] = [conv_bn_relu(3, 32, 3, 2)]
        c_in = 32
        for t, c, n, s in SETTINGS:
            for i in range(n):
                layers.append(InvertedResidual(c_in, c, s if i == 0 else 1, t))
                c_in = c
        layers.append(conv_bn_relu(c_in, 1280, 1))
        self.features = nn.Sequential(*layers)
        self.stages = list(self.features)[1:]  # blocks + final 1x1 conv are the units
        self.n_units = len(self.stages)
        self.feature_dim = 1280

    def stem_forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.features[0](x)


HEAD_KEYS = {"classifier.1.weight": "weight", "classifier.1.bias": "bias"}
