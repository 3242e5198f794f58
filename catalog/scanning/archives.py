"""Zip-based uploads: torch checkpoints, npz and plain zips.

Every member is streamed once to check its CRC while counting the bytes actually
decompressed (header sizes can lie), then pickle members are scanned opcode by opcode
and .npy members are checked for object (pickled) arrays.
"""

from __future__ import annotations

import zipfile
import zlib
from collections import Counter
from pathlib import Path

from catalog.inspect.errors import InspectionError
from catalog.inspect.small_formats import MAX_NPY_HEADER, has_object_dtype, parse_npy_header
from catalog.scanning.errors import Rejected, ScanLimits
from catalog.scanning.pickles import PickleScanner

TORCHSCRIPT_HINT = "TorchScript archives contain code; upload safetensors or ONNX"
_READ_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError)


def scan_zip(path: Path, limits: ScanLimits) -> None:
    try:
        with zipfile.ZipFile(path) as zf:
            members = zf.infolist()
            _check_directory(members, limits)
            budget = _Budget(limits.max_zip_bytes)
            for info in members:
                _stream_member(zf, info, budget, limits)
            scanner = PickleScanner(limits)
            for info in members:
                if info.filename.endswith(".pkl"):
                    _scan_pickle_member(zf, info, scanner)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as exc:
        raise Rejected(f"is a truncated or corrupt zip archive ({exc})") from None


def _check_directory(members: list[zipfile.ZipInfo], limits: ScanLimits) -> None:
    if len(members) > limits.max_zip_members:
        raise Rejected(
            f"zip archive has {len(members)} members, over the limit of {limits.max_zip_members}"
        )
    duplicates = [name for name, n in Counter(m.filename for m in members).items() if n > 1]
    if duplicates:
        # Readers disagree on which copy wins, so the one we scan may not be the one loaded.
        raise Rejected(f"zip archive holds {duplicates[0]!r} more than once")
    if any(m.flag_bits & 0x1 for m in members):
        raise Rejected("zip archive has encrypted members, which cannot be scanned")


class _Budget:
    def __init__(self, limit: int) -> None:
        self.limit, self.used = limit, 0

    def spend(self, n: int) -> None:
        self.used += n
        if self.used > self.limit:
            raise Rejected(
                f"zip archive decompresses to more than {self.limit} bytes (possible zip bomb)"
            )


def _stream_member(
    zf: zipfile.ZipFile, info: zipfile.ZipInfo, budget: _Budget, limits: ScanLimits
) -> None:
    """Read one member to the end so zipfile verifies its CRC; never hold it in memory."""
    if info.is_dir():
        return
    head = b""
    try:
        with zf.open(info) as member:
            while chunk := member.read(limits.read_chunk):
                budget.spend(len(chunk))
                if len(head) < MAX_NPY_HEADER + 12 and info.filename.endswith(".npy"):
                    head += chunk[: MAX_NPY_HEADER + 12 - len(head)]
    except _READ_ERRORS as exc:
        raise Rejected(f"zip member {info.filename!r} is corrupt or truncated ({exc})") from None
    if info.filename.endswith(".npy"):
        check_npy_header(head, info.filename)


def check_npy_header(head: bytes, label: str) -> None:
    try:
        header = parse_npy_header(head)
    except InspectionError as exc:
        raise Rejected(f"{label}: {exc}") from None
    if has_object_dtype(header["descr"]):
        raise Rejected(f"{label} holds a numpy object array, which is stored as a pickle")


def _scan_pickle_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, scanner: PickleScanner) -> None:
    try:
        with zf.open(info) as member:
            scanner.scan_stream(member, info.file_size)
    except Rejected as exc:
        raise Rejected(f"{info.filename}: {exc}") from None
