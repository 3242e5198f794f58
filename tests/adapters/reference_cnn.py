"""Test-only reference forwards for the ImageNet starters, written over plain state dicts.

They keep the starter conversions checkable without torchvision or timm (neither imports
here) and after the hub's own architectures are gone:

* ``mobilenet_v2_logits``: torchvision's MobileNetV2 over torchvision's key names (the
  original .pth), symmetric padding, BatchNorm eps 1e-5.
* ``tf_efficientnet_lite0_logits``: timm's ``tf_efficientnet_lite0`` over timm's key names,
  TF "SAME" padding, BatchNorm eps 1e-3. It was checked equal (max diff 0.0) to real timm
  1.0.31 loading the exported folder, and the tests check it against the package's own
  efficientnet-lite-pytorch code.
"""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

StateDict = dict[str, torch.Tensor]

# (expand, channels, repeats, stride) from the MobileNetV2 paper / torchvision.
MOBILENET_V2 = ((1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1),
                (6, 160, 3, 2), (6, 320, 1, 1))  # fmt: skip
# (repeats, kernel, stride, expand, channels) of EfficientNet-Lite0 (tensorflow/tpu lite).
LITE0 = ((1, 3, 1, 1, 16), (2, 3, 2, 6, 24), (2, 5, 2, 6, 40), (3, 3, 2, 6, 80),
         (3, 5, 1, 6, 112), (4, 5, 2, 6, 192), (1, 3, 1, 6, 320))  # fmt: skip


def batch_norm(x: torch.Tensor, sd: StateDict, name: str, eps: float) -> torch.Tensor:
    w, b = sd[f"{name}.weight"], sd[f"{name}.bias"]
    mean, var = sd[f"{name}.running_mean"], sd[f"{name}.running_var"]
    return F.batch_norm(x, mean, var, w, b, training=False, eps=eps)


def conv(x: torch.Tensor, weight: torch.Tensor, stride: int, same: bool) -> torch.Tensor:
    """Depthwise when the weight has one input channel per group; ``same``: TF padding."""
    k = weight.shape[-1]
    groups = x.shape[1] // weight.shape[1]
    if not same:
        return F.conv2d(x, weight, stride=stride, padding=k // 2, groups=groups)
    pads: list[int] = []
    for n in (x.shape[-1], x.shape[-2]):  # width first, as F.pad wants
        total = max((math.ceil(n / stride) - 1) * stride + k - n, 0)
        pads += [total // 2, total - total // 2]  # TF puts the odd pixel bottom/right
    return F.conv2d(F.pad(x, pads), weight, stride=stride, groups=groups)


# --- MobileNetV2, torchvision key names ------------------------------------------------


def tv_conv_bn(x: torch.Tensor, sd: StateDict, name: str, stride: int = 1) -> torch.Tensor:
    """torchvision's Conv2dNormActivation: ``name.0`` conv, ``name.1`` BatchNorm, ReLU6."""
    x = conv(x, sd[f"{name}.0.weight"], stride, same=False)
    return F.relu6(batch_norm(x, sd, f"{name}.1", 1e-5))


def tv_block(x: torch.Tensor, sd: StateDict, name: str, stride: int, expand: bool) -> torch.Tensor:
    layers = [f"{name}.conv.0"] if expand else []
    y = x
    for i, layer in enumerate([*layers, f"{name}.conv.{len(layers)}"]):
        y = tv_conv_bn(y, sd, layer, stride if i == len(layers) else 1)
    project = len(layers) + 1
    y = conv(y, sd[f"{name}.conv.{project}.weight"], 1, same=False)
    y = batch_norm(y, sd, f"{name}.conv.{project + 1}", 1e-5)
    return x + y if stride == 1 and x.shape == y.shape else y


def mobilenet_v2_logits(sd: StateDict, x: torch.Tensor) -> torch.Tensor:
    x = tv_conv_bn(x, sd, "features.0", stride=2)
    n = 1
    for expand, _, repeats, stride in MOBILENET_V2:
        for j in range(repeats):
            x = tv_block(x, sd, f"features.{n}", stride if j == 0 else 1, expand != 1)
            n += 1
    x = tv_conv_bn(x, sd, f"features.{n}")
    return F.linear(x.mean((2, 3)), sd["classifier.1.weight"], sd["classifier.1.bias"])


# --- EfficientNet-Lite0, timm key names ------------------------------------------------


def timm_conv_bn(
    x: torch.Tensor, sd: StateDict, conv_name: str, bn_name: str, stride: int = 1, act: bool = True
) -> torch.Tensor:
    x = batch_norm(conv(x, sd[f"{conv_name}.weight"], stride, same=True), sd, bn_name, 1e-3)
    return F.relu6(x) if act else x


def timm_block(x: torch.Tensor, sd: StateDict, name: str, stride: int) -> torch.Tensor:
    if f"{name}.conv_pwl.weight" in sd:  # InvertedResidual: expand, depthwise, project
        y = timm_conv_bn(x, sd, f"{name}.conv_pw", f"{name}.bn1")
        y = timm_conv_bn(y, sd, f"{name}.conv_dw", f"{name}.bn2", stride)
        y = timm_conv_bn(y, sd, f"{name}.conv_pwl", f"{name}.bn3", act=False)
    else:  # DepthwiseSeparableConv: depthwise, project
        y = timm_conv_bn(x, sd, f"{name}.conv_dw", f"{name}.bn1", stride)
        y = timm_conv_bn(y, sd, f"{name}.conv_pw", f"{name}.bn2", act=False)
    return x + y if stride == 1 and x.shape == y.shape else y


def tf_efficientnet_lite0_logits(sd: StateDict, x: torch.Tensor) -> torch.Tensor:
    x = timm_conv_bn(x, sd, "conv_stem", "bn1", stride=2)
    for stage, (repeats, _, stride, _, _) in enumerate(LITE0):
        for j in range(repeats):
            x = timm_block(x, sd, f"blocks.{stage}.{j}", stride if j == 0 else 1)
    x = timm_conv_bn(x, sd, "conv_head", "bn2")
    return F.linear(x.mean((2, 3)), sd["classifier.weight"], sd["classifier.bias"])


def timm_eval_tensor(photo: Image.Image, pretrained_cfg: dict) -> torch.Tensor:
    """timm's eval transform for a ``pretrained_cfg``: shorter side to size / crop_pct,
    centre crop, scale to [0, 1], normalise. Returns a [3, H, W] tensor."""
    _, height, width = pretrained_cfg["input_size"]
    short = math.floor(height / pretrained_cfg["crop_pct"])
    photo = photo.convert("RGB")
    scale = short / min(photo.size)
    size = (round(photo.width * scale), round(photo.height * scale))
    resample = {"bilinear": Image.BILINEAR, "bicubic": Image.BICUBIC}
    photo = photo.resize(size, resample[pretrained_cfg["interpolation"]])
    left, top = (photo.width - width) // 2, (photo.height - height) // 2
    photo = photo.crop((left, top, left + width, top + height))
    pixels = torch.from_numpy(np.asarray(photo, dtype=np.float32) / 255.0).permute(2, 0, 1)
    mean = torch.tensor(pretrained_cfg["mean"]).view(3, 1, 1)
    std = torch.tensor(pretrained_cfg["std"]).view(3, 1, 1)
    return (pixels - mean) / std
