"""Headers of the small self-describing formats: numpy .npy and GGUF.

`NpyHeader.dtype.hasobject` is numpy's own test for "the data is a pickle": it covers
object fields of structured dtypes ('i4,O'), subarrays and nested fields."""

from __future__ import annotations

import io
import math
import struct
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
from numpy.lib import format as npformat

from catalog.inspect.errors import InspectionError

NPY_MAGIC = b"\x93NUMPY"
MAX_NPY_HEADER = 65536  # np.load's default is 10 000 bytes, and no limit with allow_pickle
NPY_PREFIX = MAX_NPY_HEADER + 12  # magic, version, length field, header


class NpyHeader(NamedTuple):
    shape: tuple[int, ...]
    fortran_order: bool
    dtype: np.dtype


def read_npy_header(prefix: bytes) -> NpyHeader:
    """numpy's own reader of the header at the start of an .npy stream (`prefix` = its
    first bytes), versions 1.0, 2.0 and 3.0; the data is never read."""
    stream = io.BytesIO(prefix)
    try:
        version = npformat.read_magic(stream)
        if version == (1, 0):
            shape, fortran, dtype = npformat.read_array_header_1_0(stream, MAX_NPY_HEADER)
        elif version in ((2, 0), (3, 0)):
            # 3.0 only allows UTF-8 in field names; read as Latin-1 the structure (quotes,
            # brackets, type codes: all ASCII) is unchanged.
            shape, fortran, dtype = npformat.read_array_header_2_0(stream, MAX_NPY_HEADER)
        else:
            raise InspectionError(f"unsupported .npy version {version[0]}.{version[1]}")
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError) as exc:
        raise InspectionError(f".npy header is not valid ({exc})") from None
    return NpyHeader(shape=tuple(shape), fortran_order=bool(fortran), dtype=dtype)


def summarize_npy(path: Path) -> dict[str, Any]:
    with path.open("rb") as f:
        header = read_npy_header(f.read(NPY_PREFIX))
    descr = npformat.dtype_to_descr(header.dtype)
    return {
        "format": "npy",
        "dtype": descr if isinstance(descr, str) else str(descr),
        "shape": list(header.shape),
        "parameter_count": math.prod(header.shape),
    }


def summarize_gguf(path: Path) -> dict[str, Any]:
    """GGUF: magic, u32 version, then u64 tensor and metadata counts (v2+)."""
    with path.open("rb") as f:
        head = f.read(24)
    info: dict[str, Any] = {"format": "gguf"}
    if len(head) >= 24:
        version, tensors, kvs = struct.unpack("<IQQ", head[4:24])
        info.update(version=version, tensor_count=tensors, metadata_count=kvs)
    return info
