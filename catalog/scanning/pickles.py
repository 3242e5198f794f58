"""Opcode-level pickle scanner: decides what a pickle would import, without running it.

`pickletools.genops` parses the stream; `PickleState` replays its stack effects. Never
`pickle.load`. Two modes:
- strict (pickles and torch checkpoints): the whole stream must parse, else reject;
- prefix (files of another format that a pickle loader could still be pointed at, such as
  a safetensors file named model.bin): the unpickler would execute opcodes up to the first
  parse error and then fail, so exactly those opcodes are checked. This catches polyglots.
"""

from __future__ import annotations

import pickletools
import struct
from typing import BinaryIO

from catalog.scanning.errors import Malformed, Rejected, ScanLimits
from catalog.scanning.pickle_vm import PickleState

_PARSE_ERRORS = (ValueError, EOFError, OverflowError, struct.error)


class BoundedReader:
    """File wrapper that refuses reads past a byte budget *before* allocating them."""

    def __init__(self, f: BinaryIO, budget: int, size: int) -> None:
        self._f, self._budget, self._used = f, budget, 0
        self._end = f.tell() + size

    def _take(self, n: int) -> None:
        if self._f.tell() + n > self._end:
            raise Malformed("pickle is truncated (an opcode reads past the end of the data)")
        if self._used + n > self._budget:
            raise Rejected(f"pickle stream is larger than the {self._budget}-byte scan limit")
        self._used += n

    def read(self, n: int) -> bytes:
        self._take(n)
        return self._f.read(n)

    def readline(self) -> bytes:
        line = self._f.readline(self._budget - self._used + 1)
        self._used += len(line)
        if self._used > self._budget:
            raise Rejected(f"pickle stream is larger than the {self._budget}-byte scan limit")
        return line

    def tell(self) -> int:
        return self._f.tell()

    def at_end(self) -> bool:
        return self._f.tell() >= self._end


class PickleScanner:
    """Scans one or more pickle streams under one opcode budget."""

    def __init__(self, limits: ScanLimits) -> None:
        self.limits = limits
        self.opcodes = 0

    def scan_stream(self, f: BinaryIO, size: int, *, count: int | None = None) -> None:
        """Strict: scan `count` consecutive pickles, or all of them up to `size` bytes."""
        reader = BoundedReader(f, self.limits.max_pickle_bytes, size)
        scanned = 0
        while True:
            try:
                self._scan_one(reader)
            except Malformed as exc:
                raise Rejected(f"{exc}; cannot verify it") from None
            scanned += 1
            # Loaders that read pickles in a loop would also run what follows the first.
            if scanned == count or (count is None and reader.at_end()):
                return

    def scan_prefix(self, f: BinaryIO, size: int) -> None:
        """Prefix mode: check what the unpickler would run before it fails on this data."""
        try:
            self._scan_one(BoundedReader(f, self.limits.max_pickle_bytes, size))
        except Malformed:
            return

    def _scan_one(self, reader: BoundedReader) -> None:
        state = PickleState()
        try:
            for opcode, arg, _pos in pickletools.genops(reader):
                self._count()
                state.step(opcode, arg)
        except Rejected:
            raise
        except _PARSE_ERRORS as exc:
            # genops raises ValueError on truncation, unknown opcodes and bad arguments.
            raise Malformed(f"pickle is truncated or malformed ({exc})") from None

    def _count(self) -> None:
        self.opcodes += 1
        if self.opcodes > self.limits.max_pickle_opcodes:
            raise Rejected(
                f"pickle has more than {self.limits.max_pickle_opcodes} opcodes; scan stopped"
            )
