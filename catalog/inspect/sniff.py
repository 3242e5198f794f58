"""Tell a file's format from its bytes, never from its name alone.

Names lie (a `model.bin` can be a pickle, a zip, a GGUF or a safetensors file), so both
inspection and scanning start here. Only the first bytes and, for zips and ONNX, the
container's directory are read; no weights are loaded.
"""

from __future__ import annotations

import codecs
import json
import pickletools
import struct
import zipfile
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from catalog.inspect.small_formats import NPY_MAGIC

SAFETENSORS = "safetensors"
ONNX = "onnx"
PYTORCH = "pytorch"  # zip-based torch.save archive (<prefix>/data.pkl + storages)
PYTORCH_LEGACY = "pytorch-legacy"  # torch.save(..., _use_new_zipfile_serialization=False)
PICKLE = "pickle"
TORCHSCRIPT = "torchscript"
ZIP = "zip"
NPZ = "npz"
NPY = "npy"
GGUF = "gguf"
JSON = "json"
TEXT = "text"
UNKNOWN = "unknown"

# Extensions people use for pickles; content that is not another known format is then
# treated as a pickle, because that is how a loader would read it.
PICKLE_SUFFIXES = frozenset({".bin", ".pt", ".pth", ".ckpt", ".pkl", ".pickle", ".joblib", ".th"})

_CLAIMED = {".safetensors": SAFETENSORS, ".onnx": ONNX}

ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")

# torch's legacy format starts with pickle(0x1950A86A20F9469CFC6C) at protocol 2.
TORCH_LEGACY_PREFIX = b"\x80\x02\x8a\x0a" + (0x1950A86A20F9469CFC6C).to_bytes(10, "little")

_TEXT_SAMPLE = 8192
_MAX_JSON_SNIFF = 64 * 1024 * 1024
_PICKLE_OPCODES = frozenset(ord(op.code) for op in pickletools.opcodes)


def detect_format(path: Path, repo_path: str = "") -> str:
    """Return one of the format constants above for the file at `path`."""
    size = path.stat().st_size
    with path.open("rb") as f:
        head = f.read(64)
        suffix = PurePosixPath(repo_path).suffix.lower()
        if not head:
            return _CLAIMED.get(suffix, TEXT)
        if head.startswith(ZIP_MAGICS):
            return classify_zip(path)
        if head.startswith(b"GGUF"):
            return GGUF
        if head.startswith(NPY_MAGIC):
            return NPY
        if head.startswith(TORCH_LEGACY_PREFIX):
            return PYTORCH_LEGACY
        # Before the PROTO test: a header length like 0x0280 also starts with b"\x80\x02".
        if _looks_like_safetensors(head, size):
            return SAFETENSORS
        if len(head) >= 2 and head[0] == 0x80 and head[1] <= 5:
            return PICKLE
        if looks_like_onnx(f, size):
            return ONNX
        if suffix in _CLAIMED:
            # Named like a weights format but not well formed: report it as that format
            # so inspection and scanning say what is broken instead of accepting a blob.
            return _CLAIMED[suffix]
        if suffix in PICKLE_SUFFIXES and head[0] in _PICKLE_OPCODES:
            return PICKLE
        return _classify_text(f, size)


def classify_zip(path: Path) -> str:
    """Name a zip by its members: TorchScript, torch checkpoint, npz or plain zip."""
    try:
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return ZIP  # broken zips are still zips; scanning rejects them
    if any(_is_torchscript_member(n) for n in names):
        return TORCHSCRIPT
    if any(n == "data.pkl" or n.endswith("/data.pkl") for n in names):
        return PYTORCH
    if names and all(n.endswith(".npy") for n in names):
        return NPZ
    return ZIP


def _is_torchscript_member(name: str) -> bool:
    # torch.jit.save writes <prefix>/constants.pkl and <prefix>/code/...; torch itself
    # calls a zip TorchScript when a record (path under the prefix) is constants.pkl.
    parts = name.split("/")
    return parts[1:] == ["constants.pkl"] or (len(parts) > 2 and parts[1] == "code")


def _looks_like_safetensors(head: bytes, size: int) -> bool:
    if len(head) < 10:
        return False
    (n,) = struct.unpack("<Q", head[:8])
    return 2 <= n <= size - 8 and head[8:9] == b"{"


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


def _classify_text(f: BinaryIO, size: int) -> str:
    f.seek(0)
    sample = f.read(_TEXT_SAMPLE)
    if b"\x00" in sample:
        return UNKNOWN
    try:
        # final=False: a sample may end in the middle of a multi-byte character.
        text = codecs.getincrementaldecoder("utf-8")().decode(sample, final=size <= len(sample))
    except UnicodeDecodeError:
        return UNKNOWN
    if text.lstrip("\ufeff \t\r\n")[:1] in ("{", "[") and size <= _MAX_JSON_SNIFF:
        f.seek(0)
        try:
            json.loads(f.read().decode("utf-8-sig"))
        except ValueError:
            return TEXT
        return JSON
    return TEXT
