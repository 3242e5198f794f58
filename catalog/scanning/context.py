"""What one file's scan carries around: its budgets, and the byte sources it looks into.

A `Source` is anything a loader could read from start to end: the uploaded file, a zip or
tar member, the output of a decompression layer. It can be opened again, so each check
(pickle prefix, format, CRC) reads from the start with its own reader, and every reader
charges decompressed bytes and CPU time to the one `ScanContext` of the upload file.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from catalog.scanning.errors import Malformed, Rejected, ScanLimits


@dataclass(frozen=True)
class Source:
    open: Callable[[], BinaryIO]
    size: int | None  # exact length when known (files, archive members)
    inflated: bool = False  # reading it runs a decompressor
    path: Path | None = None  # the uploaded file on disk
    seekable: Callable[[], BinaryIO] | None = None  # opens it with cheap seeks (tar members)


def file_source(path: Path) -> Source:
    return Source(lambda: path.open("rb"), path.stat().st_size, path=path)


def mib(n: int) -> str:
    return f"{n / 1024**2:g} MiB"


@contextmanager
def inside(where: str) -> Iterator[None]:
    """Say where in the upload a refusal happened ("archive/data.pkl: pickle imports ...")."""
    try:
        yield
    except Rejected as exc:
        # Only Malformed keeps its kind: a broken inner archive is no broken outer one.
        kind = Malformed if isinstance(exc, Malformed) else Rejected
        raise kind(f"{where}: {exc}") from None


class ScanContext:
    def __init__(self, limits: ScanLimits) -> None:
        self.limits = limits
        self.depth = 0
        self.inflated = 0
        self._deadline = time.thread_time() + limits.max_seconds
        self._temp: Path | None = None

    def tick(self) -> None:
        # Thread CPU time: what this request costs the server, whatever else runs.
        if time.thread_time() > self._deadline:
            raise Rejected(
                f"scanning used more than {self.limits.max_seconds:g} s of CPU and stopped; "
                "upload the files uncompressed and unarchived"
            )

    def spend(self, n: int) -> None:
        self.inflated += n
        if self.inflated > self.limits.max_inflated_bytes:
            raise Rejected(
                f"decompresses to more than {mib(self.limits.max_inflated_bytes)} "
                "(possible zip bomb); upload the files uncompressed"
            )

    @contextmanager
    def deeper(self) -> Iterator[None]:
        if self.depth >= self.limits.max_depth:
            raise Rejected(
                f"nests archives or compression more than {self.limits.max_depth} levels "
                "deep; upload the inner files directly"
            )
        self.depth += 1
        try:
            yield
        finally:
            self.depth -= 1

    def open(self, source: Source) -> Reader:
        return Reader(source.open(), self, charge=source.inflated)

    @contextmanager
    def random_access(self, source: Source) -> Iterator[BinaryIO]:
        """The source as a seekable file (zip, tar and HDF5 readers jump around): the file
        itself, a tar member in place, or else a bounded copy on disk."""
        opener = source.seekable or (source.path and source.open)
        f = opener() if opener else self._spill(source).open("rb")
        try:
            yield f
        finally:
            f.close()

    def _spill(self, source: Source) -> Path:
        if source.size is not None and source.size > self.limits.max_spill_bytes:
            raise self._too_big_to_spill()
        if self._temp is None:
            self._temp = Path(tempfile.mkdtemp(prefix="hub-scan-"))
        target = self._temp / f"nested-{len(list(self._temp.iterdir()))}"
        copied = 0
        with self.open(source) as reader, target.open("wb") as out:
            while chunk := reader.read(self.limits.read_chunk):
                copied += len(chunk)
                if copied > self.limits.max_spill_bytes:
                    raise self._too_big_to_spill()
                out.write(chunk)
        return target

    def _too_big_to_spill(self) -> Rejected:
        return Rejected(
            f"holds a nested archive larger than {mib(self.limits.max_spill_bytes)}; "
            "upload its files directly"
        )

    def close(self) -> None:
        if self._temp is not None:
            shutil.rmtree(self._temp, ignore_errors=True)


class Reader:
    """A binary reader that charges what it returns to the scan's budgets (and is a file
    object enough for gzip, bz2, lzma and zstandard to read from)."""

    def __init__(self, raw: BinaryIO, ctx: ScanContext, *, charge: bool) -> None:
        self._raw, self._ctx, self._charge = raw, ctx, charge
        self.position = self._reads = 0

    def _account(self, data: bytes) -> bytes:
        self.position += len(data)
        if self._charge:
            self._ctx.spend(len(data))
        self._reads += 1
        if self._reads % 64 == 0 or len(data) > 65536:  # the clock costs a system call
            self._ctx.tick()
        return data

    def read(self, n: int = -1) -> bytes:
        return self._account(self._raw.read(n))

    def readline(self, limit: int = -1) -> bytes:
        return self._account(self._raw.readline(limit))

    def tell(self) -> int:
        return self.position

    def close(self) -> None:
        self._raw.close()

    def __enter__(self) -> Reader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
