"""ONNX export of a fine-tuned classifier that stores no second copy of the weights.

Every float32 initializer whose bytes equal a tensor of a safetensors file beside the
graph becomes external data pointing into that file (offset + length), which onnxruntime
reads directly. The graph is then checked against torch on real validation examples."""

from __future__ import annotations

import hashlib
import json
import struct
import warnings
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import torch
from onnx import numpy_helper
from torch import nn

OPSET = 17


class OnnxMismatch(RuntimeError):
    """The exported graph does not reproduce the torch model."""


def safetensors_index(path: Path) -> tuple[dict, int]:
    """(header, offset of the data section) of a safetensors file."""
    with open(path, "rb") as fh:
        (size,) = struct.unpack("<Q", fh.read(8))
        header = json.loads(fh.read(size))
    header.pop("__metadata__", None)
    return header, 8 + size


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


class LogitsOnly(nn.Module):
    """Named inputs in, logits out: the ONNX signature every derived model shares."""

    def __init__(self, model: nn.Module, names: tuple[str, ...], st: bool = False):
        super().__init__()
        self.model, self.names, self.st = model, names, st

    def forward(self, *tensors: torch.Tensor) -> torch.Tensor:
        inputs = dict(zip(self.names, tensors, strict=True))
        if self.st:
            return self.model(inputs)["sentence_embedding"]
        return self.model(**inputs).logits


def export(wrapper: LogitsOnly, inputs: dict, path: Path) -> None:
    names = wrapper.names
    axes = {n: {0: "batch", 1: "sequence"} if n != "pixel_values" else {0: "batch"} for n in names}
    axes["logits"] = {0: "batch"}
    wrapper.eval()
    with warnings.catch_warnings(), torch.no_grad():
        # The TorchScript exporter works offline (no onnxscript) and is deterministic.
        warnings.simplefilter("ignore")
        torch.onnx.export(
            wrapper,
            tuple(inputs[n] for n in names),
            str(path),
            dynamo=False,
            input_names=list(names),
            output_names=["logits"],
            dynamic_axes=axes,
            opset_version=OPSET,
            do_constant_folding=False,  # keep initializers equal to the stored tensors
        )


def tensor_locations(folder: Path, files: list[str]) -> dict[tuple, tuple[str, int, int]]:
    """(shape, sha1 of bytes) -> (file, offset, length) of every F32 tensor in ``files``."""
    found = {}
    for name in files:
        header, data_start = safetensors_index(folder / name)
        with open(folder / name, "rb") as fh:
            for entry in header.values():
                if entry["dtype"] != "F32":
                    continue
                start, end = entry["data_offsets"]
                fh.seek(data_start + start)
                digest = hashlib.sha1(fh.read(end - start), usedforsecurity=False).hexdigest()
                found[(tuple(entry["shape"]), digest)] = (name, data_start + start, end - start)
    return found


def link_external(onnx_path: Path, weight_files: list[str]) -> int:
    """Points initializers into the safetensors files beside ``onnx_path``; returns how many."""
    folder = onnx_path.parent
    locations = tensor_locations(folder, weight_files)
    model = onnx.load(str(onnx_path))
    linked = 0
    for init in model.graph.initializer:
        array = numpy_helper.to_array(init)
        if array.dtype != np.float32 or array.size < 16:
            continue
        digest = hashlib.sha1(array.tobytes(), usedforsecurity=False).hexdigest()
        where = locations.get((tuple(array.shape), digest))
        if where:
            make_external(init, *where)
            linked += 1
    onnx_path.write_bytes(model.SerializeToString())
    return linked


def verify(wrapper: LogitsOnly, inputs: dict, path: Path, atol: float = 1e-3) -> float:
    with torch.no_grad():
        expected = wrapper(*(inputs[n] for n in wrapper.names)).numpy()
    got = session(path).run(["logits"], {n: inputs[n].numpy() for n in wrapper.names})[0]
    diff = float(np.max(np.abs(got - expected)))
    if not diff <= atol:  # also catches NaN
        raise OnnxMismatch(f"ONNX export disagrees with torch: max abs diff {diff:.2e} > {atol}")
    return diff


def export_linked(wrapper: LogitsOnly, inputs: dict, path: Path, weight_files: list[str]):
    """Export, link, check, verify. Returns (max abs diff, initializers linked)."""
    wrapper = wrapper.cpu()
    inputs = {k: v.cpu() for k, v in inputs.items()}
    export(wrapper, inputs, path)
    linked = link_external(path, weight_files) if weight_files else 0
    onnx.checker.check_model(str(path))
    return verify(wrapper, inputs, path), linked
