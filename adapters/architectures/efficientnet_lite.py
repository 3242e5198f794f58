"""EfficientNet-Lite (Google, tensorflow/tpu) in plain torch.

Key names follow the efficientnet-lite-pytorch package, so its converted checkpoints load
as they are. Lite variants: ReLU6, no squeeze-excitation, stem and head not scaled.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from .convs import ConvBackbone, SameConv2d

# (repeats, kernel, stride, expand, in, out) for Lite0, from efficientnet_lite_builder.py.
LITE0_BLOCKS = (
    (1, 3, 1, 1, 32, 16),
    (2, 3, 2, 6, 16, 24),
    (2, 5, 2, 6, 24, 40),
    (3, 3, 2, 6, 40, 80),
    (3, 5, 1, 6, 80, 112),
    (4, 5, 2, 6, 112, 192),
    (1, 3, 1, 6, 192, 320),
)
DEFAULT_PARAMS = {"width_coefficient": 1.0, "depth_coefficient": 1.0, "bn_eps": 1e-3}


def round_filters(c: int, width: float) -> int:
    c = c * width
    new = max(8, int(c + 4) // 8 * 8)
    return int(new + 8) if new < 0.9 * c else int(new)


def bn(c: int, eps: float) -> nn.BatchNorm2d:
    return nn.BatchNorm2d(c, eps=eps, momentum=0.01)


class MBConv(nn.Module):
    def __init__(self, c_in: int, c_out: int, k: int, stride: int, expand: int, eps: float):
        super().__init__()
        mid = c_in * expand
        self.expand = expand != 1
        if self.expand:
            self._expand_conv = SameConv2d(c_in, mid, 1)
            self._bn0 = bn(mid, eps)
        self._depthwise_conv = SameConv2d(mid, mid, k, stride, groups=mid)
        self._bn1 = bn(mid, eps)
        self._project_conv = SameConv2d(mid, c_out, 1)
        self._bn2 = bn(c_out, eps)
        self.residual = stride == 1 and c_in == c_out

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        x = inputs
        if self.expand:
            x = nn.functional.relu6(self._bn0(self._expand_conv(x)))
        x = nn.functional.relu6(self._bn1(self._depthwise_conv(x)))
        x = self._bn2(self._project_conv(x))
        return x + inputs if self.residual else x


class ConvHead(nn.Module):
    """The final 1x1 conv to 1280 channels, one trainable unit like a block.

    It is not registered on the backbone (``stages`` is a plain list), so the backbone's
    state dict keeps the checkpoint's names (_conv_head, _bn1) and no key appears twice.
    """

    def __init__(self, conv: nn.Conv2d, norm: nn.BatchNorm2d):
        super().__init__()
        self.conv = conv
        self.norm = norm

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return nn.functional.relu6(self.norm(self.conv(x)))


class EfficientNetLite(ConvBackbone):
    def __init__(self, params: dict):
        super().__init__()
        width, depth, eps = (
            params[k] for k in ("width_coefficient", "depth_coefficient", "bn_eps")
        )
        self._conv_stem = SameConv2d(3, 32, 3, 2)
        self._bn0 = bn(32, eps)
        self._blocks = nn.ModuleList(self._make_blocks(width, depth, eps))
        self._conv_head = SameConv2d(self._blocks[-1]._bn2.num_features, 1280, 1)
        self._bn1 = bn(1280, eps)
        self.feature_dim = 1280
        self.stages = [*self._blocks, ConvHead(self._conv_head, self._bn1)]
        self.n_units = len(self.stages)

    @staticmethod
    def _make_blocks(width: float, depth: float, eps: float) -> list[MBConv]:
        blocks = []
        last = len(LITE0_BLOCKS) - 1
        for i, (r, k, s, e, c_in, c_out) in enumerate(LITE0_BLOCKS):
            # Lite keeps the first and last stage fixed (no width/depth scaling of stem/head).
            c_in = 32 if i == 0 else round_filters(c_in, width)
            c_out = round_filters(c_out, width)
            repeats = r if i in (0, last) else math.ceil(depth * r)
            for j in range(repeats):
                blocks.append(
                    MBConv(c_in if j == 0 else c_out, c_out, k, s if j == 0 else 1, e, eps)
                )
        return blocks

    def stem_forward(self, x: torch.Tensor) -> torch.Tensor:
        return nn.functional.relu6(self._bn0(self._conv_stem(x)))


# Checkpoint keys that are not backbone weights.
HEAD_KEYS = {"_fc.weight": "weight", "_fc.bias": "bias"}
