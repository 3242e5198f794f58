"""Reading user ZIPs without trusting them.

Nothing is ever extracted to disk. Member names are checked but only used as labels and
in messages. Sizes in ZIP headers can lie, so the byte budget counts what decompression
actually produces, chunk by chunk.
"""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path

from ..base import DatasetError, DatasetLimits

CHUNK = 1 << 16
# What reading a damaged or unsupported member can raise.
READ_ERRORS = (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError)
ARCHIVE_SUFFIXES = (".zip", ".tar", ".gz", ".tgz", ".7z", ".rar", ".bz2", ".xz")


def is_zip(path: Path) -> bool:
    with open(path, "rb") as fh:
        return fh.read(4) in (b"PK\x03\x04", b"PK\x05\x06")


def open_zip(path: Path, limits: DatasetLimits) -> zipfile.ZipFile:
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise DatasetError(f"The file is not a readable ZIP archive ({exc}).") from None
    infos = zf.infolist()
    if len(infos) > limits.max_zip_members:
        zf.close()
        raise DatasetError(
            f"The ZIP has {len(infos)} entries; the limit is {limits.max_zip_members}."
        )
    for info in infos:
        check_member_name(info.filename)
    return zf


def parts_of(name: str) -> tuple[str, ...]:
    """PurePosixPath(name).parts for a relative name (empty and "." parts dropped), at a
    fraction of the cost: this runs several times for each of up to 20,000 members."""
    return tuple(p for p in name.replace("\\", "/").split("/") if p and p != ".")


def check_member_name(name: str) -> None:
    """Refuse the whole ZIP if any entry could point outside a folder (zip-slip)."""
    normal = name.replace("\\", "/")
    parts = parts_of(normal)
    absolute = normal.startswith("/") or (len(normal) > 1 and normal[1] == ":")
    if absolute or ".." in parts:
        raise DatasetError(
            f"The ZIP entry {name!r} has an absolute or '..' path; such archives are refused. "
            "Re-create the ZIP from the folder that holds your class folders."
        )


def is_ignored(name: str) -> bool:
    """Folders, macOS metadata and hidden files are not data."""
    parts = parts_of(name)
    return name.endswith("/") or any(p.startswith(".") or p == "__MACOSX" for p in parts)


class Budget:
    """Counts decompressed bytes across all reads of one ZIP."""

    def __init__(self, limits: DatasetLimits):
        self.left = limits.max_uncompressed_bytes
        self.limit = limits.max_uncompressed_bytes
        self.per_member = limits.max_member_bytes

    def read(self, zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
        if info.flag_bits & 0x1:
            raise encrypted(info)
        parts: list[bytes] = []
        size = 0
        try:
            with zf.open(info) as fh:
                while chunk := fh.read(CHUNK):
                    size += len(chunk)
                    self.left -= len(chunk)
                    self._check(info, size)
                    parts.append(chunk)
        except READ_ERRORS as exc:
            raise damaged(info, exc) from None
        return b"".join(parts)

    def _check(self, info: zipfile.ZipInfo, size: int) -> None:
        if self.left < 0:
            raise too_big_in_total(info, self.limit)
        if size > self.per_member:
            raise too_big_member(info, self.per_member)


def check_declared(infos: list[zipfile.ZipInfo], limits: DatasetLimits) -> None:
    """What the central directory says, read before any byte is unpacked. Sizes there can
    lie: ``Budget`` still counts the real bytes when members are read."""
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise encrypted(info)
        if info.file_size > limits.max_member_bytes:
            raise too_big_member(info, limits.max_member_bytes)
        total += info.file_size
        if total > limits.max_uncompressed_bytes:
            raise too_big_in_total(info, limits.max_uncompressed_bytes)


def damaged(info: zipfile.ZipInfo, exc: BaseException) -> DatasetError:
    return DatasetError(f"The ZIP entry {info.filename!r} is damaged ({exc}).")


def encrypted(info: zipfile.ZipInfo) -> DatasetError:
    return DatasetError(f"The ZIP entry {info.filename!r} is encrypted; use a plain ZIP.")


def too_big_in_total(info: zipfile.ZipInfo, limit: int) -> DatasetError:
    return DatasetError(
        f"The ZIP unpacks to more than {limit // 2**20} MiB (limit reached at {info.filename!r})."
    )


def too_big_member(info: zipfile.ZipInfo, limit: int) -> DatasetError:
    return DatasetError(
        f"The ZIP entry {info.filename!r} unpacks to more than {limit // 2**20} MiB; "
        "one file may be at most that."
    )
