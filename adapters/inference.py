"""Predict with a hub-format classifier folder: from safetensors (torch) or from model.onnx."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from . import hubformat, onnx_export
from .architectures import IMAGE_ARCHITECTURES, load_model
from .text import TextEncoder
from .vision import preprocess

BATCH = 32


class _Inputs:
    """Turns raw items (texts or PIL images) into model input batches, as in training."""

    def __init__(self, model_dir: Path, config: dict):
        self.config = config
        self.labels: list[str] = config.get("labels") or []
        self.kind = "image" if config["architecture"] in IMAGE_ARCHITECTURES else "text"
        if self.kind == "text":
            tok = model_dir / hubformat.file_role(config, "tokenizer")
            self.encoder = TextEncoder(tok, config["preprocessing"]["max_length"])

    def batches(self, items: Sequence) -> Iterator[tuple[list[int], tuple[torch.Tensor, ...]]]:
        if self.kind == "text":
            ids = self.encoder.ids(list(items))
            yield from self.encoder.batches(ids, BATCH)
            return
        spec = self.config["preprocessing"]
        for start in range(0, len(items), BATCH):
            chunk = list(range(start, min(start + BATCH, len(items))))
            yield chunk, (torch.stack([preprocess(items[i], spec) for i in chunk]),)

    def to_labels(self, logits: torch.Tensor) -> list[str]:
        return [self.labels[i] for i in logits.argmax(1).tolist()]


class _Predictor:
    inputs: _Inputs

    def _logits(self, batch: tuple[torch.Tensor, ...]) -> torch.Tensor:
        raise NotImplementedError

    def logits(self, items: Sequence[str] | Sequence[Image.Image]) -> torch.Tensor:
        out = torch.empty(len(items), len(self.inputs.labels))
        for chunk, batch in self.inputs.batches(items):
            out[chunk] = self._logits(batch)
        return out

    def predict(self, items: Sequence[str] | Sequence[Image.Image]) -> list[str]:
        return self.inputs.to_labels(self.logits(items)) if len(items) else []


class TorchClassifier(_Predictor):
    def __init__(self, model_dir: Path):
        model_dir = Path(model_dir)
        config = hubformat.read_config(model_dir)
        self.inputs = _Inputs(model_dir, config)
        self.model = load_model(model_dir, config)

    def _logits(self, batch: tuple[torch.Tensor, ...]) -> torch.Tensor:
        with torch.no_grad():
            return self.model(*batch)


class OnnxClassifier(_Predictor):
    def __init__(self, model_dir: Path):
        model_dir = Path(model_dir)
        config = hubformat.read_config(model_dir)
        self.inputs = _Inputs(model_dir, config)
        onnx_name = hubformat.file_role(config, "onnx")
        if not onnx_name or not config.get("labels"):
            raise hubformat.HubFormatError("this model has no ONNX classifier")
        self.session = onnx_export.session(model_dir / onnx_name)
        self.names = [i.name for i in self.session.get_inputs()]

    def _logits(self, batch: tuple[torch.Tensor, ...]) -> torch.Tensor:
        feed = {n: t.numpy() for n, t in zip(self.names, batch, strict=True)}
        return torch.from_numpy(np.asarray(self.session.run(None, feed)[0]))


def load_classifier(model_dir: Path) -> TorchClassifier:
    """Torch model from backbone.safetensors + head.safetensors (no pickle, no ONNX)."""
    return TorchClassifier(model_dir)


def load_onnx_classifier(model_dir: Path) -> OnnxClassifier:
    """onnxruntime on model.onnx, with the same tokenizer / image preprocessing."""
    return OnnxClassifier(model_dir)
