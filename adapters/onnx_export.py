"""Export a Classifier to ONNX and prove onnxruntime agrees with torch before keeping it."""

from __future__ import annotations

import json
import struct
import warnings
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import torch
from onnx import numpy_helper

OPSET = 17
TEXT_INPUTS = ("input_ids", "attention_mask")
IMAGE_INPUTS = ("pixel_values",)


class OnnxMismatch(RuntimeError):
    """The exported graph does not reproduce the torch model."""


def export(model: torch.nn.Module, inputs: tuple[torch.Tensor, ...], path: Path, kind: str) -> None:
    names = TEXT_INPUTS if kind == "text" else IMAGE_INPUTS
    axes = {n: {0: "batch", 1: "sequence"} if kind == "text" else {0: "batch"} for n in names}
    axes["logits"] = {0: "batch"}
    model.eval()
    with warnings.catch_warnings(), torch.no_grad():
        # The TorchScript exporter: works offline (no onnxscript) and gives the same bytes
        # for the same weights. It warns that it is deprecated.
        warnings.simplefilter("ignore")
        torch.onnx.export(
            model,
            inputs,
            str(path),
            dynamo=False,
            input_names=list(names),
            output_names=["logits"],
            dynamic_axes=axes,
            opset_version=OPSET,
            # No folding / BN fusion: initializers stay the module's own tensors, so they can
            # point into backbone.safetensors (onnxruntime folds at load time anyway).
            do_constant_folding=False,
            training=torch.onnx.TrainingMode.PRESERVE,
        )


def safetensors_index(path: Path) -> tuple[dict, int]:
    """(header, offset of the data section) of a safetensors file."""
    with open(path, "rb") as fh:
        (size,) = struct.unpack("<Q", fh.read(8))
        header = json.loads(fh.read(size))
    header.pop("__metadata__", None)
    return header, 8 + size


def link_weights(onnx_path: Path, weights: Path, prefix: str) -> int:
    """Makes initializers that equal a tensor of ``weights`` external data pointing into it.

    The graph then carries no second copy of the backbone: model.onnx stays small and the
    backbone blob is shared. Returns how many tensors were linked.
    """
    model = onnx.load(str(onnx_path))
    header, data_start = safetensors_index(weights)
    linked = 0
    with open(weights, "rb") as fh:
        for init in model.graph.initializer:
            entry = header.get(init.name.removeprefix(prefix))
            if entry is None or entry["dtype"] != "F32":
                continue
            start, end = entry["data_offsets"]
            fh.seek(data_start + start)
            array = numpy_helper.to_array(init)
            if array.dtype != np.float32 or array.tobytes() != fh.read(end - start):
                continue
            make_external(init, weights.name, data_start + start, end - start)
            linked += 1
    onnx_path.write_bytes(model.SerializeToString())
    return linked


def make_external(init: onnx.TensorProto, location: str, offset: int, length: int) -> None:
    init.ClearField("raw_data")
    init.ClearField("float_data")
    init.data_location = onnx.TensorProto.EXTERNAL
    del init.external_data[:]
    for key, value in (("location", location), ("offset", offset), ("length", length)):
        entry = init.external_data.add()
        entry.key, entry.value = key, str(value)


def session(path: Path) -> ort.InferenceSession:
    opts = ort.SessionOptions()
    opts.log_severity_level = 3
    return ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])


def verify(
    model: torch.nn.Module, inputs: tuple[torch.Tensor, ...], path: Path, kind: str, atol: float
) -> float:
    """Max |torch - onnxruntime| over ``inputs``; raises OnnxMismatch above ``atol``."""
    names = TEXT_INPUTS if kind == "text" else IMAGE_INPUTS
    with torch.no_grad():
        expected = model(*inputs).numpy()
    feed = {n: t.numpy() for n, t in zip(names, inputs, strict=True)}
    got = session(path).run(["logits"], feed)[0]
    diff = float(np.max(np.abs(got - expected)))
    if not diff <= atol:  # also catches NaN
        raise OnnxMismatch(f"ONNX export disagrees with torch: max abs diff {diff:.2e} > {atol}")
    return diff


def export_verified(
    model: torch.nn.Module,
    inputs: tuple[torch.Tensor, ...],
    path: Path,
    kind: str,
    *,
    weights: Path | None = None,
    prefix: str = "backbone.",
    atol: float = 1e-3,
) -> float:
    """Exports, links backbone tensors into ``weights`` (a sibling safetensors file) when
    given, checks the graph and proves onnxruntime reproduces torch."""
    export(model, inputs, path, kind)
    if weights is not None:
        link_weights(path, weights, prefix)
    onnx.checker.check_model(str(path))
    return verify(model, inputs, path, kind, atol)
