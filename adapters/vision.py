"""Image preprocessing with Pillow + torch only (torchvision does not import here)."""

from __future__ import annotations

import numpy as np
import torch
from PIL import Image

RESAMPLE = {"bilinear": Image.Resampling.BILINEAR, "bicubic": Image.Resampling.BICUBIC}


def scaled_preprocessing(base: dict, image_size: int) -> dict:
    """The base model's recipe at another input size (same resize/crop ratio)."""
    if not image_size or image_size == base["crop"]:
        return dict(base)
    ratio = base["resize"] / base["crop"]
    return {**base, "crop": image_size, "resize": round(image_size * ratio)}


def to_rgb(img: Image.Image) -> Image.Image:
    """Grayscale, palette and alpha images become RGB (alpha composited on white)."""
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        canvas = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(canvas, rgba).convert("RGB")
    return img.convert("RGB")


def preprocess(img: Image.Image, spec: dict) -> torch.Tensor:
    """Resize the shorter side to ``resize``, centre-crop ``crop``, scale, normalise: [3,H,W]."""
    img = to_rgb(img)
    w, h = img.size
    scale = spec["resize"] / min(w, h)
    size = (max(spec["crop"], round(w * scale)), max(spec["crop"], round(h * scale)))
    img = img.resize(size, RESAMPLE[spec.get("interpolation", "bilinear")])
    left, top = (size[0] - spec["crop"]) // 2, (size[1] - spec["crop"]) // 2
    img = img.crop((left, top, left + spec["crop"], top + spec["crop"]))
    x = torch.from_numpy(np.asarray(img, dtype=np.float32) / 255.0).permute(2, 0, 1)
    mean = torch.tensor(spec["mean"], dtype=torch.float32)[:, None, None]
    std = torch.tensor(spec["std"], dtype=torch.float32)[:, None, None]
    return (x - mean) / std
