"""Compression layers a loader would remove before unpickling (joblib reads zlib, gzip,
bz2, lzma and xz by their magic bytes; people wrap pickles in zstd by hand).

`layer_source` turns a compressed source into the source of its decompressed bytes; every
byte it produces is charged to the scan's inflation budget by the reader that reads it.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import zlib
from collections.abc import Callable
from typing import BinaryIO

from catalog.inspect import sniff
from catalog.scanning.context import ScanContext, Source
from catalog.scanning.errors import Malformed, Rejected

try:
    import zstandard
except ImportError:  # optional: without it zstd data is refused, never passed unread
    zstandard = None

_ERRORS: tuple[type[BaseException], ...] = (OSError, EOFError, zlib.error, lzma.LZMAError)
if zstandard is not None:
    _ERRORS += (zstandard.ZstdError,)

# Magic bytes loaders trust on their own (joblib: zlib is any b"x", lzma-alone b"]\0\0").
# They also begin ordinary files, so a failed first read means "not compressed".
WEAK = frozenset({sniff.ZLIB, sniff.LZMA})


class _ZlibRaw(io.RawIOBase):
    """A raw zlib stream (joblib's compress="zlib"), decompressed on demand."""

    def __init__(self, fileobj: BinaryIO) -> None:
        self._f, self._d = fileobj, zlib.decompressobj()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        while True:
            data = self._d.decompress(self._d.unconsumed_tail, len(buffer))
            if not data and not self._d.eof:
                chunk = self._f.read(64 * 1024)
                if not chunk:
                    raise EOFError("zlib stream ended early")
                data = self._d.decompress(chunk, len(buffer))
            if data or self._d.eof:
                buffer[: len(data)] = data
                return len(data)


def check_supported(kind: str) -> None:
    if kind == sniff.LZ4 or (kind == sniff.ZSTD and zstandard is None):
        raise Rejected(
            f"is {kind}-compressed, which the hub cannot look inside; upload it uncompressed"
        )


def _decompressor(kind: str, raw: BinaryIO) -> BinaryIO:
    if kind == sniff.GZIP:
        return gzip.GzipFile(fileobj=raw)
    if kind == sniff.BZ2:
        return bz2.BZ2File(raw)
    if kind in (sniff.XZ, sniff.LZMA):
        return lzma.LZMAFile(raw, format=lzma.FORMAT_XZ if kind == sniff.XZ else lzma.FORMAT_ALONE)
    if kind == sniff.ZLIB:
        return io.BufferedReader(_ZlibRaw(raw))
    check_supported(kind)
    reader = zstandard.ZstdDecompressor().stream_reader(raw, read_across_frames=True)
    return io.BufferedReader(reader)  # type: ignore[arg-type]


class _Layer(io.RawIOBase):
    """Decompressed bytes of a parent source; closes the parent's reader with itself."""

    def __init__(self, kind: str, parent: BinaryIO) -> None:
        self._kind, self._parent = kind, parent
        self._inner = _decompressor(kind, parent)

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        return self._guard(self._inner.read, n)

    def readline(self, limit: int | None = -1) -> bytes:
        return self._guard(self._inner.readline, -1 if limit is None else limit)

    def _guard(self, method: Callable[[int], bytes], n: int) -> bytes:
        try:
            return method(n)
        except _ERRORS as exc:
            raise Malformed(f"its {self._kind} data is corrupt or truncated ({exc})") from None

    def close(self) -> None:
        try:
            self._inner.close()
        finally:
            self._parent.close()
            super().close()


def layer_source(source: Source, kind: str, ctx: ScanContext) -> Source:
    def open_layer() -> BinaryIO:
        parent = ctx.open(source)  # charges the parent's own inflation, if any
        try:
            return _Layer(kind, parent)  # type: ignore[arg-type]
        except BaseException:
            parent.close()
            raise

    return Source(open_layer, None, inflated=True)
