"""ONNX has no magic bytes: a file is taken for ONNX when it is one well-formed protobuf
ModelProto message, walked field by field without parsing the graph."""

from __future__ import annotations

from typing import BinaryIO

# ModelProto fields (number -> wire type) from onnx.proto; unknown fields are allowed.
_ONNX_FIELDS = {1: 0, 2: 2, 3: 2, 4: 2, 5: 0, 6: 2, 7: 2, 8: 2, 14: 2, 20: 2, 25: 2, 26: 2}
_MAX_TOP_FIELDS = 100_000


def looks_like_onnx(f: BinaryIO, size: int) -> bool:
    """Walk the top-level protobuf fields of a ModelProto without parsing the graph.

    ONNX has no magic bytes, so we check that the whole file is a well-formed message
    that starts with ir_version (field 1) and contains a graph (field 7).
    """
    f.seek(0)
    seen_graph = False
    for index in range(_MAX_TOP_FIELDS):
        if f.tell() == size:
            return seen_graph
        key = _read_varint(f)
        if key is None or (index == 0 and key != 0x08):
            return False
        field, wire = key >> 3, key & 7
        if field == 0 or _ONNX_FIELDS.get(field, wire) != wire or not _skip_value(f, wire, size):
            return False
        seen_graph = seen_graph or field == 7
    return False


def _skip_value(f: BinaryIO, wire: int, size: int) -> bool:
    if wire == 0:
        return _read_varint(f) is not None
    widths = {1: 8, 5: 4}
    if wire in widths:
        length: int | None = widths[wire]
    elif wire == 2:
        length = _read_varint(f)
    else:
        return False
    if length is None or f.tell() + length > size:
        return False
    f.seek(length, 1)
    return True


def _read_varint(f: BinaryIO) -> int | None:
    value = 0
    for shift in range(0, 64, 7):
        byte = f.read(1)
        if not byte:
            return None
        value |= (byte[0] & 0x7F) << shift
        if not byte[0] & 0x80:
            return value
    return None
