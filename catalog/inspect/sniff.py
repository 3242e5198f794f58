"""Tell a file's format from its bytes, never from its name alone.

Names lie (a `model.bin` can be a pickle, a zip, a GGUF or a safetensors file), so both
inspection and scanning start here. Only the first bytes and, for zips and ONNX, the
container's directory are read; no weights are loaded.
"""

from __future__ import annotations

import codecs
import io
import json
import pickletools
import struct
import tarfile
import zipfile
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from catalog.inspect.onnx_sniff import looks_like_onnx
from catalog.inspect.small_formats import NPY_MAGIC

SAFETENSORS = "safetensors"
ONNX = "onnx"
PYTORCH = "pytorch"  # zip-based torch.save archive (<prefix>/data.pkl + storages)
PYTORCH_LEGACY = "pytorch-legacy"  # torch.save(..., _use_new_zipfile_serialization=False)
PICKLE = "pickle"
TORCHSCRIPT = "torchscript"
ZIP = "zip"
NPZ = "npz"
KERAS = "keras"  # Keras 3 .keras: a zip of config.json, metadata.json, model.weights.h5
NPY = "npy"
GGUF = "gguf"
HDF5 = "hdf5"  # .h5: Keras 2 models keep their architecture in a root attribute
TAR = "tar"
JSON = "json"
TEXT = "text"
UNKNOWN = "unknown"
# Compression layers: loaders (joblib, hand-written code) remove them before unpickling.
GZIP, BZ2, XZ, LZMA, ZLIB, ZSTD, LZ4 = "gzip", "bz2", "xz", "lzma", "zlib", "zstd", "lz4"
COMPRESSED = frozenset({GZIP, BZ2, XZ, LZMA, ZLIB, ZSTD, LZ4})
# Data formats no loader runs code from.
PNG, JPEG, GIF, WEBP, PARQUET = "png", "jpeg", "gif", "webp", "parquet"
MEDIA = frozenset({PNG, JPEG, GIF, WEBP, PARQUET})

_CLAIMED = {".safetensors": SAFETENSORS, ".onnx": ONNX}

ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")

# torch's legacy format starts with pickle(0x1950A86A20F9469CFC6C): protocol 2 (the
# default), or the same LONG1 without a PROTO header (protocol 1), or text (protocol 0).
_TORCH_MAGIC = 0x1950A86A20F9469CFC6C
TORCH_LEGACY_PREFIX = b"\x80\x02\x8a\x0a" + _TORCH_MAGIC.to_bytes(10, "little")
_TORCH_LEGACY_PREFIXES = (
    TORCH_LEGACY_PREFIX,
    b"\x8a\x0a" + _TORCH_MAGIC.to_bytes(10, "little") + b".",
    f"L{_TORCH_MAGIC}L\n.".encode(),
)
_MAGICS = (
    (b"\x1f\x8b\x08", GZIP),
    (b"\xfd7zXZ\x00", XZ),
    (b"\x28\xb5\x2f\xfd", ZSTD),
    (b"\x04\x22\x4d\x18", LZ4),
    (b"\x02\x21\x4c\x18", LZ4),  # lz4's legacy frame
    (b"GGUF", GGUF),
    (NPY_MAGIC, NPY),
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"\xff\xd8\xff", JPEG),
    (b"GIF87a", GIF),
    (b"GIF89a", GIF),
    (b"PAR1", PARQUET),
)
_HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"

HEAD_BYTES = 64 * 1024  # what sniffing reads of a stream
_TEXT_SAMPLE = 8192
_MAX_JSON_SNIFF = 64 * 1024 * 1024
_MAX_SAFETENSORS_HEADER = 100_000_000  # safetensors' own limit


def detect_format(path: Path, repo_path: str = "") -> str:
    """Return one of the format constants above for the file at `path`."""
    size = path.stat().st_size
    with path.open("rb") as f:
        head = f.read(HEAD_BYTES)
        suffix = PurePosixPath(repo_path).suffix.lower()
        if not head:
            return _CLAIMED.get(suffix, TEXT)
        fmt = sniff_head(head, size)
        if fmt == ZIP:
            return classify_zip(path)
        if fmt not in (TEXT, UNKNOWN, ZLIB, LZMA):
            return fmt
        if looks_like_onnx(f, size):
            return ONNX
        if suffix in _CLAIMED:
            # Named like a weights format but not well formed: report it as that format
            # so inspection and scanning say what is broken instead of accepting a blob.
            return _CLAIMED[suffix]
        return fmt if fmt != TEXT else _classify_text(f, size)


def sniff_head(head: bytes, size: int | None) -> str:
    """The format of a stream from its first bytes (`size`: its length, if known).

    Magic numbers first; formats that have none (tar, protocol 0/1 pickles, text) are
    checked by parsing. ONNX and what is inside a zip need the whole file: see
    `detect_format`."""
    if not head:
        return TEXT
    if head.startswith(ZIP_MAGICS):
        return ZIP
    fmt = _magic_format(head)
    if fmt:
        return fmt
    if head.startswith(_TORCH_LEGACY_PREFIXES):
        return PYTORCH_LEGACY
    # Before the PROTO test: a header length like 0x0280 also starts with b"\x80\x02".
    if _looks_like_safetensors(head, size):
        return SAFETENSORS
    if announces_pickle(head):
        return PICKLE
    if is_tar_header(head):
        return TAR
    if hdf5_signature_in(io.BytesIO(head), len(head)):
        return HDF5  # after a user block
    weak = weak_compression(head)
    if weak:
        return weak
    complete = size is not None and len(head) >= size
    if complete and _is_pickle_stream(head):
        return PICKLE  # protocol 0 or 1: no header, yet pickle.load runs it
    return _text_or_unknown(head, complete)


