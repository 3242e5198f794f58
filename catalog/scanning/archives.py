"""Zip archives (torch checkpoints, npz, .keras, plain zips) and tar archives (torch's
legacy tar format, tarballs).

Every member is scanned by its content, whatever its name and position: a member holding
a pickle is found even if it is called `x` and comes last. Stored members are read to the
end so zipfile verifies their CRC (this costs no more than the bytes uploaded); compressed
members are inflated only as far as their content needs, so a zip bomb costs nothing
unless it is made of pickles, and then the inflation budget stops it.
"""

from __future__ import annotations

import re
import tarfile
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable
from functools import partial
from typing import BinaryIO

from catalog.inspect import sniff
from catalog.scanning.context import ScanContext, Source, inside
from catalog.scanning.errors import SAFE, Rejected, worst

TORCHSCRIPT_HINT = "TorchScript archives contain code; upload safetensors or ONNX"
_READ_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError)
_MAX_DIRECTORY = 64 * 1024 * 1024  # bytes of zip central directory parsed into memory
_TORCH_STORAGE = re.compile(r"^[^/]+/data/\d+$")  # <prefix>/data/<key>: raw tensor bytes

ScanMember = Callable[[Source], str]


class CorruptArchive(Rejected):
    """The archive's own structure is broken: no reader can open it."""


def scan_zip(f: BinaryIO, ctx: ScanContext, scan_member: ScanMember) -> str:
    _check_end_record(f, ctx)
    try:
        zf = zipfile.ZipFile(f)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as exc:
        raise CorruptArchive(f"is a truncated or corrupt zip archive ({exc})") from None
    with zf:
        members = zf.infolist()
        _check_directory(members, ctx)
        torch_zip = sniff.classify_names(zf.namelist()) == sniff.PYTORCH
        status = SAFE
        for info in members:
            if info.is_dir():
                continue
            member = _scan_zip_member(zf, info, ctx, scan_member)
            # torch.load reads these raw (by persistent id), never as a format of their own.
            if not (torch_zip and _TORCH_STORAGE.match(info.filename)):
                status = worst(status, member)
        return status


def _check_end_record(f: BinaryIO, ctx: ScanContext) -> None:
    """Refuse a huge directory before zipfile parses all of it into memory."""
    # zipfile's own end-of-archive reader (zip64 included); private but stable since 2.6.
    end = zipfile._EndRecData(f)  # type: ignore[attr-defined]
    if end is None:
        raise CorruptArchive("is a truncated or corrupt zip archive (no end of central directory)")
    count = end[zipfile._ECD_ENTRIES_TOTAL]  # type: ignore[attr-defined]
    if count > ctx.limits.max_members:
        raise Rejected(
            f"zip archive has {count} members, over the limit of {ctx.limits.max_members}"
        )
    if end[zipfile._ECD_SIZE] > _MAX_DIRECTORY:  # type: ignore[attr-defined]
        raise Rejected(f"zip archive's directory is larger than {_MAX_DIRECTORY} bytes")


def _check_directory(members: list[zipfile.ZipInfo], ctx: ScanContext) -> None:
    if len(members) > ctx.limits.max_members:
        raise Rejected(
            f"zip archive has {len(members)} members, over the limit of {ctx.limits.max_members}"
        )
    duplicates = [name for name, n in Counter(m.filename for m in members).items() if n > 1]
    if duplicates:
        # Readers disagree on which copy wins, so the one we scan may not be the one loaded.
        raise Rejected(f"zip archive holds {duplicates[0]!r} more than once")
    if any(m.flag_bits & 0x1 for m in members):
        raise Rejected("zip archive has encrypted members, which cannot be scanned")
    if any(sniff.is_torchscript_member(m.filename) for m in members):
        raise Rejected(TORCHSCRIPT_HINT)


def _scan_zip_member(
    zf: zipfile.ZipFile, info: zipfile.ZipInfo, ctx: ScanContext, scan_member: ScanMember
) -> str:
    stored = info.compress_type == zipfile.ZIP_STORED
    source = Source(partial(zf.open, info), info.file_size, inflated=not stored)
    try:
        with inside(info.filename):
            status = scan_member(source)
        if stored:
            with ctx.open(source) as reader:  # to the end: zipfile checks the CRC there
                while reader.read(ctx.limits.read_chunk):
                    pass
    except _READ_ERRORS as exc:
        raise Rejected(f"zip member {info.filename!r} is corrupt or truncated ({exc})") from None
    return status


class _Guarded:
    """The tar file, refusing single reads that would hold too much in memory (tarfile
    reads long-name and PAX headers whole, at a size the archive states)."""

    def __init__(self, f: BinaryIO, limit: int) -> None:
        self._f, self._limit = f, limit

    def read(self, n: int = -1) -> bytes:
        if n < 0 or n > self._limit:
            raise Rejected(f"tar archive has a header or read larger than {self._limit} bytes")
        return self._f.read(n)

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._f.seek(offset, whence)

    def tell(self) -> int:
        return self._f.tell()

    def seekable(self) -> bool:
        return True


def scan_tar(raw: BinaryIO, ctx: ScanContext, scan_member: ScanMember) -> str:
    status = SAFE
    try:
        guarded = _Guarded(raw, ctx.limits.max_pickle_bytes)
        with tarfile.open(fileobj=guarded, mode="r:") as tf:  # type: ignore[arg-type]
            for count, member in enumerate(tf, 1):
                ctx.tick()
                if count > ctx.limits.max_members:
                    raise Rejected(f"tar archive has more than {ctx.limits.max_members} members")
                if member.isreg():
                    opener = partial(_extract, tf, member)  # in place: seeks are cheap
                    source = Source(opener, member.size, seekable=opener)
                    with inside(member.name):
                        status = worst(status, scan_member(source))
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise CorruptArchive(f"is a truncated or corrupt tar archive ({exc})") from None
    return status


def _extract(tf: tarfile.TarFile, member: tarfile.TarInfo) -> BinaryIO:
    f = tf.extractfile(member)
    assert f is not None  # regular files always have content
    return f
