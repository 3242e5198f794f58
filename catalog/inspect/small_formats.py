"""Headers of the small self-describing formats: numpy .npy and GGUF."""

from __future__ import annotations

import ast
import math
import struct
from pathlib import Path
from typing import Any

from catalog.inspect.errors import InspectionError

NPY_MAGIC = b"\x93NUMPY"
MAX_NPY_HEADER = 65536  # numpy itself refuses headers over 10 000 bytes by default


def parse_npy_header(prefix: bytes) -> dict[str, Any]:
    """Parse the header dict at the start of an .npy stream (`prefix` = its first bytes)."""
    if not prefix.startswith(NPY_MAGIC) or len(prefix) < 10:
        raise InspectionError("not an .npy stream")
    major = prefix[6]
    if major == 1:
        (length,), start = struct.unpack("<H", prefix[8:10]), 10
    elif major in (2, 3) and len(prefix) >= 12:
        (length,), start = struct.unpack("<I", prefix[8:12]), 12
    else:
        raise InspectionError(f"unsupported .npy version {major}")
    if length > MAX_NPY_HEADER or start + length > len(prefix):
        raise InspectionError(".npy header is truncated or too large")
    try:
        # literal_eval evaluates literals only; this is what numpy does too.
        header = ast.literal_eval(prefix[start : start + length].decode("utf-8"))
    except (ValueError, SyntaxError, UnicodeDecodeError, MemoryError, RecursionError):
        raise InspectionError(".npy header is not a Python literal") from None
    if not isinstance(header, dict) or not {"descr", "shape"} <= header.keys():
        raise InspectionError(".npy header lacks descr/shape")
    return header


def has_object_dtype(descr: Any) -> bool:
    """True when the dtype (or a field of a structured dtype) holds Python objects."""
    if isinstance(descr, str):
        return descr.lstrip("<>|=").startswith("O")
    if isinstance(descr, list):
        return any(
            isinstance(field, tuple) and len(field) >= 2 and has_object_dtype(field[1])
            for field in descr
        )
    return True  # an unexpected descr cannot be vouched for


def summarize_npy(path: Path) -> dict[str, Any]:
    with path.open("rb") as f:
        header = parse_npy_header(f.read(MAX_NPY_HEADER + 12))
    shape = header["shape"]
    info: dict[str, Any] = {"format": "npy", "dtype": str(header["descr"])}
    if isinstance(shape, tuple) and all(type(d) is int for d in shape):
        info["shape"] = list(shape)
        info["parameter_count"] = math.prod(shape)
    return info


def summarize_gguf(path: Path) -> dict[str, Any]:
    """GGUF: magic, u32 version, then u64 tensor and metadata counts (v2+)."""
    with path.open("rb") as f:
        head = f.read(24)
    info: dict[str, Any] = {"format": "gguf"}
    if len(head) >= 24:
        version, tensors, kvs = struct.unpack("<IQQ", head[4:24])
        info.update(version=version, tensor_count=tensors, metadata_count=kvs)
    return info