def announces_pickle(head: bytes) -> bool:
    """A PROTO opcode (protocol 2+) or torch's legacy magic: it says it is a pickle."""
    if head.startswith(_TORCH_LEGACY_PREFIXES):
        return True
    return len(head) >= 2 and head[0] == 0x80 and head[1] <= 5


def compression_of(head: bytes) -> str | None:
    """The compression a loader would see in these bytes, strong magic or weak."""
    for magic, fmt in _MAGICS:
        if fmt in COMPRESSED and head.startswith(magic):
            return fmt
    return _bz2(head) or weak_compression(head)


def weak_compression(head: bytes) -> str | None:
    if head.startswith(b"\x5d\x00"):
        return LZMA  # lzma-alone: properties byte 0x5d (what joblib matches), dictionary size
    if len(head) >= 2 and head[0] == 0x78 and int.from_bytes(head[:2], "big") % 31 == 0:
        return ZLIB  # deflate, 32 KiB window; zlib's own header check
    return None


def _bz2(head: bytes) -> str | None:
    ok = head[:3] == b"BZh" and head[3:4] in b"123456789" and len(head) >= 10
    return BZ2 if ok and head[4:10] in (b"1AY&SY", b"\x17rE8P\x90") else None


def _magic_format(head: bytes) -> str | None:
    for magic, fmt in _MAGICS:
        if head.startswith(magic):
            return fmt
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith(_HDF5_MAGIC):
        return HDF5
    return _bz2(head)


def hdf5_signature_in(f: BinaryIO, size: int) -> bool:
    """HDF5 (h5py, Keras .h5) finds its superblock at 0 or after a user block of 512,
    1024, 2048 ... bytes: a file can be another format and HDF5 at once."""
    at = 0
    while at + len(_HDF5_MAGIC) <= size:
        f.seek(at)
        if f.read(len(_HDF5_MAGIC)) == _HDF5_MAGIC:
            return True
        at = max(512, at * 2)
    return False


def is_tar_header(head: bytes) -> bool:
    if len(head) < tarfile.BLOCKSIZE:
        return False
    try:
        tarfile.TarInfo.frombuf(head[: tarfile.BLOCKSIZE], "utf-8", "surrogateescape")
    except tarfile.HeaderError:
        return False  # empty, truncated or bad checksum
    return True


def _is_pickle_stream(data: bytes) -> bool:
    """True when all of `data` parses as one or more whole pickles."""
    stream = io.BytesIO(data)
    try:
        while stream.tell() < len(data):
            ops = sum(1 for _ in pickletools.genops(stream))
            if ops < 2:
                return False  # a lone STOP
    except ValueError:
        return False
    return True


def _text_or_unknown(head: bytes, complete: bool) -> str:
    sample = head[:_TEXT_SAMPLE]
    if b"\x00" in sample:
        return UNKNOWN
    try:
        codecs.getincrementaldecoder("utf-8")().decode(
            sample, final=complete and len(head) <= _TEXT_SAMPLE
        )
    except UnicodeDecodeError:
        return UNKNOWN
    return TEXT


def classify_zip(file: Path | BinaryIO) -> str:
    """Name a zip by its members: TorchScript, torch checkpoint, npz, .keras or plain zip."""
    try:
        with zipfile.ZipFile(file) as zf:
            names = zf.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return ZIP  # broken zips are still zips; scanning rejects them
    return classify_names(names)


def classify_names(names: list[str]) -> str:
    if any(is_torchscript_member(n) for n in names):
        return TORCHSCRIPT
    if any(n == "data.pkl" or n.endswith("/data.pkl") for n in names):
        return PYTORCH
    if names and all(n.endswith(".npy") for n in names):
        return NPZ
    if {"config.json", "metadata.json"} <= set(names):
        return KERAS
    return ZIP


def is_torchscript_member(name: str) -> bool:
    # torch.jit.save writes <prefix>/constants.pkl and <prefix>/code/...; torch itself
    # calls a zip TorchScript when a record (path under the prefix) is constants.pkl.
    parts = name.split("/")
    return parts[1:] == ["constants.pkl"] or (len(parts) > 2 and parts[1] == "code")


def _looks_like_safetensors(head: bytes, size: int | None) -> bool:
    if len(head) < 10:
        return False
    (n,) = struct.unpack("<Q", head[:8])
    limit = _MAX_SAFETENSORS_HEADER if size is None else size - 8
    return 2 <= n <= limit and head[8:9] == b"{"


def _classify_text(f: BinaryIO, size: int) -> str:
    f.seek(0)
    fmt = _text_or_unknown(f.read(_TEXT_SAMPLE), size <= _TEXT_SAMPLE)
    f.seek(0)
    if fmt != TEXT or size > _MAX_JSON_SNIFF:
        return fmt
    return JSON if parse_json(f.read()) is not None else TEXT


def parse_json(data: bytes) -> object | None:
    """The JSON value of `data`, or None when it is not JSON (or too deeply nested)."""
    try:
        text = data.decode("utf-8-sig").lstrip(" \t\r\n")
        return json.loads(text) if text[:1] in ("{", "[") else None
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        return None
