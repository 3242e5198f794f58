"""Read and validate a safetensors header without touching the tensor data.

Layout: 8-byte little-endian header length N, N bytes of JSON, then the data buffer.
We check what the safetensors library checks (offsets contiguous, in bounds, sized to
the shape), so a file that passes here loads there.
"""

from __future__ import annotations

import json
import math
import struct
from pathlib import Path
from typing import Any

from catalog.inspect.errors import InspectionError

MAX_HEADER_BYTES = 100 * 1024 * 1024

# Bits per element; sub-byte float formats are packed.
DTYPE_BITS = {
    "BOOL": 8, "U8": 8, "I8": 8, "F8_E5M2": 8, "F8_E4M3": 8, "F8_E8M0": 8,
    "I16": 16, "U16": 16, "F16": 16, "BF16": 16,
    "I32": 32, "U32": 32, "F32": 32, "C64": 64,
    "I64": 64, "U64": 64, "F64": 64,
    "F4": 4, "F6_E2M3": 6, "F6_E3M2": 6,
}  # fmt: skip


def read_header(path: Path) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
    """Return (tensors, metadata); raise InspectionError when the header is malformed."""
    size = path.stat().st_size
    with path.open("rb") as f:
        prefix = f.read(8)
        if len(prefix) < 8:
            raise InspectionError("safetensors file is shorter than its 8-byte header length")
        (n,) = struct.unpack("<Q", prefix)
        if n > MAX_HEADER_BYTES:
            raise InspectionError(f"safetensors header is {n} bytes, over the {MAX_HEADER_BYTES}")
        if n > size - 8:
            raise InspectionError("safetensors header length points past the end of the file")
        raw = f.read(n)
    try:
        header = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise InspectionError(f"safetensors header is not valid JSON ({exc})") from None
    if not isinstance(header, dict):
        raise InspectionError("safetensors header is not a JSON object")
    metadata = _metadata(header.pop("__metadata__", None))
    tensors = {name: _tensor_entry(name, entry) for name, entry in header.items()}
    _check_offsets(tensors, data_size=size - 8 - n)
    return tensors, metadata


def _metadata(value: Any) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise InspectionError("safetensors __metadata__ must map strings to strings")
    return value


def _tensor_entry(name: str, entry: Any) -> dict[str, Any]:
    if not isinstance(entry, dict):
        raise InspectionError(f"safetensors entry {name!r} is not an object")
    dtype, shape, offsets = entry.get("dtype"), entry.get("shape"), entry.get("data_offsets")
    if dtype not in DTYPE_BITS:
        raise InspectionError(f"safetensors tensor {name!r} has unknown dtype {dtype!r}")
    if not _ints(shape, 0) or not _ints(offsets, 2):
        raise InspectionError(f"safetensors tensor {name!r} has a bad shape or data_offsets")
    begin, end = offsets
    numel = math.prod(shape)
    if begin > end or end - begin != -(-numel * DTYPE_BITS[dtype] // 8):
        raise InspectionError(f"safetensors tensor {name!r}: data_offsets do not match its shape")
    return {"dtype": dtype, "shape": shape, "begin": begin, "end": end, "numel": numel}


def _ints(value: Any, length: int) -> bool:
    """A list of non-negative ints (of exactly `length` items when length > 0)."""
    return (
        isinstance(value, list)
        and (length == 0 or len(value) == length)
        and all(type(v) is int and v >= 0 for v in value)
    )


def _check_offsets(tensors: dict[str, dict[str, Any]], *, data_size: int) -> None:
    # Tensors must tile the data buffer exactly: no gaps, overlaps or bytes past the end.
    cursor = 0
    for name, t in sorted(tensors.items(), key=lambda kv: (kv[1]["begin"], kv[1]["end"])):
        if t["begin"] != cursor:
            raise InspectionError(f"safetensors tensor {name!r} overlaps or leaves a gap")
        cursor = t["end"]
    if cursor != data_size:
        raise InspectionError(
            f"safetensors data is {data_size} bytes but the header describes {cursor}"
        )


# Saved module state that is not a learned parameter: BatchNorm statistics and the integer
# index buffers (position_ids, token_type_ids) some models save with their weights.
BUFFER_NAMES = frozenset({"running_mean", "running_var", "num_batches_tracked"})
INT_DTYPES = frozenset({"I8", "I16", "I32", "I64", "U8", "U16", "U32", "U64", "BOOL"})


def is_buffer(name: str, dtype: str) -> bool:
    leaf = name.rsplit(".", 1)[-1]
    return leaf in BUFFER_NAMES or (dtype in INT_DTYPES and leaf.endswith("_ids"))


def summarize(path: Path) -> dict[str, Any]:
    tensors, metadata = read_header(path)
    dtypes: dict[str, int] = {}
    buffers = 0
    for name, t in tensors.items():
        if is_buffer(name, t["dtype"]):
            buffers += t["numel"]
            continue
        dtypes[t["dtype"]] = dtypes.get(t["dtype"], 0) + t["numel"]
    return {
        "format": "safetensors",
        "tensor_count": len(tensors),
        "parameter_count": sum(dtypes.values()),
        "buffer_count": buffers,
        "dtypes": dict(sorted(dtypes.items())),
        "metadata": metadata,
    }
